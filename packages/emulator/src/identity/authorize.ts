import type { RequestContext } from '../context.js';
import { readSmallBody, sendEmpty } from '../http.js';
import { escapeHtml, sendHtml, userSelect } from './html.js';

/** Maximum length of a redirect URI the platform registers. */
const MAX_REDIRECT_URI_LENGTH = 256;
const DEFAULT_SCOPE = 'Files.ReadWrite.All User.Read offline_access';

/** Parameters of an authorization request after the checks that allow a redirect. */
interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string | undefined;
  scope: string;
  codeChallenge: string;
  codeChallengeMethod: 'S256' | 'plain';
}

/**
 * `GET /{tenant}/oauth2/v2.0/authorize` shows a consent page where the user picks
 * an emulator account and approves or denies. The form posts back to the same URL,
 * which redirects to `redirect_uri` with `code` and `state`, or with
 * `error=access_denied`. A bad `client_id` or `redirect_uri` gets an HTML error page
 * instead, because redirecting to an unchecked URI is unsafe.
 */
export async function handleAuthorize(ctx: RequestContext, tenant: string): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'POST') {
    sendHtml(ctx.res, 405, 'Method not allowed', '<p>Use GET or POST.</p>');
    return;
  }
  const params =
    method === 'GET'
      ? ctx.query
      : new URLSearchParams((await readSmallBody(ctx.req)).toString('utf8'));

  const redirectProblem = checkClientAndRedirect(params);
  if (redirectProblem) {
    ctx.log.info({ reason: redirectProblem }, 'authorization request rejected');
    sendHtml(ctx.res, 400, 'Sign-in request rejected', `<p>${escapeHtml(redirectProblem)}</p>`);
    return;
  }
  const redirectUri = params.get('redirect_uri') as string;
  const state = params.get('state') ?? undefined;

  const parsed = parseAuthorizeRequest(params);
  if (typeof parsed === 'string') {
    redirect(ctx, redirectUri, { error: 'invalid_request', error_description: parsed, state });
    return;
  }
  if (method === 'GET') {
    sendConsentPage(ctx, tenant, parsed);
    return;
  }

  const decision = params.get('decision');
  if (decision !== 'approve') {
    ctx.log.info({ clientId: parsed.clientId }, 'consent denied');
    redirect(ctx, redirectUri, {
      error: 'access_denied',
      error_description: 'The user denied the consent request.',
      state,
    });
    return;
  }
  const username = params.get('username') ?? '';
  if (!ctx.emulator.store.getUser(username)) {
    sendHtml(ctx.res, 400, 'Unknown account', `<p>No account named ${escapeHtml(username)}.</p>`);
    return;
  }
  const code = ctx.emulator.grants.issueCode({
    clientId: parsed.clientId,
    redirectUri: parsed.redirectUri,
    codeChallenge: parsed.codeChallenge,
    codeChallengeMethod: parsed.codeChallengeMethod,
    scope: parsed.scope,
    username,
  });
  ctx.log.info({ username, clientId: parsed.clientId }, 'authorization code issued');
  redirect(ctx, redirectUri, { code, state });
}

/**
 * Checks `client_id` and `redirect_uri`. Only loopback redirects are accepted
 * (`localhost` or `127.0.0.1`, any port, http or https), because the emulator
 * serves public clients on this machine. As for personal-account apps on the
 * identity platform, `[::1]` is not supported and a query string is not allowed.
 */
export function checkClientAndRedirect(params: URLSearchParams): string | undefined {
  const clientId = params.get('client_id');
  if (!clientId || !/^[\w.-]{1,128}$/.test(clientId)) {
    return 'client_id is missing or is not a valid application id.';
  }
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) {
    return 'redirect_uri is missing.';
  }
  if (redirectUri.length > MAX_REDIRECT_URI_LENGTH) {
    return `redirect_uri is longer than ${MAX_REDIRECT_URI_LENGTH} characters.`;
  }
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return 'redirect_uri is not an absolute URL.';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'redirect_uri must use http or https.';
  }
  if (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') {
    return 'redirect_uri must be a loopback address (http://localhost or http://127.0.0.1, any port).';
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return 'redirect_uri must not carry a query, a fragment or credentials.';
  }
  return undefined;
}

function parseAuthorizeRequest(params: URLSearchParams): AuthorizeRequest | string {
  if (params.get('response_type') !== 'code') {
    return 'response_type must be code.';
  }
  const responseMode = params.get('response_mode');
  if (responseMode !== null && responseMode !== 'query') {
    return 'skydrive-emulator supports response_mode=query only.';
  }
  const codeChallenge = params.get('code_challenge');
  if (!codeChallenge) {
    return 'code_challenge is required: public clients must use PKCE.';
  }
  const method = params.get('code_challenge_method') ?? 'plain';
  if (method !== 'S256' && method !== 'plain') {
    return 'code_challenge_method must be S256 or plain.';
  }
  if (method === 'S256' && !/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) {
    return 'code_challenge must be the base64url SHA-256 of the verifier (43 characters).';
  }
  if (method === 'plain' && !/^[A-Za-z0-9._~-]{43,128}$/.test(codeChallenge)) {
    return 'a plain code_challenge must be 43 to 128 unreserved characters.';
  }
  return {
    clientId: params.get('client_id') as string,
    redirectUri: params.get('redirect_uri') as string,
    state: params.get('state') ?? undefined,
    scope: params.get('scope') ?? DEFAULT_SCOPE,
    codeChallenge,
    codeChallengeMethod: method,
  };
}

function sendConsentPage(ctx: RequestContext, tenant: string, request: AuthorizeRequest): void {
  const hidden = [...ctx.query.entries()]
    .filter(([key]) => key !== 'username' && key !== 'decision')
    .map(
      ([key, value]) =>
        `<input type="hidden" name="${escapeHtml(key)}" value="${escapeHtml(value)}">`,
    )
    .join('\n');
  const usernames = ctx.emulator.store.listUsers().map((user) => user.username);
  // The tenant segment is echoed as the client sent it, so the form posts back to the same URL.
  const action = `/${tenant}/oauth2/v2.0/authorize`;
  const body = `<p>The application <strong>${escapeHtml(request.clientId)}</strong> asks for: ${escapeHtml(request.scope)}</p>
<form method="post" action="${escapeHtml(action)}">
${hidden}
${userSelect(usernames)}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`;
  sendHtml(ctx.res, 200, 'skydrive-emulator sign-in', body);
}

function redirect(
  ctx: RequestContext,
  redirectUri: string,
  fields: Record<string, string | undefined>,
): void {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) {
      url.searchParams.set(key, value);
    }
  }
  // A form POST redirected with 302 becomes a GET in browsers, which is what the redirect URI expects.
  sendEmpty(ctx.res, 302, { Location: url.toString(), 'Cache-Control': 'no-store' });
}
