import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { RunningEmulator } from '../../src/options.ts';
import { startEmulator } from '../../src/server.ts';

// Go's oauth2 package (rclone) first sends client credentials in an
// `Authorization: Basic` header, with no client_id in the form.

describe('token endpoint with client_secret_basic', () => {
  let emu: RunningEmulator;

  before(async () => {
    emu = await startEmulator({ port: 0 });
  });
  after(async () => {
    await emu?.close();
  });

  function postToken(body: string, authorization?: string) {
    return request(`${emu.url}/common/oauth2/v2.0/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization === undefined ? {} : { authorization }),
      },
      body,
    });
  }

  function basic(clientId: string, secret: string): string {
    return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
  }

  it('refresh grant takes client_id from Basic', async () => {
    const first = await postToken(
      'grant_type=password&client_id=app&username=demo&password=demo&scope=offline_access',
    );
    assert.equal(first.statusCode, 200);
    const { refresh_token: refreshToken } = (await first.body.json()) as { refresh_token: string };

    const refreshed = await postToken(
      `grant_type=refresh_token&refresh_token=${encodeURIComponent(refreshToken)}`,
      basic('app', 'unused'),
    );
    assert.equal(refreshed.statusCode, 200);
    const body = (await refreshed.body.json()) as { access_token?: string };
    assert.equal(typeof body.access_token, 'string');
  });

  it('form-encoded client_id in Basic is decoded', async () => {
    const reply = await postToken(
      'grant_type=password&username=demo&password=demo',
      basic('my%2Eapp', 'secret'),
    );
    assert.equal(reply.statusCode, 200);
    await reply.body.dump();
  });

  it('missing client_id everywhere is rejected', async () => {
    const reply = await postToken('grant_type=password&username=demo&password=demo');
    assert.equal(reply.statusCode, 400);
    const body = (await reply.body.json()) as { error: string; error_codes: number[] };
    assert.equal(body.error, 'invalid_request');
    assert.deepEqual(body.error_codes, [900144]);
  });

  for (const header of ['Basic', 'Basic !!!', 'Bearer abc', basic('', 'secret')]) {
    it(`unusable Authorization ${JSON.stringify(header.slice(0, 12))} is rejected`, async () => {
      const reply = await postToken('grant_type=password&username=demo&password=demo', header);
      assert.equal(reply.statusCode, 400);
      const body = (await reply.body.json()) as { error: string };
      assert.equal(body.error, 'invalid_request');
    });
  }
});
