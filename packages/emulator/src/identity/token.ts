import type { RequestContext } from '../context.js';
import { headerValue, sendJson } from '../http.js';
import { hashSecret, newSecret } from '../ids.js';
import {
  IdentityError,
  identityErrorBody,
  invalidCredentials,
  invalidRefreshToken,
  invalidRequestParameter,
  unsupportedGrantType,
} from './errors.js';
import { DEVICE_CODE_GRANT, redeemAuthorizationCode, redeemDeviceCode } from './flow-grants.js';
import { readPostedForm } from './form.js';

/** Refresh tokens live 90 days, like the identity platform's. */
const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 60 * 60 * 1000;
const DEFAULT_SCOPE = 'Files.ReadWrite.All User.Read offline_access';

/**
 * `POST /{tenant}/oauth2/v2.0/token` with `grant_type` `password`,
 * `refresh_token`, `authorization_code` or the device code grant. Tokens are
 * opaque random strings, stored hashed. Any tenant and any client_id are
 * accepted. A refresh token is rotated on use: it keeps working for
 * `refreshGraceSeconds` more, then fails with `invalid_grant`.
 */
export async function handleToken(ctx: RequestContext): Promise<void> {
  try {
    const form = await readPostedForm(ctx, 'token');
    adoptBasicClientId(ctx, form);
    const grant = authenticateGrant(ctx, form);
    sendJson(ctx.res, 200, issueTokens(ctx, grant.username, grant.scope), {
      'Cache-Control': 'no-store',
    });
  } catch (error) {
    if (!(error instanceof IdentityError)) {
      throw error;
    }
    ctx.log.info({ err: error.error, aadsts: error.aadstsCode }, 'token request rejected');
    sendJson(ctx.res, error.status, identityErrorBody(error, ctx.requestId), {
      'Cache-Control': 'no-store',
    });
  }
}

/**
 * Takes `client_id` from an `Authorization: Basic` header when the body has none.
 * RFC 6749 section 2.3.1 lets a client send its credentials that way, form-encoded and
 * then base64-encoded, and the identity platform accepts it (`client_secret_basic`).
 * Go's oauth2 package, used by rclone, tries this form first. The secret is not checked.
 */
function adoptBasicClientId(ctx: RequestContext, form: URLSearchParams): void {
  if (form.get('client_id')) {
    return;
  }
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headerValue(ctx.req, 'authorization') ?? '');
  if (!match?.[1]) {
    return;
  }
  const credentials = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  const encodedId = colon === -1 ? credentials : credentials.slice(0, colon);
  const clientId = new URLSearchParams(`client_id=${encodedId}`).get('client_id');
  if (clientId) {
    form.set('client_id', clientId);
  }
}

/**
 * Checks the grant and returns the user it signs in with the granted scope.
 * A refresh without `scope` keeps the scope of the refresh token.
 */
function authenticateGrant(
  ctx: RequestContext,
  form: URLSearchParams,
): { username: string; scope: string } {
  const grantType = form.get('grant_type');
  if (!grantType) {
    throw invalidRequestParameter('grant_type');
  }
  if (!form.get('client_id')) {
    throw invalidRequestParameter('client_id');
  }
  const { store } = ctx.emulator;

  if (grantType === 'password') {
    const username = form.get('username');
    const password = form.get('password');
    if (!username) {
      throw invalidRequestParameter('username');
    }
    if (password === null) {
      throw invalidRequestParameter('password');
    }
    const user = store.getUser(username);
    if (!user || user.password !== password) {
      throw invalidCredentials();
    }
    return { username: user.username, scope: form.get('scope') ?? DEFAULT_SCOPE };
  }

  if (grantType === 'refresh_token') {
    const refreshToken = form.get('refresh_token');
    if (!refreshToken) {
      throw invalidRequestParameter('refresh_token');
    }
    const record = store.getToken(hashSecret(refreshToken));
    if (record?.kind !== 'refresh' || !store.getUser(record.username)) {
      throw invalidRefreshToken('unknown');
    }
    const now = Date.now();
    if (record.expiresAt <= now) {
      throw invalidRefreshToken('expired');
    }
    store.putToken({
      ...record,
      expiresAt: Math.min(record.expiresAt, now + ctx.emulator.options.refreshGraceSeconds * 1000),
    });
    return { username: record.username, scope: form.get('scope') ?? record.scope };
  }

  if (grantType === 'authorization_code') {
    return redeemAuthorizationCode(ctx, form);
  }
  if (grantType === DEVICE_CODE_GRANT) {
    return redeemDeviceCode(ctx, form);
  }

  throw unsupportedGrantType(grantType);
}

function issueTokens(ctx: RequestContext, username: string, scope: string) {
  const { store, options } = ctx.emulator;
  const now = Date.now();
  const accessToken = newSecret();
  // The identity platform returns a refresh token only when offline_access is granted.
  const refreshToken = hasOfflineAccess(scope) ? newSecret() : undefined;
  store.transaction(() => {
    store.deleteExpiredTokens(now);
    store.putToken({
      tokenHash: hashSecret(accessToken),
      kind: 'access',
      username,
      scope,
      expiresAt: now + options.accessTokenLifetimeSeconds * 1000,
    });
    if (refreshToken !== undefined) {
      store.putToken({
        tokenHash: hashSecret(refreshToken),
        kind: 'refresh',
        username,
        scope,
        expiresAt: now + REFRESH_TOKEN_LIFETIME_MS,
      });
    }
  });
  ctx.log.info({ username }, 'tokens issued');
  return {
    token_type: 'Bearer',
    scope,
    expires_in: Math.round(options.accessTokenLifetimeSeconds),
    ext_expires_in: Math.round(options.accessTokenLifetimeSeconds),
    access_token: accessToken,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  };
}

function hasOfflineAccess(scope: string): boolean {
  return scope.split(/\s+/).some((entry) => entry.toLowerCase() === 'offline_access');
}
