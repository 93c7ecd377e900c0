import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertIdentityError, hiddenFields, pkcePair, postForm } from './feature-helpers.ts';
import { type Session, send, startSession, type TokenResponse } from './helpers.ts';

const CLIENT_ID = 'conformance-app';
const REDIRECT_URI = 'http://127.0.0.1:53682/callback';

let session: Session;
let authorizeUrl: string;
let tokenUrl: string;

before(async () => {
  session = await startSession();
  authorizeUrl = `${session.emu.url}/common/oauth2/v2.0/authorize`;
  tokenUrl = `${session.emu.url}/common/oauth2/v2.0/token`;
});
after(async () => {
  await session?.close();
});

interface AuthorizeRequest {
  [field: string]: string;
}

function authorizeQuery(overrides: AuthorizeRequest = {}, challenge = pkcePair().challenge) {
  return {
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'Files.ReadWrite.All offline_access',
    state: 'state-1234',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...overrides,
  };
}

/** Opens the consent page, submits its form with the given decision and returns the 302 target. */
async function consent(query: AuthorizeRequest, decision: 'approve' | 'deny'): Promise<URL> {
  const page = await send(
    session.dispatcher,
    'GET',
    `${authorizeUrl}?${new URLSearchParams(query).toString()}`,
  );
  assert.equal(page.status, 200, `consent page answered ${page.status}: ${page.text()}`);
  assert.match(page.header('content-type') ?? '', /^text\/html/);
  const fields = hiddenFields(page.text());
  assert.equal(fields.client_id, query.client_id, 'form must carry the query as hidden fields');
  const reply = await postForm(session.dispatcher, authorizeUrl, {
    ...fields,
    username: 'demo',
    decision,
  });
  assert.equal(reply.status, 302, `consent answered ${reply.status}: ${reply.text()}`);
  const location = reply.header('location');
  assert.ok(location, 'redirect must carry Location');
  return new URL(location);
}

/** Runs the authorization step and returns the code and verifier. */
async function authorize(redirectUri = REDIRECT_URI): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkcePair();
  const target = await consent(authorizeQuery({ redirect_uri: redirectUri }, challenge), 'approve');
  const code = target.searchParams.get('code');
  assert.ok(code, `redirect has no code: ${target.href}`);
  return { code, verifier };
}

function redeem(code: string, verifier: string, overrides: Record<string, string> = {}) {
  return postForm(session.dispatcher, tokenUrl, {
    grant_type: 'authorization_code',
    client_id: CLIENT_ID,
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
    ...overrides,
  });
}

