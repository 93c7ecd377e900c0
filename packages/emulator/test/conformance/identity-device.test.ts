import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertIdentityError, postControl, postForm } from './feature-helpers.ts';
import {
  assertClientError,
  type Session,
  send,
  startSession,
  type TokenResponse,
} from './helpers.ts';

const CLIENT_ID = 'conformance-device';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

interface DeviceCodeResponse {
  device_code?: string;
  user_code?: string;
  verification_uri?: string;
  verification_uri_complete?: string;
  expires_in?: number;
  interval?: number;
  message?: string;
}

let session: Session;

// An interval of 0 turns off the slow_down check, so polls may follow each other at once.
before(async () => {
  session = await startSession({ deviceCodeIntervalSeconds: 0, deviceCodeLifetimeSeconds: 600 });
});
after(async () => {
  await session?.close();
});

async function deviceCode(tenant = 'common'): Promise<{ deviceCode: string; userCode: string }> {
  const reply = await postForm(
    session.dispatcher,
    `${session.emu.url}/${tenant}/oauth2/v2.0/devicecode`,
    {
      client_id: CLIENT_ID,
      scope: 'Files.ReadWrite.All offline_access',
    },
  );
  assert.equal(reply.status, 200, reply.text());
  const body = reply.json<DeviceCodeResponse>();
  assert.ok(body.device_code, 'device_code expected');
  assert.ok(body.user_code, 'user_code expected');
  return { deviceCode: body.device_code, userCode: body.user_code };
}

function poll(code: string, clientId = CLIENT_ID) {
  return postForm(session.dispatcher, `${session.emu.url}/common/oauth2/v2.0/token`, {
    grant_type: DEVICE_GRANT,
    client_id: clientId,
    device_code: code,
  });
}

function control(route: string, body: unknown) {
  return postControl(session.dispatcher, session.emu.url, route, body);
}

describe('devicecode endpoint', () => {
  it('returns the documented fields', async () => {
    const reply = await postForm(
      session.dispatcher,
      `${session.emu.url}/consumers/oauth2/v2.0/devicecode`,
      {
        client_id: CLIENT_ID,
        scope: 'Files.Read offline_access',
      },
    );
    assert.equal(reply.status, 200, reply.text());
    const body = reply.json<DeviceCodeResponse>();
    assert.equal(typeof body.device_code, 'string');
    assert.equal(typeof body.user_code, 'string');
    assert.equal(body.verification_uri, `${session.emu.url}/devicelogin`);
    assert.equal(body.expires_in, 600);
    assert.equal(body.interval, 0);
    assert.equal(typeof body.message, 'string');
    assert.ok(
      body.message?.includes(body.user_code ?? '\u0000'),
      'message must name the user code',
    );
    assert.equal(body.verification_uri_complete, undefined);
  });

  it('missing client_id is invalid_request', async () => {
    const reply = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/devicecode`,
      {
        scope: 'Files.Read',
      },
    );
    assertIdentityError(reply, 400, 'invalid_request');
  });

  it('scope without offline_access gives no refresh token', async () => {
    const reply = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/devicecode`,
      {
        client_id: CLIENT_ID,
        scope: 'Files.Read',
      },
    );
    const body = reply.json<DeviceCodeResponse>();
    const approve = await control('device/approve', { userCode: body.user_code, username: 'demo' });
    assert.equal(approve.status, 204);
    const granted = await poll(body.device_code ?? '');
    assert.equal(granted.status, 200, granted.text());
    assert.equal(granted.json<TokenResponse>().refresh_token, undefined);
  });

  it('codes differ between requests', async () => {
    const first = await deviceCode();
    const second = await deviceCode();
    assert.notEqual(first.deviceCode, second.deviceCode);
    assert.notEqual(first.userCode, second.userCode);
  });
});

