// `auth login` (browser and device code), `auth status`, `auth refresh` and
// `auth logout` against the emulator's identity platform.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from 'skydrive-emulator';
import { control, deliverRedirect, submitConsent } from '../lib/helpers/auth-browser.ts';
import { startCli } from './auth-process.ts';
import { type CliResult, createSandbox, normalise, type Sandbox } from './harness.ts';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

describe('skydrive auth login', () => {
  let emulator: Emulator;
  let sandbox: Sandbox;
  /** Every output of every command, searched for tokens at the end. */
  const outputs: CliResult[] = [];
  const tokenFile = (profile: string) =>
    path.join(sandbox.home, 'state', 'skydrive', 'tokens', `${profile}.json`);
  const readSaved = async (profile: string) =>
    JSON.parse(await readFile(tokenFile(profile), 'utf8')) as Record<string, string>;
  const secretsSeen = new Set<string>();

  async function run(args: string[]): Promise<CliResult> {
    const result = await sandbox.run(args);
    outputs.push(result);
    return result;
  }

  function live(args: string[]) {
    const cli = startCli(args, { cwd: sandbox.cwd, env: sandbox.env });
    void cli.done.then((result) => outputs.push(result));
    return cli;
  }

  async function rememberSecrets(profile: string) {
    const saved = await readSaved(profile);
    for (const key of ['accessToken', 'refreshToken'] as const) {
      if (saved[key] !== undefined) secretsSeen.add(saved[key]);
    }
  }

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      deviceCodeIntervalSeconds: 1,
      users: [
        { username: 'demo', password: 'demo' },
        { username: 'second', password: 'second' },
      ],
    });
    sandbox = await createSandbox();
  });

  after(async () => {
    await sandbox?.cleanup();
    await emulator?.close();
  });

  it('device code with --json prints the prompt first', async () => {
    const cli = live(['auth', 'login', '--device-code', '--json', '--endpoint', emulator.graphUrl]);
    const line = await cli.waitFor('stdout', /^(.*)\n/);
    const prompt = JSON.parse(line[1] ?? '') as Record<string, unknown>;
    assert.deepEqual(Object.keys(prompt), ['userCode', 'verificationUri', 'expiresIn', 'message']);
    assert.equal(prompt.verificationUri, `${emulator.url}/devicelogin`);
    assert.equal(prompt.expiresIn, 900);
    await control(emulator.url, 'device/approve', { userCode: prompt.userCode, username: 'demo' });

    const result = await cli.done;
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(
      normalise(lines[1] ?? ''),
      `{"profile":"default","account":"demo","endpoint":"http://127.0.0.1:<port>/v1.0","authEndpoint":"http://127.0.0.1:<port>","tenant":"common","expiresAt":"<time>","scope":"Files.ReadWrite.All offline_access User.Read","file":"${path.join(sandbox.home, 'state/skydrive/tokens/default.json')}"}`,
    );
    assert.equal((await stat(tokenFile('default'))).mode & 0o777, 0o600);
    assert.equal(
      normalise(await readFile(path.join(sandbox.home, 'config/skydrive/config.yaml'), 'utf8')),
      'profiles:\n  default:\n    endpoint: http://127.0.0.1:<port>/v1.0\n    authEndpoint: http://127.0.0.1:<port>\n    tenant: common\n    clientId: skydrive-local\n',
    );
    await rememberSecrets('default');
  });

  it('later commands need no flags', async () => {
    assert.deepEqual(await run(['ls']), { code: 0, stdout: '', stderr: '' });
  });

  it('auth status shows the sign-in', async () => {
    const result = await run(['auth', 'status']);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(
      normalise(result.stdout).replace(/\(in \d+ min\)/, '(in <n> min)'),
      [
        'profile:       default',
        'account:       demo',
        'endpoint:      http://127.0.0.1:<port>/v1.0',
        'auth endpoint: http://127.0.0.1:<port> (tenant common)',
        'client id:     skydrive-local',
        'access token:  expires <time> (in <n> min)',
        'refresh token: saved',
        'scopes:        Files.ReadWrite.All offline_access User.Read',
        `token file:    ${path.join(sandbox.home, 'state/skydrive/tokens/default.json')}`,
        '',
      ].join('\n'),
    );
  });

  it('auth refresh rotates the tokens, with --debug', async () => {
    const before = await readSaved('default');
    const result = await run(['auth', 'refresh', '--debug']);
    assert.equal(result.code, 0);
    assert.equal(
      normalise(result.stdout),
      'refreshed the token of profile default; expires <time>\n',
    );
    assert.match(
      normalise(result.stderr),
      /^debug: POST http:\/\/127\.0\.0\.1:<port>\/common\/oauth2\/v2\.0\/token -> 200 \d+ ms\n$/,
    );
    const after = await readSaved('default');
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
    await rememberSecrets('default');
  });

  it('browser sign-in through the consent page', async () => {
    const cli = live([
      '--profile',
      'web',
      'auth',
      'login',
      '--no-browser',
      '--endpoint',
      emulator.graphUrl,
    ]);
    const [, url] = await cli.waitFor('stderr', /\n {2}(http\S+)\n/);
    const location = await submitConsent(url ?? '', { username: 'second', decision: 'approve' });
    assert.equal(await deliverRedirect(location), 200);

    const result = await cli.done;
    assert.equal(result.code, 0);
    assert.equal(
      normalise(result.stdout),
      'signed in as second (profile web); token expires <time>\n',
    );
    assert.match(
      normalise(result.stderr),
      /^open this address in a browser to sign in:\n {2}http:\/\/127\.0\.0\.1:<port>\/common\/oauth2\/v2\.0\/authorize\?\S+\nwaiting up to 300 s for the sign-in to finish\n$/,
    );
    const sent = new URL(url ?? '');
    assert.equal(sent.searchParams.get('client_id'), 'skydrive-local');
    assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
    await rememberSecrets('web');
  });

  it('denied consent fails with a clear message', async () => {
    const cli = live([
      '--profile',
      'denied',
      'auth',
      'login',
      '--no-browser',
      '--endpoint',
      emulator.graphUrl,
    ]);
    const [, url] = await cli.waitFor('stderr', /\n {2}(http\S+)\n/);
    const location = await submitConsent(url ?? '', { decision: 'deny' });
    assert.equal(await deliverRedirect(location), 400);

    const result = await cli.done;
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /\nskydrive: sign-in failed: access was denied on the consent page \(access_denied\); to try again run: skydrive auth login\n$/,
    );
    await assert.rejects(stat(tokenFile('denied')), { code: 'ENOENT' });
  });

  it('redirect with another state fails', async () => {
    const cli = live([
      '--profile',
      'forged',
      'auth',
      'login',
      '--no-browser',
      '--endpoint',
      emulator.graphUrl,
    ]);
    const [, url] = await cli.waitFor('stderr', /\n {2}(http\S+)\n/);
    const location = new URL(await submitConsent(url ?? '', { decision: 'approve' }));
    location.searchParams.set('state', 'forged-state');
    assert.equal(await deliverRedirect(location.toString()), 400);

    const result = await cli.done;
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /\nskydrive: sign-in failed: the browser returned a redirect that belongs to another sign-in \(state mismatch\); to try again run: skydrive auth login\n$/,
    );
    await assert.rejects(stat(tokenFile('forged')), { code: 'ENOENT' });
  });

  it('browser sign-in times out', async () => {
    const result = await run([
      '--profile',
      'slow',
      'auth',
      'login',
      '--no-browser',
      '--timeout',
      '1',
      '--endpoint',
      emulator.graphUrl,
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /\nwaiting up to 1 s for the sign-in to finish\nskydrive: sign-in timed out: the browser did not return to the loopback address within 1 s; to try again run: skydrive auth login, or use --device-code where no browser can reach this machine\n$/,
    );
  });

  it('declined device code fails with a clear message', async () => {
    const cli = live([
      '--profile',
      'declined',
      'auth',
      'login',
      '--device-code',
      '--endpoint',
      emulator.graphUrl,
    ]);
    const [, userCode] = await cli.waitFor('stderr', /enter the code (\w+)/);
    await control(emulator.url, 'device/decline', { userCode });
    const result = await cli.done;
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      normalise(result.stderr),
      `To sign in, use a web browser to open the page http://127.0.0.1:<port>/devicelogin and enter the code ${userCode} to authenticate.\nskydrive: sign-in failed: the code was declined on the device login page (authorization_declined); to try again run: skydrive auth login --device-code\n`,
    );
  });

  it('needs a client id for Microsoft', async () => {
    const result = await run(['--profile', 'msft', 'auth', 'login']);
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr:
        'skydrive: no client id: pass --client-id <application id> or run: skydrive config set client-id <application id> (register skydrive as a public client in Microsoft Entra first)\n',
    });
  });

  it('rejects plain http to non-loopback hosts', async () => {
    const result = await run(['config', 'set', 'auth-endpoint', 'http://login.invalid']);
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr:
        'skydrive: invalid auth-endpoint: auth endpoint "http://login.invalid" uses plain http on a host that is not loopback; use https (http is allowed only for 127.0.0.0/8, localhost and [::1])\n',
    });
  });

  it('expired token refreshes inside ls --debug', async () => {
    const saved = await readSaved('default');
    await writeFile(
      tokenFile('default'),
      JSON.stringify({ ...saved, expiresAt: '2020-01-01T00:00:00.000Z' }),
    );
    const result = await run(['ls', '--debug']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    // The refresh comes first; the Graph requests that follow are the ls command's own.
    const lines = normalise(result.stderr)
      .replace(/ \d+ ms/g, ' <n> ms')
      .trimEnd()
      .split('\n');
    assert.equal(
      lines[0],
      'debug: POST http://127.0.0.1:<port>/common/oauth2/v2.0/token -> 200 <n> ms',
    );
    assert.ok(lines.length >= 2);
    for (const line of lines.slice(1)) {
      assert.match(line, /^debug: GET http:\/\/127\.0\.0\.1:<port>\/v1\.0\/me\/drive\/\S+ -> 200 /);
    }
    await rememberSecrets('default');
  });

  it('a revoked refresh token exits 4 and asks to sign in again', async () => {
    await control(emulator.url, 'tokens/revoke', { username: 'demo' });
    const refreshed = await run(['auth', 'refresh']);
    assert.equal(refreshed.code, 4);
    assert.equal(refreshed.stdout, '');
    assert.match(
      refreshed.stderr,
      /^skydrive: not signed in: the identity platform rejected the saved refresh token of profile "default" as revoked, expired or already used \(invalid_grant, AADSTS\d+\); sign in again: skydrive auth login\n$/,
    );

    // An expired access token takes the same path inside any command.
    const saved = await readSaved('default');
    await writeFile(
      tokenFile('default'),
      JSON.stringify({ ...saved, expiresAt: '2020-01-01T00:00:00.000Z' }),
    );
    const listing = await run(['ls']);
    assert.equal(listing.code, 4);
    assert.equal(listing.stderr, refreshed.stderr);
  });

  it('auth logout forgets the tokens', async () => {
    assert.deepEqual(await run(['auth', 'logout']), {
      code: 0,
      stdout: 'removed the saved token of profile default\n',
      stderr: '',
    });
    assert.deepEqual(await run(['auth', 'status']), {
      code: 4,
      stdout: '',
      stderr:
        'skydrive: not signed in: profile default has no saved token; run: skydrive auth login\n',
    });
  });

  it('no output contains a token', () => {
    assert.ok(secretsSeen.size >= 4);
    const everything = outputs.map((result) => result.stdout + result.stderr).join('\n');
    for (const secret of secretsSeen) {
      assert.equal(everything.includes(secret), false);
    }
  });
});
