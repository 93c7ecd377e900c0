import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ProxyAgent, request } from 'undici';
import { parseCommandLine } from '../../src/cli-args.ts';
import type { RunningEmulator } from '../../src/options.ts';
import { startEmulator } from '../../src/server.ts';

describe('CONNECT proxy', () => {
  let emu: RunningEmulator;
  let proxy: ProxyAgent;

  before(async () => {
    emu = await startEmulator({ port: 0, connectProxy: true });
    proxy = new ProxyAgent({
      uri: emu.proxyUrl ?? '',
      requestTls: { ca: emu.proxyCaCertificate ?? '' },
    });
  });
  after(async () => {
    await proxy?.close();
    await emu?.close();
  });

  it('proxy URL is the API origin', () => {
    assert.equal(emu.proxyUrl, emu.url);
    assert.ok(emu.proxyCaCertificate?.includes('BEGIN CERTIFICATE'));
  });

  it('CA certificate is a CA', () => {
    const ca = new X509Certificate(emu.proxyCaCertificate ?? '');
    assert.equal(ca.ca, true);
  });

  it('serves token and Graph routes under Microsoft host names', async () => {
    const tokenReply = await request('https://login.microsoftonline.com/common/oauth2/v2.0/token', {
      method: 'POST',
      dispatcher: proxy,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=proxy-test&username=demo&password=demo',
    });
    assert.equal(tokenReply.statusCode, 200);
    const { access_token: token } = (await tokenReply.body.json()) as { access_token: string };

    const drive = await request('https://graph.microsoft.com/v1.0/me/drive', {
      dispatcher: proxy,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(drive.statusCode, 200);
    const body = (await drive.body.json()) as { driveType: string };
    assert.equal(body.driveType, 'personal');
  });

  it('tunnelled TLS is rejected without the CA', async () => {
    const untrusting = new ProxyAgent({ uri: emu.proxyUrl ?? '' });
    try {
      await assert.rejects(
        request('https://graph.microsoft.com/v1.0/me', { dispatcher: untrusting }),
        (error: Error & { code?: string; cause?: { code?: string } }) =>
          /CERT|SELF_SIGNED|UNABLE_TO/.test(`${error.code} ${error.cause?.code} ${error.message}`),
      );
    } finally {
      await untrusting.close();
    }
  });

  for (const target of ['example.com:443', 'graph.microsoft.com:80', '127.0.0.1:22', 'garbage']) {
    it(`CONNECT ${target} gets 403`, async () => {
      const head = await rawConnect(emu.url, target);
      assert.match(head, /^HTTP\/1\.1 403 /);
    });
  }

  it('plain API requests still work on the proxy port', async () => {
    const reply = await request(`${emu.graphUrl}/me`);
    assert.equal(reply.statusCode, 401);
    await reply.body.dump();
  });

  it('off by default', async () => {
    const plain = await startEmulator({ port: 0 });
    try {
      assert.equal(plain.proxyUrl, undefined);
      assert.equal(plain.proxyCaCertificate, undefined);
      const head = await rawConnect(plain.url, 'graph.microsoft.com:443');
      assert.doesNotMatch(head, /^HTTP\/1\.1 200 /);
    } finally {
      await plain.close();
    }
  });

  it('--connect-proxy sets connectProxy', () => {
    const command = parseCommandLine(['--connect-proxy']);
    assert.equal(command.kind, 'start');
    assert.equal(command.kind === 'start' && command.options.connectProxy, true);
  });
});

/** Sends a bare CONNECT and returns what the server wrote before closing, or the first 1 KiB. */
function rawConnect(origin: string, target: string): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to CONNECT ${target} within 5 s`));
    }, 5000);
    socket.on('connect', () => {
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.length >= 1024 || received.includes('\r\n\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
