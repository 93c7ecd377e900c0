import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { parseCommandLine, UsageError } from '../src/cli-args.ts';
import { packageRoot, passwordToken, spawnEmulator, waitForExit } from './helpers.ts';

function runBin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin.ts', ...args], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('command-line parsing', () => {
  it('defaults to in-memory on 127.0.0.1 port 0', () => {
    const command = parseCommandLine([]);
    assert.equal(command.kind, 'start');
    assert.ok(command.kind === 'start');
    assert.equal(command.options.host, '127.0.0.1');
    assert.equal(command.options.port, 0);
    assert.equal(command.options.location, undefined);
    assert.equal(command.options.users, undefined);
    assert.equal(command.debug, false);
  });

  it('reads every flag', () => {
    const command = parseCommandLine([
      '--port',
      '8080',
      '--location',
      '/tmp/x',
      '--user',
      'alice:pa:ss',
      '--user',
      'bob:pw',
      '--quota',
      '1000',
      '--access-token-lifetime',
      '60',
      '--strict-download-auth',
      '--debug',
    ]);
    assert.ok(command.kind === 'start');
    assert.equal(command.options.port, 8080);
    assert.equal(command.options.location, '/tmp/x');
    assert.deepEqual(command.options.users, [
      { username: 'alice', password: 'pa:ss' },
      { username: 'bob', password: 'pw' },
    ]);
    assert.equal(command.options.quotaBytes, 1000);
    assert.equal(command.options.accessTokenLifetimeSeconds, 60);
    assert.equal(command.options.strictDownloadAuth, true);
    assert.equal(command.debug, true);
  });

  const invalid: Array<[string, string[]]> = [
    ['unknown flag', ['--bogus']],
    ['location with in-memory', ['--location', 'x', '--in-memory']],
    ['non-numeric port', ['--port', 'abc']],
    ['port out of range', ['--port', '70000']],
    ['user without password separator', ['--user', 'alice']],
    ['zero quota', ['--quota', '0']],
    ['positional argument', ['serve']],
  ];
  for (const [label, args] of invalid) {
    it(`rejects ${label}`, () => {
      assert.throws(() => parseCommandLine(args), UsageError);
    });
  }
});

describe('skydrive-emulator binary', () => {
  it('--help prints usage and exits 0', async () => {
    const result = await runBin(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: skydrive-emulator/);
    assert.equal(result.stderr, '');
  });

  it('--version prints the package version', async () => {
    const result = await runBin(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('bad flag exits 2 with a message', async () => {
    const result = await runBin(['--no-such-flag']);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^skydrive-emulator: .*no-such-flag/);
  });

  it('prints one start line and stops on SIGTERM', async () => {
    const { child, url, stderr } = await spawnEmulator(['--user', 'alice:wonderland', '--debug']);
    try {
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const token = await passwordToken(url, 'alice', 'wonderland');
      const me = await fetch(`${url}/v1.0/me`, {
        headers: { authorization: `Bearer ${token.access_token}` },
      });
      assert.equal(me.status, 200);
      const demo = await fetch(`${url}/common/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'password',
          client_id: 'x',
          username: 'demo',
          password: 'demo',
        }),
      });
      assert.equal(demo.status, 400, 'demo exists only when no --user is given');

      child.kill('SIGTERM');
      const exit = await waitForExit(child);
      assert.equal(exit.code, 0);
      const lines = stderr()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { msg: string; requestId?: string });
      assert.ok(lines.some((line) => line.msg === 'listening'));
      assert.ok(lines.some((line) => line.msg === 'stopped'));
      assert.ok(lines.some((line) => line.msg.startsWith('GET /v1.0/me 200') && line.requestId));
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('keeps pre-authenticated tokens out of its logs', async () => {
    const { child, url, stderr } = await spawnEmulator(['--debug']);
    try {
      const token = await passwordToken(url, 'demo', 'demo');
      const auth = { authorization: `Bearer ${token.access_token}` };
      const put = await fetch(`${url}/v1.0/me/drive/root:/log-check.bin:/content`, {
        method: 'PUT',
        headers: auth,
        body: 'x',
      });
      assert.equal(put.status, 201);
      const item = (await put.json()) as { '@microsoft.graph.downloadUrl': string };
      const downloadUrl = item['@microsoft.graph.downloadUrl'];
      const session = await fetch(
        `${url}/v1.0/me/drive/root:/log-check-2.bin:/createUploadSession`,
        {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: '{}',
        },
      );
      const { uploadUrl } = (await session.json()) as { uploadUrl: string };

      // A download, a failing download method (logged at info) and an out-of-order fragment.
      assert.equal((await fetch(downloadUrl)).status, 200);
      assert.equal((await fetch(downloadUrl, { method: 'POST' })).status, 405);
      const fragment = await fetch(uploadUrl, {
        method: 'PUT',
        headers: { 'content-range': 'bytes 10-19/100' },
        body: '0123456789',
      });
      assert.equal(fragment.status, 400);

      child.kill('SIGTERM');
      await waitForExit(child);
      const logs = stderr();
      for (const secret of [
        new URL(downloadUrl).pathname.split('/')[2],
        new URL(uploadUrl).pathname.split('/')[2],
        token.access_token,
      ]) {
        assert.ok(secret !== undefined, 'the URL carries a token');
        assert.ok(secret.length > 16, 'the token is long enough to be unique');
        assert.equal(logs.includes(secret), false, 'a token reached the log');
      }
      assert.match(logs, /\/download\/<redacted>/);
      assert.match(logs, /\/upload\/<redacted>/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
