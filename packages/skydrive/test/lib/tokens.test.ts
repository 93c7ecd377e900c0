import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resolveTokenSource } from '../../src/auth/token-source.ts';
import { deleteToken, loadToken, saveToken, tokenFilePath } from '../../src/auth/token-store.ts';
import { Drive } from '../../src/drive/drive.ts';

describe('token store and token sources', () => {
  let state: string;
  const saved = { previous: process.env.XDG_STATE_HOME, token: process.env.SKYDRIVE_TOKEN };

  before(async () => {
    state = await mkdtemp(path.join(tmpdir(), 'skydrive-state-'));
    process.env.XDG_STATE_HOME = state;
    delete process.env.SKYDRIVE_TOKEN;
  });
  after(async () => {
    for (const [name, value] of [
      ['XDG_STATE_HOME', saved.previous],
      ['SKYDRIVE_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await rm(state, { recursive: true, force: true });
  });

  it('keeps tokens under the XDG state folder', () => {
    assert.equal(tokenFilePath('work'), path.join(state, 'skydrive', 'tokens', 'work.json'));
  });

  it('refuses profile names that could escape the folder', () => {
    for (const name of ['../x', '', 'a/b', '.hidden']) {
      assert.throws(() => tokenFilePath(name), { code: 'INVALID_ARGUMENT' });
    }
  });

  it('saves with mode 0600 in a 0700 folder, loads and deletes', async () => {
    await saveToken('p1', { accessToken: 'abc', expiresAt: '2099-01-01T00:00:00Z' });
    const file = tokenFilePath('p1');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    assert.deepEqual(await loadToken('p1'), {
      accessToken: 'abc',
      expiresAt: '2099-01-01T00:00:00Z',
    });
    assert.equal(await deleteToken('p1'), true);
    assert.equal(await loadToken('p1'), undefined);
    assert.equal(await deleteToken('p1'), false);
  });

  it('sends a saved token only to the endpoint it was issued for', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.headers.authorization} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"u1","displayName":"u"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await saveToken('bound', {
        accessToken: 'issued-here',
        expiresAt: '2099-01-01T00:00:00Z',
        endpoint: `http://127.0.0.1:${port}/v1.0`,
      });

      // No endpoint option: the saved endpoint applies, not Microsoft Graph.
      const drive = await Drive.open({ profile: 'bound' });
      await drive.user();
      await drive.close();
      assert.deepEqual(seen, ['Bearer issued-here /v1.0/me']);

      // Another origin is refused before any request carries the token.
      await assert.rejects(Drive.open({ profile: 'bound', endpoint: 'http://127.0.0.2:9/v1.0' }), {
        code: 'NOT_SIGNED_IN',
      });
      assert.equal(seen.length, 1);
    } finally {
      server.close();
    }
  });

  it('treats a corrupt token file as not signed in', async () => {
    await saveToken('p2', { accessToken: 'x' });
    await writeFile(tokenFilePath('p2'), '{not json');
    await assert.rejects(loadToken('p2'), { code: 'NOT_SIGNED_IN' });
  });

  it('prefers the option, then SKYDRIVE_TOKEN, then the saved token', async () => {
    await saveToken('p3', { accessToken: 'saved' });
    assert.equal(
      await (
        await resolveTokenSource({
          profile: 'p3',
          accessToken: 'opt',
          env: { SKYDRIVE_TOKEN: 'env' },
        })
      )(),
      'opt',
    );
    assert.equal(
      await (await resolveTokenSource({ profile: 'p3', env: { SKYDRIVE_TOKEN: 'env' } }))(),
      'env',
    );
    assert.equal(await (await resolveTokenSource({ profile: 'p3', env: {} }))(), 'saved');
    const fromFunction = await resolveTokenSource({
      profile: 'p3',
      accessToken: async () => 'fn',
      env: {},
    });
    assert.equal(await fromFunction(), 'fn');
  });

  it('says not signed in when no token exists or the saved one expired', async () => {
    await assert.rejects(
      resolveTokenSource({ profile: 'nobody', env: {} }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'NOT_SIGNED_IN');
        assert.match(error.message, /sign in or set SKYDRIVE_TOKEN/);
        return true;
      },
    );
    await saveToken('old', {
      accessToken: 'x',
      refreshToken: 'r',
      expiresAt: '2020-01-01T00:00:00Z',
    });
    await assert.rejects(
      resolveTokenSource({ profile: 'old', env: {} }),
      /expired at 2020-01-01T00:00:00Z and no client id is saved to refresh it with; sign in again/,
    );
    await assert.rejects(resolveTokenSource({ profile: 'x', accessToken: '', env: {} }), {
      code: 'NOT_SIGNED_IN',
    });
  });

  it('Drive.open refuses to start without a token', async () => {
    await assert.rejects(Drive.open({ profile: 'nobody', endpoint: 'http://127.0.0.1:9/v1.0' }), {
      code: 'NOT_SIGNED_IN',
    });
  });

  it('Drive.open refuses an endpoint that is not an http URL', async () => {
    await assert.rejects(Drive.open({ endpoint: 'ftp://x', accessToken: 't' }), {
      code: 'INVALID_ARGUMENT',
    });
    await assert.rejects(Drive.open({ endpoint: 'not a url', accessToken: 't' }), {
      code: 'INVALID_ARGUMENT',
    });
  });
});
