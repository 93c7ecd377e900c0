import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { parseCommandLine, UsageError } from '../src/cli-args.ts';
import type { RunningEmulator } from '../src/options.ts';
import { startEmulator } from '../src/server.ts';

describe('https', () => {
  let emu: RunningEmulator;
  let agent: Agent;

  before(async () => {
    emu = await startEmulator({ port: 0, https: true });
    agent = new Agent({ connect: { ca: emu.certificate ?? '' } });
  });
  after(async () => {
    await agent?.close();
    await emu?.close();
  });

  it('urls use https', () => {
    assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(emu.graphUrl, /^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    assert.match(emu.contentUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('certificate names 127.0.0.1 and localhost', () => {
    const cert = new X509Certificate(emu.certificate ?? '');
    assert.ok(cert.checkIP('127.0.0.1'));
    assert.ok(cert.checkHost('localhost'));
  });

  it('both listeners serve TLS with the certificate', async () => {
    const tokenReply = await request(`${emu.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=x&username=demo&password=demo',
    });
    assert.equal(tokenReply.statusCode, 200);
    const { access_token: token } = (await tokenReply.body.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token}` };

    const session = await request(`${emu.graphUrl}/me/drive/root:/tls.bin:/createUploadSession`, {
      method: 'POST',
      dispatcher: agent,
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(session.statusCode, 200);
    const { uploadUrl } = (await session.body.json()) as { uploadUrl: string };
    assert.ok(uploadUrl.startsWith('https://'));
    const done = await request(uploadUrl, {
      method: 'PUT',
      dispatcher: agent,
      headers: { 'content-range': 'bytes 0-2/3' },
      body: 'abc',
    });
    assert.equal(done.statusCode, 201);
    await done.body.dump();
  });

  it('untrusted client is refused', async () => {
    await assert.rejects(request(`${emu.graphUrl}/me`));
  });
});

describe('https with a given certificate', () => {
  it('serves the given certificate', async () => {
    const first = await startEmulator({ port: 0, https: true });
    const cert = first.certificate ?? '';
    await first.close();
    // The key of a generated certificate is not exposed, so this check pairs the certificate with a wrong key.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await assert.rejects(
      startEmulator({ port: 0, https: { cert, key } }),
      /cannot be used together/,
    );
    await assert.rejects(startEmulator({ port: 0, https: { cert: 'x', key: 'y' } }), /PEM/);
  });
});

describe('command-line flags', () => {
  let folder: string;

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'skydrive-flags-'));
  });
  after(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('session, sign-in and control flags map to options', () => {
    const command = parseCommandLine([
      '--upload-session-lifetime',
      '60',
      '--strict-upload-auth',
      '--refresh-grace',
      '5',
      '--device-code-lifetime',
      '30',
      '--device-code-interval',
      '0',
      '--no-control',
      '--https',
    ]);
    assert.equal(command.kind, 'start');
    if (command.kind !== 'start') {
      return;
    }
    assert.equal(command.options.uploadSessionLifetimeSeconds, 60);
    assert.equal(command.options.strictUploadAuth, true);
    assert.equal(command.options.refreshGraceSeconds, 5);
    assert.equal(command.options.deviceCodeLifetimeSeconds, 30);
    assert.equal(command.options.deviceCodeIntervalSeconds, 0);
    assert.equal(command.options.controlEnabled, false);
    assert.equal(command.options.https, true);
  });

  it('cert and key files are read', async () => {
    const cert = path.join(folder, 'cert.pem');
    const key = path.join(folder, 'key.pem');
    await writeFile(cert, 'CERT');
    await writeFile(key, 'KEY');
    const command = parseCommandLine(['--https', '--cert', cert, '--key', key]);
    assert.deepEqual(command.kind === 'start' && command.options.https, {
      cert: 'CERT',
      key: 'KEY',
    });
  });

  for (const args of [
    ['--cert', 'a.pem', '--key', 'b.pem'],
    ['--https', '--cert', 'a.pem'],
    ['--https', '--cert', '/no/such/cert.pem', '--key', '/no/such/key.pem'],
    ['--upload-session-lifetime', '0'],
    ['--refresh-grace', '-1'],
  ]) {
    it(`rejects ${args.join(' ')}`, () => {
      assert.throws(() => parseCommandLine(args), UsageError);
    });
  }
});
