// A killed `put` or `get` continues from the server's offset or from the partial file.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { type RunningEmulator, startEmulator } from 'skydrive-emulator';
import { cliBin, createSandbox, type Sandbox } from './harness.ts';

const KIB = 1024;
const FRAGMENT = 320 * KIB;
/** 26 fragments of 320 KiB, the last one short. */
const SIZE = 25 * FRAGMENT + 4321;

interface Fault {
  method?: string;
  path?: string;
  listener?: string;
  count?: number;
  fault: { type: string; ms?: number; bytes?: number; status?: number; retryAfter?: string };
}

describe('resume after a killed process', () => {
  let emulator: RunningEmulator;
  let sandbox: Sandbox;
  const content = randomBytes(SIZE);

  async function control(
    method: string,
    body?: Fault,
  ): Promise<{ value?: Array<{ remaining: number }> }> {
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(response.status < 300, `faults ${method} answered ${response.status}`);
    const text = await response.text();
    return text === '' ? {} : JSON.parse(text);
  }

  /** Start the CLI and kill it with SIGKILL once a progress event passes `killAt` bytes. */
  function runUntil(
    args: string[],
    killAt: number,
  ): Promise<{ killed: boolean; lastBytes: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliBin, ...args], {
        cwd: sandbox.cwd,
        env: sandbox.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let buffered = '';
      let lastBytes = 0;
      let killed = false;
      // Bounded: a run that never reaches killAt is killed after 20 s and fails the test.
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          let event: { event?: string; bytes?: number };
          try {
            event = JSON.parse(line) as { event?: string; bytes?: number };
          } catch {
            continue;
          }
          if (event.event === 'progress' && typeof event.bytes === 'number') {
            lastBytes = event.bytes;
            if (event.bytes >= killAt && !killed) {
              killed = true;
              child.kill('SIGKILL');
            }
          }
        }
      });
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve({ killed, lastBytes });
      });
    });
  }

  before(async () => {
    emulator = await startEmulator({ port: 0, strictUploadAuth: true });
    const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'skydrive-cli-tests',
        username: 'demo',
        password: 'demo',
        scope: 'Files.ReadWrite.All offline_access User.Read',
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    sandbox = await createSandbox({ SKYDRIVE_ENDPOINT: emulator.graphUrl, SKYDRIVE_TOKEN: token });
    await writeFile(path.join(sandbox.cwd, 'big.bin'), content);
  });

  after(async () => {
    await sandbox?.cleanup();
    await emulator?.close();
  });

  it('put resumes without resending fragments', async () => {
    // Slow fragments down so the kill lands in the middle of the upload.
    await control('POST', {
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      count: 1000,
      fault: { type: 'delay', ms: 40 },
    });
    const first = await runUntil(
      ['put', '--progress-json', '--fragment-size', '320KiB', 'big.bin', '/'],
      4 * FRAGMENT,
    );
    assert.equal(first.killed, true, `the first put ended on its own at ${first.lastBytes} bytes`);
    assert.equal((await recordsIn(sandbox)).length, 1);

    // Count the fragment PUTs of the second run with a fault that does nothing.
    await control('DELETE');
    await control('POST', {
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      count: 1000,
      fault: { type: 'delay', ms: 0 },
    });
    const second = await sandbox.run([
      'put',
      '--json',
      '--fragment-size',
      '320KiB',
      'big.bin',
      '/',
    ]);
    assert.equal(second.stderr, '');
    assert.equal(second.code, 0);
    const line = JSON.parse(second.stdout) as Record<string, unknown>;
    const resumedFrom = line.resumedFrom as number;
    assert.ok(resumedFrom >= 3 * FRAGMENT, `resumedFrom ${resumedFrom}`);
    assert.equal(resumedFrom % FRAGMENT, 0);
    assert.equal(line.bytesSent, SIZE - resumedFrom);
    assert.equal(line.size, SIZE);
    assert.equal(line.verified, true);
    assert.equal(line.quickXorHash, quickXorHash(content));

    const faults = await control('GET');
    const puts = 1000 - (faults.value?.[0]?.remaining ?? 1000);
    assert.equal(puts, Math.ceil((SIZE - resumedFrom) / FRAGMENT));
    await control('DELETE');
    assert.deepEqual(await recordsIn(sandbox), []);
  });

  it('get resumes a partial file', async () => {
    await control('POST', {
      method: 'GET',
      path: '^/download/',
      listener: 'content',
      fault: { type: 'truncate-body', bytes: 3 * FRAGMENT },
    });
    await control('POST', {
      method: 'GET',
      path: '^/download/',
      listener: 'content',
      fault: { type: 'status', status: 503, retryAfter: '0' },
      count: 10,
    });
    // The body breaks off and every resume attempt fails, so the partial file stays.
    const failed = await sandbox.run(['get', '--json', '/big.bin', 'copy.bin']);
    assert.equal(failed.code, 1);
    await control('DELETE');
    const partial = (await readFile(path.join(sandbox.cwd, 'copy.bin.partial'))).length;
    assert.equal(partial, 3 * FRAGMENT);

    const second = await sandbox.run(['get', '--json', '/big.bin', 'copy.bin']);
    assert.equal(second.stderr, '');
    assert.equal(second.code, 0);
    const line = JSON.parse(second.stdout) as Record<string, unknown>;
    assert.equal(line.resumedFrom, 3 * FRAGMENT);
    assert.equal(line.bytesReceived, SIZE - 3 * FRAGMENT);
    assert.equal(line.verified, true);
    assert.deepEqual(await readFile(path.join(sandbox.cwd, 'copy.bin')), content);
  });

  it('rejects an invalid fragment size', async () => {
    const result = await sandbox.run(['put', '--fragment-size', '4MiB', 'big.bin', '/']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^skydrive: option '--fragment-size <size>' argument '4MiB' is invalid: fragment size 4194304 bytes is invalid: it must be a multiple of 320 KiB/,
    );
  });
});

/** Saved upload records; a temporary file of an interrupted atomic write is not one. */
async function recordsIn(sandbox: Sandbox): Promise<string[]> {
  const names = await readdir(path.join(sandbox.home, 'state', 'skydrive', 'uploads'));
  return names.filter((name) => name.endsWith('.json'));
}
