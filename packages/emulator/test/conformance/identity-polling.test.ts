import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertIdentityError, postControl, postForm } from './feature-helpers.ts';
import { type Session, startSession } from './helpers.ts';

const CLIENT_ID = 'conformance-polling';

let session: Session;

// Default device code options: a 5 s interval, so a second poll at once is too early.
before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

async function deviceCode(): Promise<{ deviceCode: string; userCode: string; interval: number }> {
  const reply = await postForm(
    session.dispatcher,
    `${session.emu.url}/common/oauth2/v2.0/devicecode`,
    { client_id: CLIENT_ID, scope: 'Files.ReadWrite offline_access' },
  );
  assert.equal(reply.status, 200, reply.text());
  const body = reply.json<{
    device_code: string;
    user_code: string;
    interval: number;
    expires_in: number;
  }>();
  assert.equal(body.expires_in, 900);
  return { deviceCode: body.device_code, userCode: body.user_code, interval: body.interval };
}

function poll(code: string) {
  return postForm(session.dispatcher, `${session.emu.url}/common/oauth2/v2.0/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    client_id: CLIENT_ID,
    device_code: code,
  });
}

describe('device code polling interval', () => {
  it('default interval is 5 seconds', async () => {
    assert.equal((await deviceCode()).interval, 5);
  });

  it('poll sooner than interval is slow_down', async () => {
    const { deviceCode: code } = await deviceCode();
    assertIdentityError(await poll(code), 400, 'authorization_pending');
    assertIdentityError(await poll(code), 400, 'slow_down');
  });

  it('slow_down does not cancel the sign-in', async () => {
    const { deviceCode: code, userCode } = await deviceCode();
    assertIdentityError(await poll(code), 400, 'authorization_pending');
    assertIdentityError(await poll(code), 400, 'slow_down');
    const approve = await postControl(session.dispatcher, session.emu.url, 'device/approve', {
      userCode,
      username: 'demo',
    });
    assert.equal(approve.status, 204);
    // Once the user has decided, the poll returns the tokens: slow_down only
    // applies while the sign-in is still pending (RFC 8628 section 3.5).
    const granted = await poll(code);
    assert.equal(granted.status, 200, granted.text());
    assert.equal(typeof granted.json<{ access_token?: string }>().access_token, 'string');
  });
});
