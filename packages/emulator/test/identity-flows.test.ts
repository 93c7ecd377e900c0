import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { RunningEmulator } from '../src/options.ts';
import { startEmulator } from '../src/server.ts';
import { type Reply, send } from './upload-session-helpers.ts';

const REDIRECT = 'http://127.0.0.1:53682/callback';
const CLIENT = 'skydrive-tests';

interface TokenJson {
  access_token?: string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
  error_codes?: number[];
  trace_id?: string;
  correlation_id?: string;
  timestamp?: string;
}

let emu: RunningEmulator;

function postForm(url: string, fields: Record<string, string>): Promise<Reply> {
  return send('POST', url, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

function token(fields: Record<string, string>): Promise<Reply> {
  return postForm(`${emu.url}/common/oauth2/v2.0/token`, { client_id: CLIENT, ...fields });
}

function control(route: string, body: unknown): Promise<Reply> {
  return send('POST', `${emu.url}/_emulator/${route}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function assertTokenError(reply: Reply, error: string): void {
  assert.equal(reply.status, 400);
  const body = reply.json<TokenJson>();
  assert.equal(body.error, error);
  assert.match(body.error_description ?? '', /^AADSTS\d+: /);
  assert.ok(Array.isArray(body.error_codes), 'error_codes must be an array');
  assert.ok(body.error_codes.every(Number.isInteger), 'error_codes must hold integers');
  assert.equal(typeof body.trace_id, 'string');
  assert.equal(typeof body.correlation_id, 'string');
  assert.equal(typeof body.timestamp, 'string');
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeUrl(params: Record<string, string>): string {
  return `${emu.url}/common/oauth2/v2.0/authorize?${new URLSearchParams(params).toString()}`;
}

/** Reads the consent form as a browser would: its action and every named input. */
function parseForm(html: string): { action: string; fields: Record<string, string> } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  assert.ok(action, 'the page has no POST form');
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[decodeEntities(match[1] ?? '')] = decodeEntities(match[2] ?? '');
  }
  return { action: decodeEntities(action), fields };
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Opens the consent page and submits it; returns the redirect target. */
async function consent(
  params: Record<string, string>,
  decision: 'approve' | 'deny',
  username = 'demo',
): Promise<URL> {
  const page = await send('GET', authorizeUrl(params));
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.match(page.text, /<option value="demo">/);
  const form = parseForm(page.text);
  const submitted = await postForm(`${emu.url}${form.action}`, {
    ...form.fields,
    username,
    decision,
  });
  assert.equal(submitted.status, 302);
  return new URL(String(submitted.headers.location));
}

function codeParams(challenge: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    client_id: CLIENT,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'Files.ReadWrite.All offline_access',
    state: 'st-123',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
}

before(async () => {
  emu = await startEmulator({
    port: 0,
    users: [
      { username: 'demo', password: 'demo' },
      { username: 'alice', password: 'a' },
    ],
    deviceCodeIntervalSeconds: 5,
  });
});
after(async () => {
  await emu?.close();
});

describe('authorization code with PKCE', () => {
  it('consent then redemption signs in', async () => {
    const { verifier, challenge } = pkce();
    const target = await consent(codeParams(challenge), 'approve', 'alice');
    assert.equal(`${target.origin}${target.pathname}`, REDIRECT);
    assert.equal(target.searchParams.get('state'), 'st-123');
    const code = target.searchParams.get('code') ?? '';
    assert.ok(code.length > 20);

    const reply = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    assert.equal(reply.status, 200);
    const body = reply.json<TokenJson>();
    assert.equal(typeof body.refresh_token, 'string');
    const me = await send('GET', `${emu.graphUrl}/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(me.status, 200);
    assert.match(me.text, /alice/);

    const reuse = await token({
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    });
    assertTokenError(reuse, 'invalid_grant');
  });

  it('wrong verifier is invalid_grant', async () => {
    const { challenge } = pkce();
    const target = await consent(codeParams(challenge), 'approve');
    const reply = await token({
      grant_type: 'authorization_code',
      code: target.searchParams.get('code') ?? '',
      redirect_uri: REDIRECT,
      code_verifier: pkce().verifier,
    });
    assertTokenError(reply, 'invalid_grant');
  });

  it('different redirect_uri at redemption is invalid_grant', async () => {
    const { verifier, challenge } = pkce();
    const target = await consent(codeParams(challenge), 'approve');
    const reply = await token({
      grant_type: 'authorization_code',
      code: target.searchParams.get('code') ?? '',
      redirect_uri: 'http://127.0.0.1:9999/other',
      code_verifier: verifier,
    });
    assertTokenError(reply, 'invalid_grant');
  });

  it('denied consent redirects with access_denied', async () => {
    const target = await consent(codeParams(pkce().challenge), 'deny');
    assert.equal(target.searchParams.get('error'), 'access_denied');
    assert.equal(target.searchParams.get('state'), 'st-123');
    assert.equal(target.searchParams.get('code'), null);
  });

  it('localhost with any port is a valid redirect', async () => {
    const page = await send(
      'GET',
      authorizeUrl(codeParams(pkce().challenge, { redirect_uri: 'http://localhost:41234' })),
    );
    assert.equal(page.status, 200);
  });

  for (const [name, uri] of [
    ['remote host', 'https://example.com/callback'],
    ['IPv6 loopback', 'http://[::1]:8080/'],
    ['query string', 'http://127.0.0.1:8080/cb?x=1'],
    ['not a URL', 'callback'],
  ] as const) {
    it(`redirect_uri with ${name} is rejected without redirect`, async () => {
      const page = await send(
        'GET',
        authorizeUrl(codeParams(pkce().challenge, { redirect_uri: uri })),
      );
      assert.equal(page.status, 400);
      assert.equal(page.headers.location, undefined);
    });
  }

  it('missing client_id is rejected without redirect', async () => {
    const params = codeParams(pkce().challenge);
    delete (params as Partial<Record<string, string>>).client_id;
    const page = await send('GET', authorizeUrl(params));
    assert.equal(page.status, 400);
  });

  it('missing code_challenge redirects with invalid_request', async () => {
    const params = codeParams('');
    const page = await send('GET', authorizeUrl(params));
    assert.equal(page.status, 302);
    const target = new URL(String(page.headers.location));
    assert.equal(target.searchParams.get('error'), 'invalid_request');
    assert.equal(target.searchParams.get('state'), 'st-123');
  });
});

