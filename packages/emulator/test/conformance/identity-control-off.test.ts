import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postControl, postForm } from './feature-helpers.ts';
import { type Session, send, startSession, type TokenResponse } from './helpers.ts';

let session: Session;

// The control API is off and a used refresh token stays valid for an hour.
before(async () => {
  session = await startSession({ controlEnabled: false, refreshGraceSeconds: 3600 });
});
after(async () => {
  await session?.close();
});

describe('controlEnabled false', () => {
  const routes: Array<[string, unknown]> = [
    ['device/approve', { userCode: 'ABCDEFGH', username: 'demo' }],
    ['device/decline', { userCode: 'ABCDEFGH' }],
    ['tokens/revoke', { username: 'demo' }],
    ['delta/expire', {}],
    ['packages', { parentPath: '/', name: 'Notebook', files: [] }],
    ['faults', { fault: { type: 'reset' } }],
  ];
  for (const [route, body] of routes) {
    it(`POST /_emulator/${route} is unknown`, async () => {
      const reply = await postControl(session.dispatcher, session.emu.url, route, body);
      // The emulator documents a disabled control API as an unknown path: 400 invalidRequest.
      assert.equal(reply.status, 400, reply.text());
      assert.equal(reply.json<{ error?: { code?: string } }>().error?.code, 'invalidRequest');
    });
  }

  it('GET recycle bin listing is unknown', async () => {
    const reply = await send(
      session.dispatcher,
      'GET',
      `${session.emu.url}/_emulator/recycleBin?username=demo`,
    );
    assert.equal(reply.status, 400);
  });

  it('revoke did not take effect', async () => {
    const signIn = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/token`,
      {
        grant_type: 'password',
        client_id: 'c',
        username: 'demo',
        password: 'demo',
        scope: 'Files.ReadWrite offline_access',
      },
    );
    const refreshToken = signIn.json<TokenResponse>().refresh_token ?? '';
    await postControl(session.dispatcher, session.emu.url, 'tokens/revoke', { username: 'demo' });
    const refreshed = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/token`,
      {
        grant_type: 'refresh_token',
        client_id: 'c',
        refresh_token: refreshToken,
      },
    );
    assert.equal(refreshed.status, 200, refreshed.text());
  });
});

describe('sign-in pages without control API', () => {
  it('devicelogin form still approves', async () => {
    const code = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/devicecode`,
      {
        client_id: 'c',
        scope: 'Files.Read',
      },
    );
    const body = code.json<{ device_code: string; user_code: string }>();
    const decided = await postForm(session.dispatcher, `${session.emu.url}/devicelogin`, {
      user_code: body.user_code,
      username: 'demo',
      decision: 'approve',
    });
    assert.ok(decided.status < 400, `devicelogin answered ${decided.status}`);
    const granted = await postForm(
      session.dispatcher,
      `${session.emu.url}/common/oauth2/v2.0/token`,
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        client_id: 'c',
        device_code: body.device_code,
      },
    );
    assert.equal(granted.status, 200, granted.text());
  });
});

describe('refresh grace', () => {
  it('used refresh token works within the grace', async () => {
    const tokenUrl = `${session.emu.url}/common/oauth2/v2.0/token`;
    const signIn = await postForm(session.dispatcher, tokenUrl, {
      grant_type: 'password',
      client_id: 'c',
      username: 'alice',
      password: 'wonderland',
      scope: 'Files.ReadWrite offline_access',
    });
    const original = signIn.json<TokenResponse>().refresh_token ?? '';
    const refresh = (token: string) =>
      postForm(session.dispatcher, tokenUrl, {
        grant_type: 'refresh_token',
        client_id: 'c',
        refresh_token: token,
      });

    const first = await refresh(original);
    assert.equal(first.status, 200);
    const rotated = first.json<TokenResponse>().refresh_token;
    assert.notEqual(rotated, original, 'a new refresh token is issued even with a grace');

    const again = await refresh(original);
    assert.equal(again.status, 200, again.text());
    assert.equal((await refresh(rotated ?? '')).status, 200);
  });
});
