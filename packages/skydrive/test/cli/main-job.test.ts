// `npm start`'s script on a small folder, with an in-memory emulator so the
// test leaves no data behind.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from './harness.ts';

const script = path.join(repoRoot, 'scripts', 'main-job.mjs');

function runMainJob(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('main job script', () => {
  let work: string;

  before(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'skydrive-main-job-test-'));
    await mkdir(path.join(work, 'small', 'sub'), { recursive: true });
    await writeFile(path.join(work, 'small', 'a.txt'), 'alpha\n');
    await writeFile(path.join(work, 'small', 'sub', 'b #2.txt'), 'beta+\n');
    await writeFile(path.join(work, 'small', 'sub', 'empty.bin'), '');
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('small folder round-trips exactly', async () => {
    const result = await runMainJob(['--in-memory', 'small'], work);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    const commands = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('$ skydrive '))
      .map((line) =>
        line
          .replace(/\/main-job\/[^ ]+/g, '<remote>')
          .replace(/\/\S*skydrive-main-job-\S+/, '<tmp>'),
      );
    assert.deepEqual(commands, [
      '$ skydrive mkdir -p <remote>',
      '$ skydrive put -r small <remote>',
      '$ skydrive tree <remote>',
      '$ skydrive info <remote>',
      '$ skydrive get -r <remote> <tmp>',
      '$ skydrive quota',
      '$ skydrive rm -r <remote>',
    ]);
    assert.match(result.stdout, /\nmain job: 3 files, 12 B, \d+\.\d s: all 3 files match\n$/);
    // Nothing is left in the working folder but the input, and no data folder was created.
    assert.deepEqual(await readdir(work), ['small']);
  });

  it('exits 1 and names the failed command', async () => {
    await writeFile(path.join(work, 'small', 'bad:name.txt'), 'x');
    try {
      const result = await runMainJob(['--in-memory', 'small'], work);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /skydrive: small\/bad:name\.txt: invalid name "bad:name\.txt"/);
      assert.match(
        result.stdout,
        /\nmain job: 0 files, 0 B, \d+\.\d s: failed: skydrive put -r small \/main-job\/\S+ exited with 1\n$/,
      );
    } finally {
      await rm(path.join(work, 'small', 'bad:name.txt'));
    }
  });

  it('rejects a path that does not exist', async () => {
    const result = await runMainJob(['--in-memory', 'nothing-here'], work);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `main job: ${path.join(work, 'nothing-here')}: no such file or folder; give existing paths\n`,
    );
  });
});
