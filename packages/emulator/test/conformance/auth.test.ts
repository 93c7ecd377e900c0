import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  assertGraphError,
  passwordGrant,
  SCOPE,
  type Session,
  send,
  startSession,
  type TokenResponse,
} from './helpers.ts';

function form(fields: Record<string, string>): { headers: Record<string, string>; body: string } {
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Asserts the identity platform's error shape: `error`, an AADSTS description and trace fields. */
function assertTokenError(body: TokenResponse, code: string): void {
  assert.equal(body.error, code);
  assert.match(body.error_description ?? '', /^AADSTS\d+/);
  assert.ok(Array.isArray(body.error_codes), 'error_codes must be an array');
  for (const value of body.error_codes as unknown[]) {
    assert.ok(Number.isInteger(value), 'error_codes must hold integers');
  }
  assert.equal(typeof body.timestamp, 'string');
  assert.equal(typeof body.trace_id, 'string');
  assert.equal(typeof body.correlation_id, 'string');
}

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('token endpoint', () => {
  let tokenUrl: string;

  before(async () => {
    tokenUrl = `${session.emu.url}/common/oauth2/v2.0/token`;
  });

  it('password grant issues bearer and refresh tokens', async () => {
    const reply = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    assert.equal(reply.status, 200);
    assert.match(reply.header('content-type') ?? '', /^application\/json/);
    const body = reply.json<TokenResponse>();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.access_token, 'string');
    assert.ok((body.access_token ?? '').length >= 16, 'access token looks guessable');
    assert.equal(body.expires_in, 3600);
    assert.equal(typeof body.refresh_token, 'string');
    assert.equal(typeof body.scope, 'string');
  });

  it('refresh token needs offline_access', async () => {
    const reply = await send(
      session.dispatcher,
      'POST',
      tokenUrl,
      form({
        grant_type: 'password',
        client_id: 'conformance-tests',
        username: 'demo',
        password: 'demo',
        scope: 'Files.ReadWrite.All User.Read',
      }),
    );
    assert.equal(reply.status, 200, reply.text());
    const body = reply.json<TokenResponse>();
    assert.equal(typeof body.access_token, 'string');
    assert.equal(body.refresh_token, undefined);
  });

  it('granted scope lists the Files scope', async () => {
    const reply = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const scopes = (reply.json<TokenResponse>().scope ?? '').split(' ');
    assert.ok(
      scopes.some((scope) => /(^|\/)Files\.ReadWrite\.All$/.test(scope)),
      `scope ${scopes.join(' ')}`,
    );
  });

  it('tokens work for the consumers tenant', async () => {
    const reply = await passwordGrant(
      session.dispatcher,
      session.emu.url,
      'demo',
      'demo',
      'consumers',
    );
    assert.equal(reply.status, 200);
    const token = reply.json<TokenResponse>().access_token ?? '';
    const me = await send(session.dispatcher, 'GET', `${session.emu.graphUrl}/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(me.status, 200);
  });

  it('two sign-ins yield distinct access tokens', async () => {
    const first = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const second = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    assert.notEqual(
      first.json<TokenResponse>().access_token,
      second.json<TokenResponse>().access_token,
    );
  });

  it('wrong password is invalid_grant', async () => {
    const reply = await passwordGrant(
      session.dispatcher,
      session.emu.url,
      'demo',
      'not-the-password',
    );
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_grant');
  });

  it('unknown user is invalid_grant', async () => {
    const reply = await passwordGrant(session.dispatcher, session.emu.url, 'nobody', 'demo');
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_grant');
  });

  it('another user password is rejected', async () => {
    const reply = await passwordGrant(session.dispatcher, session.emu.url, 'alice', 'demo');
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_grant');
  });

  it('refresh grant issues a working access token', async () => {
    const first = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const refreshToken = first.json<TokenResponse>().refresh_token ?? '';
    const reply = await send(
      session.dispatcher,
      'POST',
      tokenUrl,
      form({
        grant_type: 'refresh_token',
        client_id: 'conformance-tests',
        refresh_token: refreshToken,
        scope: SCOPE,
      }),
    );
    assert.equal(reply.status, 200, reply.text());
    const body = reply.json<TokenResponse>();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.access_token, 'string');
    assert.equal(typeof body.refresh_token, 'string');
    assert.equal(typeof body.expires_in, 'number');

    const me = await send(session.dispatcher, 'GET', `${session.emu.graphUrl}/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(me.status, 200);
  });

  it('rotated refresh token fails by default', async () => {
    // The identity platform leaves a rotated refresh token valid; the emulator revokes it at
    // once unless refreshGraceSeconds is set, so clients are tested against rotation races.
    const first = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const original = first.json<TokenResponse>().refresh_token ?? '';
    const refresh = () =>
      send(
        session.dispatcher,
        'POST',
        tokenUrl,
        form({
          grant_type: 'refresh_token',
          client_id: 'conformance-tests',
          refresh_token: original,
        }),
      );
    assert.equal((await refresh()).status, 200);
    const second = await refresh();
    assert.equal(second.status, 400, second.text());
    assert.equal(second.json<{ error?: string }>().error, 'invalid_grant');
  });

  it('previous refresh token stays usable within the grace', async () => {
    // The emulator revokes a rotated refresh token once refreshGraceSeconds have passed.
    const graceful = await startSession({ refreshGraceSeconds: 60 });
    try {
      const first = await passwordGrant(graceful.dispatcher, graceful.emu.url, 'demo', 'demo');
      const original = first.json<TokenResponse>().refresh_token ?? '';
      const refresh = () =>
        send(
          graceful.dispatcher,
          'POST',
          `${graceful.emu.url}/common/oauth2/v2.0/token`,
          form({
            grant_type: 'refresh_token',
            client_id: 'conformance-tests',
            refresh_token: original,
          }),
        );
      assert.equal((await refresh()).status, 200);
      assert.equal((await refresh()).status, 200);
    } finally {
      await graceful.close();
    }
  });

  it('token responses are not cacheable', async () => {
    const reply = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    assert.match(reply.header('cache-control') ?? '', /no-store/);
  });

  it('token request with a JSON body is invalid_request', async () => {
    const reply = await send(session.dispatcher, 'POST', tokenUrl, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: 'demo', password: 'demo' }),
    });
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_request');
  });

  it('unknown refresh token is invalid_grant', async () => {
    const reply = await send(
      session.dispatcher,
      'POST',
      tokenUrl,
      form({ grant_type: 'refresh_token', client_id: 'x', refresh_token: 'not-a-real-token' }),
    );
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_grant');
  });

  it('access token is not accepted as refresh token', async () => {
    const first = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const accessToken = first.json<TokenResponse>().access_token ?? '';
    const reply = await send(
      session.dispatcher,
      'POST',
      tokenUrl,
      form({ grant_type: 'refresh_token', client_id: 'x', refresh_token: accessToken }),
    );
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_grant');
  });

  it('unknown grant type is unsupported_grant_type', async () => {
    const reply = await send(
      session.dispatcher,
      'POST',
      tokenUrl,
      form({ grant_type: 'magic', client_id: 'x' }),
    );
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'unsupported_grant_type');
  });

  it('password grant without username is invalid_request', async () => {
    const reply = await send(
      session.dispatcher,
      'POST',
      tokenUrl,
      form({ grant_type: 'password', client_id: 'x', password: 'demo', scope: SCOPE }),
    );
    assert.equal(reply.status, 400);
    assertTokenError(reply.json<TokenResponse>(), 'invalid_request');
  });
});

