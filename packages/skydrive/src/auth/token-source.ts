import { SkydriveError } from '../errors.js';
import { loadToken, tokenFilePath } from './token-store.js';

/** Returns the access token for the next request. */
export type TokenSource = () => Promise<string>;

export interface TokenSourceOptions {
  accessToken?: string | (() => Promise<string>);
  profile: string;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** A token this close to expiry is treated as expired, in ms. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Pick the token source: the option, else SKYDRIVE_TOKEN, else the profile's
 * saved token. Throws 'NOT_SIGNED_IN' when none exists or the saved one has
 * expired (refresh arrives with the sign-in flows).
 */
export async function resolveTokenSource(options: TokenSourceOptions): Promise<TokenSource> {
  const { accessToken, profile } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;

  if (typeof accessToken === 'function') {
    return accessToken;
  }
  if (typeof accessToken === 'string') {
    return fixed(accessToken, 'the accessToken option');
  }
  const fromEnv = env.SKYDRIVE_TOKEN;
  if (fromEnv !== undefined && fromEnv !== '') {
    return fixed(fromEnv, 'SKYDRIVE_TOKEN');
  }

  const saved = await loadToken(profile);
  if (saved === undefined) {
    throw new SkydriveError(
      'NOT_SIGNED_IN',
      `not signed in: profile "${profile}" has no saved token (${tokenFilePath(profile)}) and SKYDRIVE_TOKEN is not set; sign in or set SKYDRIVE_TOKEN`,
    );
  }
  const expiresAtMs = saved.expiresAt === undefined ? undefined : Date.parse(saved.expiresAt);
  const check = async (): Promise<string> => {
    if (
      expiresAtMs !== undefined &&
      !Number.isNaN(expiresAtMs) &&
      expiresAtMs - EXPIRY_MARGIN_MS <= now()
    ) {
      throw new SkydriveError(
        'NOT_SIGNED_IN',
        `the saved token of profile "${profile}" expired at ${saved.expiresAt}; sign in again`,
      );
    }
    return saved.accessToken;
  };
  await check();
  return check;
}

function fixed(token: string, from: string): TokenSource {
  if (token.trim() === '') {
    throw new SkydriveError('NOT_SIGNED_IN', `the access token from ${from} is empty`);
  }
  return async () => token;
}
