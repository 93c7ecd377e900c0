// The emulator streams fragments to disk: a 1 GiB upload through it must not
// grow its resident memory by more than a fixed bound. The emulator runs as a
// child process so its RSS is its own; the bound is on memory, not on time.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Drive } from '../../src/drive/drive.ts';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** Allowed RSS growth of the emulator during the upload, in bytes: six 10 MiB fragments, far below the 1 GiB file. */
const RSS_GROWTH_LIMIT = 64 * MIB;

const emulatorBin = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../emulator/dist/bin.js',
);
const cliBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli/bin.js');
/** Allowed peak RSS of a skydrive CLI process uploading 256 MiB, in bytes; it is about 125 MiB for any size. */
const CLI_RSS_LIMIT = 192 * MIB;

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  // An exiting process (a zombie) has no VmRSS line; such a sample counts as none.
  return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
}

/** Start the built emulator CLI and return its child process and API origin. */
function spawnEmulator(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [emulatorBin, '--port', '0', '--in-memory'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator printed no start line within 15 s: ${output}`));
    }, 15_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.on('error', reject);
  });
}

describe('emulator memory', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  let child: ChildProcess | undefined;
  let url: string;
  let local: string;

  before(async () => {
    ({ child, url } = await spawnEmulator());
    local = await mkdtemp(path.join(tmpdir(), 'skydrive-memory-'));
  });

  after(async () => {
    child?.kill('SIGTERM');
    await rm(local, { recursive: true, force: true });
  });

  async function tokenFor(): Promise<string> {
    const response = await fetch(`${url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'skydrive-tests',
        username: 'demo',
        password: 'demo',
        scope: 'Files.ReadWrite.All',
      }),
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    return token;
  }

  it('1 GiB upload keeps emulator RSS flat', async (t) => {
    const token = await tokenFor();
    const drive = await Drive.open({ endpoint: `${url}/v1.0`, accessToken: token });
    const pid = child?.pid;
    assert.ok(pid !== undefined);

    try {
      // A sparse file: reading it costs no disk, and the emulator still writes every byte.
      const file = path.join(local, 'one-gib.bin');
      const handle = await open(file, 'w');
      await handle.truncate(GIB);
      await handle.close();
      const warmUp = path.join(local, 'warm-up.bin');
      const small = await open(warmUp, 'w');
      await small.truncate(8 * MIB);
      await small.close();
      await drive.upload(warmUp, '/warm-up.bin', { stateDir: false });

      const baseline = await rssOf(pid);
      let peak = baseline;
      const sampler = setInterval(() => {
        rssOf(pid).then(
          (rss) => {
            peak = Math.max(peak, rss);
          },
          () => undefined,
        );
      }, 50);
      try {
        const item = await drive.upload(file, '/one-gib.bin', { stateDir: false });
        assert.equal(item.size, GIB);
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, await rssOf(pid));
      const growth = peak - baseline;
      t.diagnostic(
        `emulator RSS ${(baseline / MIB).toFixed(1)} MiB before, ${(peak / MIB).toFixed(1)} MiB at peak`,
      );
      assert.ok(
        growth < RSS_GROWTH_LIMIT,
        `emulator RSS grew by ${(growth / MIB).toFixed(1)} MiB (from ${(baseline / MIB).toFixed(1)} MiB); the limit is ${RSS_GROWTH_LIMIT / MIB} MiB`,
      );
    } finally {
      await drive.close();
    }
  });

  it('CLI put RSS stays bounded', async (t) => {
    const token = await tokenFor();
    const file = path.join(local, 'cli.bin');
    const handle = await open(file, 'w');
    await handle.truncate(256 * MIB);
    await handle.close();

    const child = spawn(process.execPath, [cliBin, '--no-progress', 'put', file, '/'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: local,
        SKYDRIVE_ENDPOINT: `${url}/v1.0`,
        SKYDRIVE_TOKEN: token,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    let peak = 0;
    const sampler = setInterval(() => {
      if (child.pid !== undefined) {
        rssOf(child.pid).then(
          (rss) => {
            peak = Math.max(peak, rss);
          },
          () => undefined,
        );
      }
    }, 20);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(sampler);

    assert.equal(stderr, '');
    assert.equal(code, 0);
    t.diagnostic(`skydrive put of 256 MiB peaked at ${(peak / MIB).toFixed(1)} MiB RSS`);
    assert.ok(peak > 0, 'no RSS sample was taken');
    assert.ok(
      peak < CLI_RSS_LIMIT,
      `skydrive put peaked at ${(peak / MIB).toFixed(1)} MiB RSS; the limit is ${CLI_RSS_LIMIT / MIB} MiB`,
    );
  });
});