describe('device code', () => {
  async function start(): Promise<{
    device_code: string;
    user_code: string;
    verification_uri: string;
  }> {
    const reply = await postForm(`${emu.url}/consumers/oauth2/v2.0/devicecode`, {
      client_id: CLIENT,
      scope: 'Files.ReadWrite.All offline_access',
    });
    assert.equal(reply.status, 200);
    return reply.json();
  }

  const poll = (deviceCode: string) =>
    token({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode });

  it('response has the documented fields', async () => {
    const reply = await postForm(`${emu.url}/common/oauth2/v2.0/devicecode`, { client_id: CLIENT });
    const body = reply.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(body).sort(), [
      'device_code',
      'expires_in',
      'interval',
      'message',
      'user_code',
      'verification_uri',
    ]);
    assert.equal(body.expires_in, 900);
    assert.equal(body.interval, 5);
    assert.equal(body.verification_uri, `${emu.url}/devicelogin`);
    assert.match(String(body.message), new RegExp(String(body.user_code)));
  });

  it('pending then approved issues tokens once', async () => {
    const device = await start();
    assertTokenError(await poll(device.device_code), 'authorization_pending');
    assert.equal(
      (await control('device/approve', { userCode: device.user_code, username: 'alice' })).status,
      204,
    );
    const granted = await poll(device.device_code);
    assert.equal(granted.status, 200);
    assert.equal(typeof granted.json<TokenJson>().access_token, 'string');
    assertTokenError(await poll(device.device_code), 'bad_verification_code');
  });

  it('polling faster than the interval is slow_down', async () => {
    const device = await start();
    assertTokenError(await poll(device.device_code), 'authorization_pending');
    const fast = await poll(device.device_code);
    assertTokenError(fast, 'slow_down');
  });

  it('declined stops with authorization_declined', async () => {
    const device = await start();
    assert.equal((await control('device/decline', { userCode: device.user_code })).status, 204);
    assertTokenError(await poll(device.device_code), 'authorization_declined');
  });

  it('expired code is expired_token', async () => {
    const device = await start();
    assert.equal((await control('device/expire', { userCode: device.user_code })).status, 204);
    assertTokenError(await poll(device.device_code), 'expired_token');
    const late = await control('device/approve', { userCode: device.user_code, username: 'demo' });
    assert.equal(late.status, 400);
  });

  it('verification page form approves', async () => {
    const device = await start();
    const page = await send('GET', device.verification_uri);
    assert.equal(page.status, 200);
    assert.match(page.text, /name="user_code"/);
    const submitted = await postForm(device.verification_uri, {
      user_code: device.user_code.toLowerCase(),
      username: 'demo',
      decision: 'approve',
    });
    assert.equal(submitted.status, 200);
    assert.equal((await poll(device.device_code)).status, 200);
  });

  it('unknown user code on the page is 400', async () => {
    const submitted = await postForm(`${emu.url}/devicelogin`, {
      user_code: 'NOPE1234',
      username: 'demo',
      decision: 'approve',
    });
    assert.equal(submitted.status, 400);
  });
});