describe('authorize endpoint', () => {
  it('approval redirects with code and state', async () => {
    const target = await consent(authorizeQuery(), 'approve');
    assert.equal(`${target.origin}${target.pathname}`, REDIRECT_URI);
    assert.ok((target.searchParams.get('code') ?? '').length >= 16, 'code looks guessable');
    assert.equal(target.searchParams.get('state'), 'state-1234');
    assert.equal(target.searchParams.get('error'), null);
  });

  it('deny redirects with access_denied', async () => {
    const target = await consent(authorizeQuery({ state: 'xyz' }), 'deny');
    assert.equal(target.searchParams.get('error'), 'access_denied');
    assert.ok(target.searchParams.get('error_description'), 'error_description expected');
    assert.equal(target.searchParams.get('state'), 'xyz');
    assert.equal(target.searchParams.get('code'), null);
  });

  it('loopback redirect URI accepts any port', async () => {
    for (const uri of ['http://localhost:1/cb', 'http://127.0.0.1:65535/', 'http://localhost/']) {
      const target = await consent(authorizeQuery({ redirect_uri: uri }), 'approve');
      assert.equal(target.href.split('?')[0], uri);
      assert.ok(target.searchParams.get('code'), `no code for ${uri}`);
    }
  });

  it('any tenant serves the consent page', async () => {
    for (const tenant of ['consumers', '9188040d-6c67-4c5b-b112-36a304b66dad']) {
      const query = new URLSearchParams(authorizeQuery());
      const url = `${session.emu.url}/${tenant}/oauth2/v2.0/authorize?${query.toString()}`;
      const reply = await send(session.dispatcher, 'GET', url);
      assert.equal(reply.status, 200, `tenant ${tenant} answered ${reply.status}`);
    }
  });

  it('non-loopback redirect URI gets 400 page', async () => {
    const rejected = [
      'http://example.com/cb',
      'http://[::1]:8080/cb',
      'http://127.0.0.1:8080/cb?x=1',
      'http://127.0.0.1:8080/cb#frag',
      'http://user:pw@127.0.0.1/cb',
      'ftp://127.0.0.1/cb',
      `http://127.0.0.1/${'a'.repeat(260)}`,
      'not a url',
    ];
    for (const uri of rejected) {
      const query = new URLSearchParams(authorizeQuery({ redirect_uri: uri }));
      const reply = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
      assert.equal(reply.status, 400, `redirect_uri ${uri} answered ${reply.status}`);
      assert.equal(reply.header('location'), undefined, `no redirect expected for ${uri}`);
    }
  });

  it('missing client_id gets 400 page', async () => {
    const query = new URLSearchParams(authorizeQuery());
    query.delete('client_id');
    const reply = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
    assert.equal(reply.status, 400);
    assert.equal(reply.header('location'), undefined);
  });

  it('missing code_challenge redirects invalid_request', async () => {
    const query = new URLSearchParams(authorizeQuery());
    query.delete('code_challenge');
    query.delete('code_challenge_method');
    const reply = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
    assert.equal(reply.status, 302, reply.text());
    const target = new URL(reply.header('location') ?? '');
    assert.equal(target.searchParams.get('error'), 'invalid_request');
    assert.equal(target.searchParams.get('state'), 'state-1234');
  });

  it('response_type token redirects invalid_request', async () => {
    const query = new URLSearchParams(authorizeQuery({ response_type: 'token' }));
    const reply = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
    assert.equal(reply.status, 302, reply.text());
    const target = new URL(reply.header('location') ?? '');
    assert.ok(target.searchParams.get('error'), 'error expected');
    assert.equal(target.searchParams.get('code'), null);
  });

  it('consent POST with foreign redirect_uri gets 400', async () => {
    const page = await send(
      session.dispatcher,
      'GET',
      `${authorizeUrl}?${new URLSearchParams(authorizeQuery()).toString()}`,
    );
    const fields = hiddenFields(page.text());
    const reply = await postForm(session.dispatcher, authorizeUrl, {
      ...fields,
      redirect_uri: 'http://example.com/steal',
      username: 'demo',
      decision: 'approve',
    });
    assert.equal(reply.status, 400, reply.text());
    assert.equal(reply.header('location'), undefined);
  });

  it('consent POST for unknown user issues no code', async () => {
    const page = await send(
      session.dispatcher,
      'GET',
      `${authorizeUrl}?${new URLSearchParams(authorizeQuery()).toString()}`,
    );
    const reply = await postForm(session.dispatcher, authorizeUrl, {
      ...hiddenFields(page.text()),
      username: 'mallory',
      decision: 'approve',
    });
    const location = reply.header('location');
    if (location !== undefined) {
      assert.equal(new URL(location).searchParams.get('code'), null, 'no code for an unknown user');
    } else {
      assert.ok(reply.status >= 400, `answered ${reply.status}`);
    }
  });

  it('state with markup is escaped and echoed', async () => {
    const state = '"><script>alert(1)</script>&x=1';
    const query = new URLSearchParams(authorizeQuery({ state }));
    const page = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
    assert.ok(!page.text().includes('<script>alert(1)'), 'state must be HTML-escaped');
    const target = await consent(authorizeQuery({ state }), 'approve');
    assert.equal(target.searchParams.get('state'), state);
  });

  it('malformed code_challenge redirects invalid_request', async () => {
    for (const challenge of ['short', `${'a'.repeat(42)}!`]) {
      const query = new URLSearchParams(authorizeQuery({}, challenge));
      const reply = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
      assert.equal(reply.status, 302, `challenge ${challenge} answered ${reply.status}`);
      const target = new URL(reply.header('location') ?? '');
      assert.equal(target.searchParams.get('error'), 'invalid_request', challenge);
    }
  });

  it('unsupported response_mode redirects invalid_request', async () => {
    const query = new URLSearchParams(authorizeQuery({ response_mode: 'fragment' }));
    const reply = await send(session.dispatcher, 'GET', `${authorizeUrl}?${query.toString()}`);
    assert.equal(reply.status, 302, reply.text());
    assert.equal(
      new URL(reply.header('location') ?? '').searchParams.get('error'),
      'invalid_request',
    );
  });
});

