import { SkydriveError } from '../errors.js';

export interface GetAccessTokenOptions {
  /**
   * The service rejected the token last returned (HTTP 401): return a newer
   * one. A provider that has none returns the same token, and the request fails.
   */
  forceRefresh?: boolean;
}

/**
 * Supplies access tokens to a Drive. Implement it to bring tokens from
 * elsewhere, e.g. from msal-node's `acquireTokenSilent`. The drive calls it
 * before every request, so an implementation should cache its token.
 */
export interface TokenProvider {
  getAccessToken(options?: GetAccessTokenOptions): Promise<string>;
}

/** Create a provider for one fixed token, e.g. from SKYDRIVE_TOKEN; it cannot refresh. */
export function staticTokenProvider(token: string, source: string): TokenProvider {
  if (token.trim() === '') {
    throw new SkydriveError('NOT_SIGNED_IN', `the access token from ${source} is empty`);
  }
  return { getAccessToken: async () => token };
}

/** Create a provider around a function called before each request; forceRefresh calls it once more. */
export function functionTokenProvider(get: () => Promise<string>): TokenProvider {
  return { getAccessToken: () => get() };
}

/** True when the value has a `getAccessToken` method. */
export function isTokenProvider(value: unknown): value is TokenProvider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getAccessToken?: unknown }).getAccessToken === 'function'
  );
}
