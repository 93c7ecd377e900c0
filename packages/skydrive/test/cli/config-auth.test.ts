// Profiles in config.yaml and the saved token: `config`, `auth import`, `auth logout`.
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fetchTokenResponse, startTestEmulator, type TestEmulator } from './emulator.ts';
import { createSandbox, type Sandbox } from './harness.ts';

describe('skydrive config and auth', () => {
  let emulator: TestEmulator;
  let sandbox: Sandbox;
  let configFile: string;
  let tokenFile: string;
  /** Replace the sandbox's temporary folder in output with <home>. */
  const masked = (text: string) => text.split(sandbox.home).join('<home>');

  before(async () => {
    emulator = await startTestEmulator();
    sandbox = await createSandbox();
    configFile = path.join(sandbox.home, 'config', 'skydrive', 'config.yaml');
    tokenFile = path.join(sandbox.home, 'state', 'skydrive', 'tokens', 'default.json');
  });

  after(async () => {
    await sandbox?.cleanup();
    await emulator?.close();
  });

  it('config set writes the profile with mode 0600', async () => {
    const result = await sandbox.run(['config', 'set', 'endpoint', `${emulator.graphUrl}/`]);
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.equal(
      masked(result.stdout),
      'set endpoint of profile default in <home>/config/skydrive/config.yaml\n',
    );
    assert.equal(
      await readFile(configFile, 'utf8'),
      `profiles:\n  default:\n    endpoint: ${emulator.graphUrl}\n`,
    );
    assert.equal((await stat(configFile)).mode & 0o777, 0o600);
  });

  it('config set for another profile keeps the first', async () => {
    const result = await sandbox.run([
      '--profile',
      'work',
      'config',
      'set',
      'client-id',
      'app-123',
    ]);
    assert.equal(result.code, 0);
    const list = await sandbox.run(['config', 'list']);
    assert.deepEqual(list, {
      code: 0,
      stdout: `default.endpoint=${emulator.graphUrl}\nwork.client-id=app-123\n`,
      stderr: '',
    });
    const json = await sandbox.run(['config', 'list', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), {
      profiles: { default: { endpoint: emulator.graphUrl }, work: { clientId: 'app-123' } },
    });
  });

  it('config get prints one value', async () => {
    const result = await sandbox.run(['config', 'get', 'endpoint']);
    assert.deepEqual(result, { code: 0, stdout: `${emulator.graphUrl}\n`, stderr: '' });
  });

  it('config get of an unset key', async () => {
    const result = await sandbox.run(['config', 'get', 'client-id']);
    assert.deepEqual(result, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: client-id is not set for profile default; set it with: skydrive config set client-id <value>\n',
    });
  });

  it('config set of an unknown key', async () => {
    const result = await sandbox.run(['config', 'set', 'colour', 'blue']);
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr:
        "skydrive: unknown config key 'colour'; valid keys: endpoint, client-id, auth-endpoint, tenant, scopes\n",
    });
  });

  it('config set of an invalid endpoint', async () => {
    const result = await sandbox.run(['config', 'set', 'endpoint', 'ftp://127.0.0.1/v1.0']);
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr:
        'skydrive: invalid endpoint "ftp://127.0.0.1/v1.0": only http and https URLs are supported\n',
    });
  });

  it('without a token commands exit 4', async () => {
    const result = await sandbox.run(['ls']);
    assert.deepEqual(result, {
      code: 4,
      stdout: '',
      stderr: 'skydrive: not signed in; run: skydrive auth login, or set SKYDRIVE_TOKEN\n',
    });
  });

  it('auth import saves, never prints', async () => {
    const response = await fetchTokenResponse(emulator.graphUrl.replace(/\/v1\.0$/, ''));
    const accessToken = JSON.parse(response).access_token as string;
    const result = await sandbox.run(['auth', 'import'], { stdin: response });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(
      masked(result.stdout),
      /^saved token for profile default in <home>\/state\/skydrive\/tokens\/default\.json, expires \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/,
    );
    assert.equal(result.stdout.includes(accessToken), false);
    assert.equal((await stat(tokenFile)).mode & 0o777, 0o600);
    const saved = JSON.parse(await readFile(tokenFile, 'utf8'));
    assert.equal(saved.accessToken, accessToken);

    // The endpoint comes from config.yaml and the token from the token file.
    const listing = await sandbox.run(['ls']);
    assert.deepEqual(listing, { code: 0, stdout: '', stderr: '' });
  });

  it('auth import rejects bad input', async () => {
    const garbage = await sandbox.run(['auth', 'import'], { stdin: 'access_token=abc' });
    assert.deepEqual(garbage, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: stdin is not valid JSON; pipe the JSON answer of the token endpoint into: skydrive auth import\n',
    });
    const failed = await sandbox.run(['auth', 'import'], {
      stdin: '{"error":"invalid_grant","error_description":"bad password"}',
    });
    assert.deepEqual(failed, {
      code: 1,
      stdout: '',
      stderr:
        'skydrive: the token endpoint returned an error (invalid_grant: bad password); nothing was saved\n',
    });
    const empty = await sandbox.run(['auth', 'import']);
    assert.equal(empty.code, 1);
    assert.equal(
      empty.stderr,
      'skydrive: no token response on stdin; pipe the JSON answer of the token endpoint into: skydrive auth import\n',
    );
  });

  it('auth logout removes the token', async () => {
    const result = await sandbox.run(['auth', 'logout']);
    assert.deepEqual(result, {
      code: 0,
      stdout: 'removed the saved token of profile default\n',
      stderr: '',
    });
    await assert.rejects(stat(tokenFile), { code: 'ENOENT' });
    assert.equal((await sandbox.run(['ls'])).code, 4);

    const again = await sandbox.run(['auth', 'logout']);
    assert.deepEqual(again, {
      code: 0,
      stdout: 'profile default had no saved token; nothing to remove\n',
      stderr: '',
    });
  });

  it('an invalid config file is reported', async () => {
    const broken = path.join(sandbox.home, 'broken.yaml');
    await writeFile(broken, 'profiles: [unclosed\n');
    const result = await sandbox.run(['--config', broken, 'config', 'list']);
    assert.equal(result.code, 1);
    assert.match(
      masked(result.stderr),
      /^skydrive: <home>\/broken\.yaml: invalid YAML: .+; fix or remove the file\n$/,
    );
  });
});