describe('device code grant', () => {
  it('pending until approved, then tokens once', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    assertIdentityError(await poll(code), 400, 'authorization_pending');
    assertIdentityError(await poll(code), 400, 'authorization_pending');

    const approve = await control('device/approve', { userCode, username: 'alice' });
    assert.equal(approve.status, 204, approve.text());

    const granted = await poll(code);
    assert.equal(granted.status, 200, granted.text());
    const body = granted.json<TokenResponse>();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.refresh_token, 'string');
    const me = await send(session.dispatcher, 'GET', `${session.emu.graphUrl}/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(me.status, 200);
    assert.match(me.text(), /alice/i, 'token must belong to the approving user');

    assertIdentityError(await poll(code), 400, 'bad_verification_code');
  });

  it('decline gives authorization_declined', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    assert.equal((await control('device/decline', { userCode })).status, 204);
    assertIdentityError(await poll(code), 400, 'authorization_declined');
  });

  it('expired code gives expired_token', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    assert.equal((await control('device/expire', { userCode })).status, 204);
    assertIdentityError(await poll(code), 400, 'expired_token');
  });

  it('missing device_code is invalid_request', async () => {
    const reply = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/token`,
      {
        grant_type: DEVICE_GRANT,
        client_id: CLIENT_ID,
      },
    );
    assertIdentityError(reply, 400, 'invalid_request');
  });

  it('approval for unknown user is rejected', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    const reply = await control('device/approve', { userCode, username: 'mallory' });
    assert.ok(reply.status === 400 || reply.status === 404, `answered ${reply.status}`);
    assertIdentityError(await poll(code), 400, 'authorization_pending');
  });

  it('unknown code is bad_verification_code', async () => {
    assertIdentityError(await poll('no-such-device-code'), 400, 'bad_verification_code');
  });

  it('other client_id cannot redeem the code', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    assert.equal((await control('device/approve', { userCode, username: 'demo' })).status, 204);
    const reply = await poll(code, 'another-client');
    assert.equal(reply.status, 400, reply.text());
    assert.equal(reply.json<TokenResponse>().access_token, undefined);
  });

  it('second decision on a code is 400', async () => {
    const { userCode } = await deviceCode();
    assert.equal((await control('device/approve', { userCode, username: 'demo' })).status, 204);
    assert.equal((await control('device/decline', { userCode })).status, 400);
  });

  it('unknown user code decision is 400', async () => {
    assert.equal(
      (await control('device/approve', { userCode: 'ZZZZZZZZ', username: 'demo' })).status,
      400,
    );
  });

  it('devicelogin form approves the code', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    const page = await send(session.dispatcher, 'GET', `${session.emu.url}/devicelogin`);
    assert.equal(page.status, 200);
    assert.match(page.header('content-type') ?? '', /^text\/html/);
    assert.match(page.text(), /user_code/);

    const reply = await postForm(session.dispatcher, `${session.emu.url}/devicelogin`, {
      user_code: userCode,
      username: 'demo',
      decision: 'approve',
    });
    assert.ok(reply.status < 400, `devicelogin answered ${reply.status}: ${reply.text()}`);
    assert.equal((await poll(code)).status, 200);
  });

  it('devicelogin with wrong user code approves nothing', async () => {
    const { deviceCode: code } = await deviceCode();
    const reply = await postForm(session.dispatcher, `${session.emu.url}/devicelogin`, {
      user_code: 'WRONGCODE',
      username: 'demo',
      decision: 'approve',
    });
    assertClientError(reply);
    assertIdentityError(await poll(code), 400, 'authorization_pending');
  });
});

describe('refresh token rotation and revocation', () => {
  async function signIn(): Promise<TokenResponse> {
    const { deviceCode: code, userCode } = await deviceCode();
    assert.equal((await control('device/approve', { userCode, username: 'demo' })).status, 204);
    const reply = await poll(code);
    assert.equal(reply.status, 200, reply.text());
    return reply.json<TokenResponse>();
  }

  function refresh(refreshToken: string) {
    return postForm(session.dispatcher, `${session.emu.url}/common/oauth2/v2.0/token`, {
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: refreshToken,
    });
  }

  it('each refresh returns a new refresh token', async () => {
    const first = await signIn();
    const second = (await refresh(first.refresh_token ?? '')).json<TokenResponse>();
    assert.equal(typeof second.refresh_token, 'string');
    assert.notEqual(second.refresh_token, first.refresh_token);
    const third = (await refresh(second.refresh_token ?? '')).json<TokenResponse>();
    assert.equal(typeof third.refresh_token, 'string');
    assert.notEqual(third.refresh_token, second.refresh_token);
  });

  it('used refresh token fails without grace', async () => {
    const first = await signIn();
    assert.equal((await refresh(first.refresh_token ?? '')).status, 200);
    assertIdentityError(await refresh(first.refresh_token ?? ''), 400, 'invalid_grant');
  });

  it('revoke stops every refresh token of the user', async () => {
    const one = await signIn();
    const two = await signIn();
    const revoked = await control('tokens/revoke', { username: 'demo' });
    assert.equal(revoked.status, 204, revoked.text());
    assertIdentityError(await refresh(one.refresh_token ?? ''), 400, 'invalid_grant');
    assertIdentityError(await refresh(two.refresh_token ?? ''), 400, 'invalid_grant');
  });

  it('revoke of unknown user is 404', async () => {
    assert.equal((await control('tokens/revoke', { username: 'nobody' })).status, 404);
  });
});
