import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmulatorError, type RunningEmulator, startEmulator } from '../src/index.ts';
import { graphClient, passwordToken } from './helpers.ts';

describe('startEmulator options', () => {
  const invalid: Array<[string, Parameters<typeof startEmulator>[0]]> = [
    ['negative port', { port: -1 }],
    ['zero quota', { quotaBytes: 0 }],
    ['empty user list', { users: [] }],
    [
      'duplicate users',
      {
        users: [
          { username: 'a', password: 'x' },
          { username: 'a', password: 'y' },
        ],
      },
    ],
    ['zero token lifetime', { accessTokenLifetimeSeconds: 0 }],
  ];
  for (const [label, options] of invalid) {
    it(`rejects ${label}`, async () => {
      await assert.rejects(
        startEmulator(options),
        (error: unknown) =>
          error instanceof EmulatorError && error.code === 'EMULATOR_INVALID_OPTION',
      );
    });
  }

  it('busy port fails with EMULATOR_LISTEN', async () => {
    const first = await startEmulator();
    try {
      const port = Number(new URL(first.url).port);
      await assert.rejects(
        startEmulator({ port }),
        (error: unknown) => error instanceof EmulatorError && error.code === 'EMULATOR_LISTEN',
      );
    } finally {
      await first.close();
    }
  });

  it('close can be called twice', async () => {
    const emulator = await startEmulator();
    await emulator.close();
    await emulator.close();
  });
});

describe('emulator behaviour beyond the conformance suite', () => {
  let emulator: RunningEmulator;
  let token: string;

  before(async () => {
    emulator = await startEmulator({ quotaBytes: 1000, strictDownloadAuth: true });
    token = (await passwordToken(emulator.url)).access_token;
  });

  after(() => emulator.close());

  it('echoes client-request-id', async () => {
    const response = await fetch(`${emulator.graphUrl}/me`, {
      headers: { authorization: `Bearer ${token}`, 'client-request-id': 'abc-123' },
    });
    assert.equal(response.headers.get('client-request-id'), 'abc-123');
    assert.ok(response.headers.get('request-id'));
  });

  it('chunked upload over quota is 507', async () => {
    const response = await fetch(`${emulator.graphUrl}/me/drive/root:/big.bin:/content`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(800));
          controller.enqueue(new Uint8Array(800));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(response.status, 507);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'quotaLimitReached');
  });

  it('strict mode rejects Authorization on a copy monitor', async () => {
    const graph = graphClient(emulator.graphUrl, token);
    const file = await graph.json<{ id: string }>('PUT', '/me/drive/root:/m.txt:/content', 'm');
    const copy = await graph.send('POST', `/me/drive/items/${file.id}/copy`, { name: 'm2.txt' });
    assert.equal(copy.status, 202);
    const monitor = copy.headers.get('location') ?? '';
    assert.ok(monitor.startsWith(emulator.contentUrl));
    const withAuth = await fetch(monitor, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(withAuth.status, 401);
    const withoutAuth = await fetch(monitor);
    assert.equal(withoutAuth.status, 202);
  });

  it('concurrent uploads with fail create one file', async () => {
    const graph = graphClient(emulator.graphUrl, token);
    const route = '/me/drive/root:/race.txt:/content?@microsoft.graph.conflictBehavior=fail';
    const statuses = (
      await Promise.all([graph.send('PUT', route, 'one'), graph.send('PUT', route, 'two')])
    ).map((response) => response.status);
    assert.deepEqual(statuses.sort(), [201, 409]);
  });

  it('If-None-Match star blocks overwrite', async () => {
    const graph = graphClient(emulator.graphUrl, token);
    const route = '/me/drive/root:/once.txt:/content';
    const first = await graph.send('PUT', route, 'one', { 'if-none-match': '*' });
    assert.equal(first.status, 201);
    const second = await graph.send('PUT', route, 'two', { 'if-none-match': '*' });
    assert.equal(second.status, 412);
  });

  it('aborted upload leaves no item', async () => {
    const upload = request(`${emulator.graphUrl}/me/drive/root:/aborted.bin:/content`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-length': 500 },
    });
    const closed = new Promise((resolve) => upload.on('close', resolve));
    upload.on('error', () => {
      // Destroying the request is the point of the test.
    });
    upload.write(Buffer.alloc(100));
    upload.destroy();
    await closed;

    // The emulator must still answer, and the half-sent file must not exist.
    const graph = graphClient(emulator.graphUrl, token);
    const lookup = await graph.send('GET', '/me/drive/root:/aborted.bin');
    assert.equal(lookup.status, 404);
  });

  it('refresh token grants a working access token', async () => {
    const tokens = await passwordToken(emulator.url);
    const refreshed = await fetch(`${emulator.url}/consumers/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'x',
        refresh_token: tokens.refresh_token,
      }),
    });
    assert.equal(refreshed.status, 200);
    const body = (await refreshed.json()) as { access_token: string; refresh_token: string };
    assert.notEqual(body.refresh_token, tokens.refresh_token);
    const me = await fetch(`${emulator.graphUrl}/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(me.status, 200);
  });

  it('access token does not work as a refresh token', async () => {
    const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'x',
        refresh_token: token,
      }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'invalid_grant');
  });

  it('unsupported grant type is 400 unsupported_grant_type', async () => {
    const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'x' }),
    });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'unsupported_grant_type');
  });
});

describe('quota lowered below usage', () => {
  let location: string;

  before(async () => {
    location = await mkdtemp(path.join(tmpdir(), 'emu-quota-'));
    const emulator = await startEmulator({ location, quotaBytes: 10_000 });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      await graph.json('PUT', '/me/drive/root:/big.bin:/content', new Uint8Array(600));
    } finally {
      await emulator.close();
    }
  });

  after(() => rm(location, { recursive: true, force: true }));

  it('blocks new items but allows shrinking', async () => {
    const emulator = await startEmulator({ location, quotaBytes: 500 });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      const drive = await graph.json<{ quota: { state: string } }>('GET', '/me/drive');
      assert.equal(drive.quota.state, 'exceeded');
      const newFile = await graph.send('PUT', '/me/drive/root:/new.txt:/content', 'x');
      assert.equal(newFile.status, 507);
      const folder = await graph.send('POST', '/me/drive/root/children', { name: 'F', folder: {} });
      assert.equal(folder.status, 507);
      const shrink = await graph.send(
        'PUT',
        '/me/drive/root:/big.bin:/content',
        new Uint8Array(100),
      );
      assert.equal(shrink.status, 200);
    } finally {
      await emulator.close();
    }
  });
});