describe('bearer authentication on Graph routes', () => {
  const routes = ['/me', '/me/drive', '/me/drive/root', '/me/drive/root/children'];

  for (const route of routes) {
    it(`missing Authorization on ${route} is 401`, async () => {
      const reply = await send(session.dispatcher, 'GET', `${session.emu.graphUrl}${route}`);
      assertGraphError(reply, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
      assert.match(reply.header('www-authenticate') ?? '', /^Bearer\b/i);
    });
  }

  it('unknown bearer token is 401', async () => {
    const reply = await session.demo.get('/me/drive', { authorization: 'Bearer not-a-token' });
    assertGraphError(reply, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
    assert.match(reply.header('www-authenticate') ?? '', /^Bearer\b/i);
  });

  it('non-bearer scheme is 401', async () => {
    const reply = await session.demo.get('/me/drive', {
      authorization: `Basic ${Buffer.from('demo:demo').toString('base64')}`,
    });
    assertGraphError(reply, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
    assert.ok(reply.header('www-authenticate'), 'WWW-Authenticate is missing');
  });

  it('refresh token is not a bearer token', async () => {
    const grant = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const refreshToken = grant.json<TokenResponse>().refresh_token ?? '';
    const reply = await session.demo.get('/me', { authorization: `Bearer ${refreshToken}` });
    assertGraphError(reply, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
  });

  it('unauthenticated writes change nothing', async () => {
    const reply = await send(
      session.dispatcher,
      'PUT',
      `${session.emu.graphUrl}/me/drive/root:/sneaky.txt:/content`,
      { body: 'x', headers: { 'content-type': 'text/plain' } },
    );
    assert.equal(reply.status, 401);
    const check = await session.demo.get('/me/drive/root:/sneaky.txt');
    assertGraphError(check, 404, 'itemNotFound');
  });

  it('GET /me returns the signed-in user', async () => {
    const reply = await session.demo.get('/me');
    assert.equal(reply.status, 200);
    const me = reply.json<Record<string, unknown>>();
    assert.equal(typeof me.id, 'string');
    assert.equal(typeof me.displayName, 'string');
    assert.equal(typeof me.userPrincipalName, 'string');
    // The default property set of a user; values may be null but the keys are present.
    for (const key of [
      'businessPhones',
      'givenName',
      'jobTitle',
      'mail',
      'mobilePhone',
      'officeLocation',
      'preferredLanguage',
      'surname',
    ]) {
      assert.ok(key in me, `GET /me lacks ${key}`);
    }
    assert.ok(Array.isArray(me.businessPhones), 'businessPhones must be an array');

    const other = (await session.alice.get('/me')).json<{ id?: unknown }>();
    assert.notEqual(other.id, me.id);
  });

  it('every response carries request-id', async () => {
    const replies = [
      await session.demo.get('/me'),
      await session.demo.get('/me/drive/items/0000000000000000!999999'),
      await send(session.dispatcher, 'GET', `${session.emu.graphUrl}/me`),
      await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo'),
      await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'wrong'),
    ];
    for (const reply of replies) {
      assert.ok(reply.header('request-id'), `status ${reply.status} reply lacks request-id`);
    }
    const ids = replies.map((reply) => reply.header('request-id'));
    assert.equal(new Set(ids).size, ids.length, 'request-id values repeat');
  });

  it('error innerError request-id matches the header', async () => {
    const reply = await session.demo.get('/me/drive/root:/no-such-file.txt');
    assertGraphError(reply, 404, 'itemNotFound');
    const inner = reply.json<{ error: { innerError: { 'request-id': string } } }>().error
      .innerError;
    assert.equal(inner['request-id'], reply.header('request-id'));
  });
});

describe('access token expiry', () => {
  let session: Session;

  before(async () => {
    session = await startSession({ accessTokenLifetimeSeconds: 1 });
  });
  after(async () => {
    await session?.close();
  });

  it('expired access token is 401, refresh recovers', async () => {
    const grant = await passwordGrant(session.dispatcher, session.emu.url, 'demo', 'demo');
    const body = grant.json<TokenResponse>();
    assert.equal(body.expires_in, 1);
    const headers = { authorization: `Bearer ${body.access_token}` };
    const meUrl = `${session.emu.graphUrl}/me`;

    // Waiting past the configured 1 s lifetime is the only way to reach expiry.
    await delay(2100);
    const expired = await send(session.dispatcher, 'GET', meUrl, { headers });
    assertGraphError(expired, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
    assert.match(expired.header('www-authenticate') ?? '', /^Bearer\b/i);

    const refreshed = await send(
      session.dispatcher,
      'POST',
      `${session.emu.url}/common/oauth2/v2.0/token`,
      form({
        grant_type: 'refresh_token',
        client_id: 'conformance-tests',
        refresh_token: body.refresh_token ?? '',
      }),
    );
    assert.equal(refreshed.status, 200, refreshed.text());
    const again = await send(session.dispatcher, 'GET', meUrl, {
      headers: { authorization: `Bearer ${refreshed.json<TokenResponse>().access_token}` },
    });
    assert.equal(again.status, 200);
  });
});