describe('refresh token rotation', () => {
  async function passwordTokens(): Promise<TokenJson> {
    const reply = await token({
      grant_type: 'password',
      username: 'demo',
      password: 'demo',
      scope: 'Files.ReadWrite offline_access',
    });
    return reply.json<TokenJson>();
  }
  const refresh = (refreshToken: string) =>
    token({ grant_type: 'refresh_token', refresh_token: refreshToken });

  it('used refresh token fails without grace', async () => {
    const first = await passwordTokens();
    const rotated = await refresh(first.refresh_token ?? '');
    assert.equal(rotated.status, 200);
    const next = rotated.json<TokenJson>().refresh_token ?? '';
    assert.notEqual(next, first.refresh_token);
    assertTokenError(await refresh(first.refresh_token ?? ''), 'invalid_grant');
    assert.equal((await refresh(next)).status, 200);
  });

  it('revoke makes refresh tokens fail', async () => {
    const first = await passwordTokens();
    assert.equal((await control('tokens/revoke', { username: 'demo' })).status, 204);
    assertTokenError(await refresh(first.refresh_token ?? ''), 'invalid_grant');
    assert.equal((await control('tokens/revoke', { username: 'nobody' })).status, 404);
  });

  it('revoke works on the SQLite store', async () => {
    const location = await mkdtemp(path.join(tmpdir(), 'skydrive-revoke-'));
    const persistent = await startEmulator({ port: 0, location });
    try {
      const form = (fields: Record<string, string>) =>
        postForm(`${persistent.url}/common/oauth2/v2.0/token`, { client_id: CLIENT, ...fields });
      const first = (
        await form({
          grant_type: 'password',
          username: 'demo',
          password: 'demo',
          scope: 'offline_access',
        })
      ).json<TokenJson>();
      const revoke = await send('POST', `${persistent.url}/_emulator/tokens/revoke`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'demo' }),
      });
      assert.equal(revoke.status, 204);
      const refreshed = await form({
        grant_type: 'refresh_token',
        refresh_token: first.refresh_token ?? '',
      });
      assertTokenError(refreshed, 'invalid_grant');
    } finally {
      await persistent.close();
      await rm(location, { recursive: true, force: true });
    }
  });

  it('approval for an unknown user is 400', async () => {
    const reply = await postForm(`${emu.url}/common/oauth2/v2.0/devicecode`, { client_id: CLIENT });
    const { user_code: userCode } = reply.json<{ user_code: string }>();
    const approve = await control('device/approve', { userCode, username: 'nobody' });
    assert.equal(approve.status, 400);
  });

  it('grace keeps a used token working', async () => {
    const graceful = await startEmulator({ port: 0, refreshGraceSeconds: 60 });
    try {
      const form = (fields: Record<string, string>) =>
        postForm(`${graceful.url}/common/oauth2/v2.0/token`, { client_id: CLIENT, ...fields });
      const first = (
        await form({
          grant_type: 'password',
          username: 'demo',
          password: 'demo',
          scope: 'offline_access',
        })
      ).json<TokenJson>();
      const use = () =>
        form({ grant_type: 'refresh_token', refresh_token: first.refresh_token ?? '' });
      assert.equal((await use()).status, 200);
      assert.equal((await use()).status, 200);
    } finally {
      await graceful.close();
    }
  });
});