describe('authorization code grant', () => {
  it('code with verifier issues tokens', async () => {
    const { code, verifier } = await authorize();
    const reply = await redeem(code, verifier);
    assert.equal(reply.status, 200, reply.text());
    const body = reply.json<TokenResponse>();
    assert.equal(body.token_type, 'Bearer');
    assert.equal(typeof body.refresh_token, 'string');
    assert.equal(typeof body.expires_in, 'number');

    const me = await send(session.dispatcher, 'GET', `${session.emu.graphUrl}/me/drive`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    assert.equal(me.status, 200);
  });

  it('code works only once', async () => {
    const { code, verifier } = await authorize();
    assert.equal((await redeem(code, verifier)).status, 200);
    assertIdentityError(await redeem(code, verifier), 400, 'invalid_grant');
  });

  it('wrong verifier is invalid_grant', async () => {
    const { code } = await authorize();
    assertIdentityError(await redeem(code, pkcePair().verifier), 400, 'invalid_grant');
  });

  it('failed redemption uses the code up', async () => {
    const { code, verifier } = await authorize();
    assertIdentityError(await redeem(code, pkcePair().verifier), 400, 'invalid_grant');
    assertIdentityError(await redeem(code, verifier), 400, 'invalid_grant');
  });

  it('missing verifier is rejected', async () => {
    const { code } = await authorize();
    const reply = await redeem(code, '', {});
    assert.equal(reply.status, 400);
    assert.ok(
      ['invalid_grant', 'invalid_request'].includes(reply.json<TokenResponse>().error ?? ''),
    );
  });

  it('other client_id is invalid_grant', async () => {
    const { code, verifier } = await authorize();
    assertIdentityError(
      await redeem(code, verifier, { client_id: 'other-app' }),
      400,
      'invalid_grant',
    );
  });

  it('other redirect_uri is invalid_grant', async () => {
    const { code, verifier } = await authorize();
    const reply = await redeem(code, verifier, { redirect_uri: 'http://127.0.0.1:1/other' });
    assertIdentityError(reply, 400, 'invalid_grant');
  });

  it('S256 code rejects the challenge as verifier', async () => {
    const { challenge } = pkcePair();
    const target = await consent(authorizeQuery({}, challenge), 'approve');
    const code = target.searchParams.get('code') ?? '';
    assertIdentityError(await redeem(code, challenge), 400, 'invalid_grant');
  });

  it('code is bound to the approving user', async () => {
    const { verifier, challenge } = pkcePair();
    const page = await send(
      session.dispatcher,
      'GET',
      `${authorizeUrl}?${new URLSearchParams(authorizeQuery({}, challenge)).toString()}`,
    );
    const reply = await postForm(session.dispatcher, authorizeUrl, {
      ...hiddenFields(page.text()),
      username: 'alice',
      decision: 'approve',
    });
    const code = new URL(reply.header('location') ?? '').searchParams.get('code') ?? '';
    const tokens = (await redeem(code, verifier)).json<TokenResponse>();
    const me = await send(session.dispatcher, 'GET', `${session.emu.graphUrl}/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.match(me.text(), /alice/i);
  });

  it('unknown code is invalid_grant', async () => {
    assertIdentityError(await redeem('not-a-code', pkcePair().verifier), 400, 'invalid_grant');
  });

  it('plain challenge method is accepted', async () => {
    const verifier = pkcePair().verifier;
    const target = await consent(
      authorizeQuery({ code_challenge_method: 'plain' }, verifier),
      'approve',
    );
    const code = target.searchParams.get('code');
    assert.ok(code);
    assert.equal((await redeem(code, verifier)).status, 200);
  });
});
