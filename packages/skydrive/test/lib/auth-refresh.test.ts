// Token refresh: ahead of expiry, on a 401, rotation, invalid_grant, and sharing one refresh.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from 'skydrive-emulator';
import { signInWithDeviceCode } from '../../src/auth/device-code.ts';
import { SignInError } from '../../src/auth/oauth-client.ts';
import { resolveAuthSettings } from '../../src/auth/settings.ts';
import { StoredTokenProvider } from '../../src/auth/stored-provider.ts';
import type { TokenProvider } from '../../src/auth/token-provider.ts';
import {
  loadToken,
  type SavedToken,
  saveToken,
  tokenFilePath,
} from '../../src/auth/token-store.ts';
import { Drive } from '../../src/drive/drive.ts';
import type { RequestEvent } from '../../src/drive/types.ts';
import { GraphError } from '../../src/errors.ts';
import { control, tryRefresh } from './helpers/auth-browser.ts';
import { fakeClock } from './helpers/scripted-server.ts';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

const HOUR_MS = 3600_000;

describe('token refresh', () => {
  let emulator: Emulator;
  let state: string;
  const saved = { state: process.env.XDG_STATE_HOME, token: process.env.SKYDRIVE_TOKEN };

  /** Sign in as a user through the device code flow and return the tokens. */
  async function signIn(username = 'demo'): Promise<SavedToken> {
    const token = await signInWithDeviceCode({
      settings: resolveAuthSettings({ authEndpoint: emulator.url, clientId: 'skydrive-local' }),
      clock: fakeClock(),
      onPrompt: async (prompt) => {
        await control(emulator.url, 'device/approve', { userCode: prompt.userCode, username });
      },
    });
    return { ...token, endpoint: emulator.graphUrl };
  }

  /** Save tokens whose access token expires `expiresInMs` from now, issued an hour before that. */
  async function saveExpiring(profile: string, token: SavedToken, expiresInMs: number) {
    const now = Date.now();
    await saveToken(profile, {
      ...token,
      obtainedAt: new Date(now + expiresInMs - HOUR_MS).toISOString(),
      expiresAt: new Date(now + expiresInMs).toISOString(),
    });
  }

  function openDrive(profile: string, events: RequestEvent[]): Promise<Drive> {
    return Drive.open({
      profile,
      endpoint: emulator.graphUrl,
      onRequest: (event) => events.push(event),
    });
  }

  const summary = (events: RequestEvent[]) =>
    events.map((event) => `${event.method} ${new URL(event.url).pathname} ${event.status}`);

  before(async () => {
    state = await mkdtemp(path.join(tmpdir(), 'skydrive-refresh-'));
    process.env.XDG_STATE_HOME = state;
    delete process.env.SKYDRIVE_TOKEN;
    emulator = await startEmulator({
      port: 0,
      deviceCodeIntervalSeconds: 1,
      refreshGraceSeconds: 0,
      users: [
        { username: 'demo', password: 'demo' },
        { username: 'revoked', password: 'revoked' },
      ],
    });
  });
  after(async () => {
    await emulator?.close();
    await rm(state, { recursive: true, force: true });
    for (const [name, value] of [
      ['XDG_STATE_HOME', saved.state],
      ['SKYDRIVE_TOKEN', saved.token],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('refreshes shortly before expiry and rotates', async () => {
    const first = await signIn();
    await saveExpiring('soon', first, 30_000);
    const events: RequestEvent[] = [];
    const drive = await openDrive('soon', events);
    try {
      assert.equal((await drive.user()).userPrincipalName, 'demo');
    } finally {
      await drive.close();
    }
    assert.deepEqual(summary(events), ['POST /common/oauth2/v2.0/token 200', 'GET /v1.0/me 200']);

    const stored = (await loadToken('soon')) as SavedToken;
    assert.notEqual(stored.accessToken, first.accessToken);
    assert.notEqual(stored.refreshToken, first.refreshToken);
    assert.equal(stored.account, first.account);
    assert.ok(Date.parse(stored.expiresAt ?? '') > Date.now() + HOUR_MS / 2);
    assert.equal((await stat(tokenFilePath('soon'))).mode & 0o777, 0o600);
    // With no grace, the rotated-out refresh token is dead.
    assert.deepEqual(await tryRefresh(emulator.url, first.refreshToken as string), {
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('refreshes once on a 401 and repeats the request', async () => {
    const token = await signIn();
    await saveExpiring('rejected', { ...token, accessToken: 'not-a-valid-token' }, HOUR_MS);
    const events: RequestEvent[] = [];
    const drive = await openDrive('rejected', events);
    try {
      assert.equal((await drive.user()).userPrincipalName, 'demo');
    } finally {
      await drive.close();
    }
    assert.deepEqual(summary(events), [
      'GET /v1.0/me 401',
      'POST /common/oauth2/v2.0/token 200',
      'GET /v1.0/me 200',
    ]);
    assert.notEqual((await loadToken('rejected'))?.accessToken, 'not-a-valid-token');
  });

  it('gives up after one refresh when the new token is rejected too', async () => {
    const calls: Array<boolean | undefined> = [];
    const provider: TokenProvider = {
      getAccessToken: async (options) => {
        calls.push(options?.forceRefresh);
        return `bogus-${calls.length}`;
      },
    };
    const events: RequestEvent[] = [];
    const drive = await Drive.open({
      endpoint: emulator.graphUrl,
      accessToken: provider,
      onRequest: (event) => events.push(event),
    });
    try {
      await assert.rejects(drive.user(), (error: unknown) => {
        assert.ok(error instanceof GraphError);
        assert.equal(error.status, 401);
        return true;
      });
    } finally {
      await drive.close();
    }
    assert.deepEqual(calls, [undefined, true, undefined]);
    assert.deepEqual(summary(events), ['GET /v1.0/me 401', 'GET /v1.0/me 401']);
  });

  it('sends a fixed token once on a 401', async () => {
    const events: RequestEvent[] = [];
    const drive = await Drive.open({
      endpoint: emulator.graphUrl,
      accessToken: 'fixed-bogus-token',
      onRequest: (event) => events.push(event),
    });
    try {
      await assert.rejects(drive.user(), { code: 'GRAPH_ERROR', status: 401 });
    } finally {
      await drive.close();
    }
    assert.deepEqual(summary(events), ['GET /v1.0/me 401']);
  });

  it('shares one refresh among concurrent callers', async () => {
    await saveExpiring('shared', await signIn(), -1000);
    const events: RequestEvent[] = [];
    const provider = await StoredTokenProvider.open({
      profile: 'shared',
      transport: { onRequest: (event) => events.push(event) },
    });
    const tokens = await Promise.all(Array.from({ length: 5 }, () => provider.getAccessToken()));
    assert.equal(new Set(tokens).size, 1);
    assert.deepEqual(summary(events), ['POST /common/oauth2/v2.0/token 200']);
  });

  it("adopts another process's refresh instead of refreshing again", async () => {
    await saveExpiring('adopt', await signIn(), -1000);
    const events: RequestEvent[] = [];
    const provider = await StoredTokenProvider.open({
      profile: 'adopt',
      transport: { onRequest: (event) => events.push(event) },
    });
    // Another process refreshed and saved while this one had the old token loaded.
    const other = await StoredTokenProvider.open({ profile: 'adopt' });
    const refreshed = await other.refreshNow();

    assert.equal(await provider.getAccessToken(), refreshed.accessToken);
    assert.deepEqual(events, []);
  });

  it('treats invalid_grant as final and keeps the store', async () => {
    const token = await signIn('revoked');
    await saveExpiring('gone', token, -1000);
    const before = await readFile(tokenFilePath('gone'), 'utf8');
    await control(emulator.url, 'tokens/revoke', { username: 'revoked' });

    const events: RequestEvent[] = [];
    const drive = await openDrive('gone', events);
    let failure: unknown;
    try {
      await assert.rejects(drive.user(), (error: unknown) => {
        failure = error;
        return true;
      });
    } finally {
      await drive.close();
    }
    assert.ok(failure instanceof SignInError);
    assert.equal(failure.code, 'NOT_SIGNED_IN');
    assert.equal(failure.oauthError, 'invalid_grant');
    assert.match(failure.message, /rejected the saved refresh token of profile "gone"/);
    assert.deepEqual(summary(events), ['POST /common/oauth2/v2.0/token 400']);
    assert.equal(await readFile(tokenFilePath('gone'), 'utf8'), before);

    const text = `${failure.message} ${JSON.stringify(events)}`;
    for (const secret of [token.accessToken, token.refreshToken as string]) {
      assert.equal(text.includes(secret), false);
    }
  });

  it('refuses to open an expired token that cannot be refreshed', async () => {
    const token = await signIn();
    await saveExpiring('no-refresh', { accessToken: token.accessToken }, -1000);
    await assert.rejects(openDrive('no-refresh', []), {
      code: 'NOT_SIGNED_IN',
      message: /expired at .* and no refresh token is saved; sign in again/,
    });
  });
});
