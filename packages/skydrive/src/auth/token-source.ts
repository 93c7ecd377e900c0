import type { OAuthTransport } from './oauth-client.js';
import { StoredTokenProvider } from './stored-provider.js';
import {
  functionTokenProvider,
  isTokenProvider,
  staticTokenProvider,
  type TokenProvider,
} from './token-provider.js';

/** Returns the access token for the next request. */
export type TokenSource = () => Promise<string>;

export interface TokenSourceOptions {
  accessToken?: string | (() => Promise<string>) | TokenProvider;
  profile: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** Transport of refreshes of the saved token to the identity platform. */
  transport?: OAuthTransport;
}

/**
 * Pick the token provider: the option, else SKYDRIVE_TOKEN, else the
 * profile's saved token (refreshed when it has a refresh token). Throws
 * 'NOT_SIGNED_IN' when none exists, or the saved one has expired and cannot be refreshed.
 */
export async function resolveTokenProvider(options: TokenSourceOptions): Promise<TokenProvider> {
  const { accessToken, profile } = options;
  const env = options.env ?? process.env;

  if (isTokenProvider(accessToken)) {
    return accessToken;
  }
  if (typeof accessToken === 'function') {
    return functionTokenProvider(accessToken);
  }
  if (typeof accessToken === 'string') {
    return staticTokenProvider(accessToken, 'the accessToken option');
  }
  const fromEnv = env.SKYDRIVE_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    return staticTokenProvider(fromEnv, 'SKYDRIVE_TOKEN');
  }
  return StoredTokenProvider.open({
    profile,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });
}

/** The provider as a plain function, for callers that never force a refresh. */
export async function resolveTokenSource(options: TokenSourceOptions): Promise<TokenSource> {
  const provider = await resolveTokenProvider(options);
  return () => provider.getAccessToken();
}
