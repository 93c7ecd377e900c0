import type { TokenEndpointResponse } from 'openid-client';
import { SkydriveError } from '../errors.js';
import type { AuthSettings } from './settings.js';
import type { SavedToken } from './token-store.js';

/** Largest margin before expiry at which an access token is refreshed, in ms. */
const MAX_EXPIRY_MARGIN_MS = 60_000;

/**
 * Build the saved token from a token endpoint response. `previous` carries the
 * account and endpoint over a refresh, and its refresh token when the response
 * has none (the platform rotates it on every use, but RFC 6749 allows keeping it).
 */
export function savedTokenFrom(
  response: TokenEndpointResponse,
  settings: AuthSettings,
  nowMs: number,
  previous?: SavedToken,
): SavedToken {
  if (typeof response.access_token !== 'string' || response.access_token === '') {
    throw new SkydriveError('PROTOCOL_ERROR', 'the token response has no access_token');
  }
  const token: SavedToken = { ...previous, accessToken: response.access_token };
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  if (refreshToken === undefined) {
    delete token.refreshToken;
  } else {
    token.refreshToken = refreshToken;
  }
  token.obtainedAt = new Date(nowMs).toISOString();
  if (typeof response.expires_in === 'number' && Number.isFinite(response.expires_in)) {
    token.expiresAt = new Date(nowMs + response.expires_in * 1000).toISOString();
  } else {
    delete token.expiresAt;
  }
  token.scope = response.scope ?? previous?.scope ?? settings.scopes;
  token.authEndpoint = settings.authEndpoint;
  token.tenant = settings.tenant;
  token.clientId = settings.clientId;
  return token;
}

/**
 * True when the access token can still be used: not expired and not within
 * the refresh margin, which is a minute or half the token's lifetime, whichever
 * is shorter. A token without a known expiry counts as usable; a 401 then refreshes it.
 */
export function isFresh(token: SavedToken, nowMs: number): boolean {
  const expiresAtMs = token.expiresAt === undefined ? Number.NaN : Date.parse(token.expiresAt);
  if (Number.isNaN(expiresAtMs)) {
    return true;
  }
  const obtainedAtMs = token.obtainedAt === undefined ? Number.NaN : Date.parse(token.obtainedAt);
  const lifetimeMs = expiresAtMs - obtainedAtMs;
  const margin =
    Number.isNaN(lifetimeMs) || lifetimeMs <= 0
      ? MAX_EXPIRY_MARGIN_MS
      : Math.min(MAX_EXPIRY_MARGIN_MS, lifetimeMs / 2);
  return expiresAtMs - margin > nowMs;
}

/** Return the settings a saved token can be refreshed with, or undefined when it cannot be. */
export function refreshSettingsOf(token: SavedToken): Partial<AuthSettings> | undefined {
  if (token.refreshToken === undefined || token.clientId === undefined) {
    return undefined;
  }
  return {
    clientId: token.clientId,
    ...(token.authEndpoint === undefined ? {} : { authEndpoint: token.authEndpoint }),
    ...(token.tenant === undefined ? {} : { tenant: token.tenant }),
  };
}
