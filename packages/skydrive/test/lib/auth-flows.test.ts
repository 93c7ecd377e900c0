// Sign-in flows of the library against the emulator's identity platform.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from 'skydrive-emulator';
import {
  createAuthorizationRequest,
  redeemAuthorizationCode,
  signInWithAuthCode,
} from '../../src/auth/auth-code.ts';
import { signInWithDeviceCode } from '../../src/auth/device-code.ts';
import { createOAuthConfig, SignInError } from '../../src/auth/oauth-client.ts';
import { type AuthSettings, resolveAuthSettings } from '../../src/auth/settings.ts';
import { control, deliverRedirect, submitConsent } from './helpers/auth-browser.ts';
import { fakeClock } from './helpers/scripted-server.ts';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;

/** Assert that a promise rejects with a SignInError of this code and OAuth error. */
async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
  oauthError: string | undefined,
): Promise<SignInError> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof SignInError, `expected a SignInError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.oauthError, oauthError);
  return caught;
}

describe('authorization code with PKCE', () => {
  let emulator: Emulator;
  let settings: AuthSettings;

  before(async () => {
    emulator = await startEmulator({ port: 0 });
    settings = resolveAuthSettings({ authEndpoint: emulator.url, clientId: 'skydrive-tests' });
  });
  after(async () => {
    await emulator?.close();
  });

  it('signs in through the consent page', async () => {
    let shownUrl = '';
    const token = await signInWithAuthCode({
      settings,
      timeoutMs: 10_000,
      onAuthorizationUrl: async (url) => {
        shownUrl = url;
        const location = await submitConsent(url, { decision: 'approve' });
        assert.equal(await deliverRedirect(location), 200);
      },
    });
    const sent = new URL(shownUrl);
    assert.equal(sent.searchParams.get('code_challenge_method'), 'S256');
    assert.match(sent.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(sent.searchParams.get('redirect_uri') ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.equal(sent.searchParams.get('code_verifier'), null);

    assert.equal(token.clientId, 'skydrive-tests');
    assert.equal(token.authEndpoint, emulator.url);
    assert.equal(typeof token.refreshToken, 'string');
    const me = await fetch(`${emulator.graphUrl}/me`, {
      headers: { authorization: `Bearer ${token.accessToken}` },
    });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { userPrincipalName?: string }).userPrincipalName, 'demo');
  });

  it('rejects a redirect with another state', async () => {
    const failure = await rejectsWith(
      signInWithAuthCode({
        settings,
        timeoutMs: 10_000,
        onAuthorizationUrl: async (url) => {
          const location = new URL(await submitConsent(url, { decision: 'approve' }));
          location.searchParams.set('state', 'forged-state');
          assert.equal(await deliverRedirect(location.toString()), 400);
        },
      }),
      'SIGN_IN_FAILED',
      'invalid_state',
    );
    assert.match(failure.message, /state/);
  });

  it('rejects a wrong code verifier', async () => {
    const config = createOAuthConfig(settings);
    const request = await createAuthorizationRequest(config, settings, 'http://127.0.0.1:9/');
    const location = await submitConsent(request.url, { decision: 'approve' });
    const other = await createAuthorizationRequest(config, settings, 'http://127.0.0.1:9/');
    const failure = await rejectsWith(
      redeemAuthorizationCode(
        config,
        settings,
        location,
        { ...request, verifier: other.verifier },
        Date.now(),
      ),
      'SIGN_IN_FAILED',
      'invalid_grant',
    );
    assert.ok(failure.errorCodes.length > 0);
    assert.equal(failure.message.includes(request.verifier), false);
    assert.equal(failure.message.includes(other.verifier), false);
  });

  it('reports denied consent', async () => {
    await rejectsWith(
      signInWithAuthCode({
        settings,
        timeoutMs: 10_000,
        onAuthorizationUrl: async (url) => {
          const location = await submitConsent(url, { decision: 'deny' });
          assert.equal(new URL(location).searchParams.get('error'), 'access_denied');
          assert.equal(await deliverRedirect(location), 400);
        },
      }),
      'SIGN_IN_FAILED',
      'access_denied',
    );
  });

  it('times out without a redirect', async () => {
    await assert.rejects(
      signInWithAuthCode({ settings, timeoutMs: 50, onAuthorizationUrl: () => undefined }),
      { code: 'TIMEOUT' },
    );
  });

  it('stops when the signal aborts', async () => {
    const abort = new AbortController();
    await assert.rejects(
      signInWithAuthCode({
        settings,
        timeoutMs: 10_000,
        signal: abort.signal,
        onAuthorizationUrl: () => abort.abort(),
      }),
      { code: 'ABORTED' },
    );
  });
});

describe('device code', () => {
  // The emulator announces a 1 s interval and returns slow_down to faster polls.
  // The fake clock does not really wait, so every poll after the first is too soon.
  let quick: Emulator;

  before(async () => {
    quick = await startEmulator({ port: 0, deviceCodeIntervalSeconds: 1 });
  });
  after(async () => {
    await quick?.close();
  });

  const settingsFor = (emulator: Emulator) =>
    resolveAuthSettings({ authEndpoint: emulator.url, clientId: 'skydrive-tests' });

  it('polls while pending, then gets tokens', async () => {
    let userCode = '';
    let polls = 0;
    const token = await signInWithDeviceCode({
      settings: settingsFor(quick),
      clock: fakeClock(),
      onPrompt: (prompt) => {
        userCode = prompt.userCode;
        assert.equal(prompt.verificationUri, `${quick.url}/devicelogin`);
        assert.ok(prompt.message.includes(prompt.userCode));
        assert.equal(prompt.expiresIn, 900);
      },
      onPoll: async () => {
        polls += 1;
        // The first poll gets authorization_pending; approve before the second.
        if (polls === 2) {
          await control(quick.url, 'device/approve', { userCode, username: 'demo' });
        }
      },
    });
    assert.equal(polls, 2);
    assert.equal(typeof token.accessToken, 'string');
    assert.equal(typeof token.refreshToken, 'string');
  });

  it('stops when the user declines', async () => {
    await rejectsWith(
      signInWithDeviceCode({
        settings: settingsFor(quick),
        clock: fakeClock(),
        onPrompt: async (prompt) => {
          await control(quick.url, 'device/decline', { userCode: prompt.userCode });
        },
      }),
      'SIGN_IN_FAILED',
      'authorization_declined',
    );
  });

  it('stops when the code expires', async () => {
    await rejectsWith(
      signInWithDeviceCode({
        settings: settingsFor(quick),
        clock: fakeClock(),
        onPrompt: async (prompt) => {
          await control(quick.url, 'device/expire', { userCode: prompt.userCode });
        },
      }),
      'SIGN_IN_FAILED',
      'expired_token',
    );
  });

  it('gives up after expires_in while pending', async () => {
    const clock = fakeClock();
    await rejectsWith(
      signInWithDeviceCode({ settings: settingsFor(quick), clock, onPrompt: () => undefined }),
      'SIGN_IN_FAILED',
      'expired_token',
    );
    const waitedMs = clock.sleeps.reduce((sum, ms) => sum + ms, 0);
    assert.ok(waitedMs >= 900_000, `waited ${waitedMs} ms of the 900 s`);
  });

  it('waits 5 s longer after slow_down', async () => {
    let userCode = '';
    const waits: Array<{ waitSeconds: number; slowDown: boolean }> = [];
    const clock = fakeClock();
    await signInWithDeviceCode({
      settings: settingsFor(quick),
      // The fake clock does not wait, so the second poll comes too soon for the emulator.
      clock,
      onPrompt: (prompt) => {
        userCode = prompt.userCode;
        assert.equal(prompt.interval, 1);
      },
      onPoll: async (event) => {
        waits.push(event);
        if (event.slowDown) {
          await control(quick.url, 'device/approve', { userCode, username: 'demo' });
        }
      },
    });
    assert.deepEqual(waits, [
      { waitSeconds: 1, slowDown: false },
      { waitSeconds: 1, slowDown: false },
      { waitSeconds: 6, slowDown: true },
    ]);
    assert.deepEqual(clock.sleeps, [1000, 1000, 6000]);
  });
});

describe('sign-in settings', () => {
  it('rejects plain http to non-loopback hosts', () => {
    assert.throws(
      () => resolveAuthSettings({ authEndpoint: 'http://login.example.com', clientId: 'x' }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'INVALID_ARGUMENT');
        assert.match(error.message, /plain http/);
        return true;
      },
    );
  });

  it('allows http on loopback hosts only', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', '[::1]']) {
      const settings = resolveAuthSettings({ authEndpoint: `http://${host}:8080/`, clientId: 'x' });
      assert.equal(settings.authEndpoint, `http://${host}:8080`);
    }
    for (const host of ['128.0.0.1', '127.0.0.1.example.com', '10.0.0.1']) {
      assert.throws(() => resolveAuthSettings({ authEndpoint: `http://${host}`, clientId: 'x' }), {
        code: 'INVALID_ARGUMENT',
      });
    }
  });

  it('defaults to Microsoft, tenant common and the Files scopes', () => {
    assert.deepEqual(resolveAuthSettings({ clientId: 'app' }), {
      authEndpoint: 'https://login.microsoftonline.com',
      tenant: 'common',
      clientId: 'app',
      scopes: 'Files.ReadWrite.All offline_access User.Read',
    });
  });

  it('rejects a missing client id and odd tenants', () => {
    assert.throws(() => resolveAuthSettings({}), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => resolveAuthSettings({ clientId: 'a', tenant: '../x' }), {
      code: 'INVALID_ARGUMENT',
    });
    assert.throws(() => resolveAuthSettings({ clientId: 'a b' }), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => resolveAuthSettings({ clientId: 'a', scopes: 'openid Files.Read' }), {
      code: 'INVALID_ARGUMENT',
    });
  });
});
