import { debuglog } from 'node:util';
import * as oidc from 'openid-client';
import { SkydriveError } from '../errors.js';
import {
  createOAuthConfig,
  type OAuthTransport,
  SignInError,
  toSignInError,
} from './oauth-client.js';
import { resolveAuthSettings } from './settings.js';
import { withTokenLock } from './token-lock.js';
import type { GetAccessTokenOptions, TokenProvider } from './token-provider.js';
import { loadToken, type SavedToken, saveToken, tokenFilePath } from './token-store.js';
import { isFresh, refreshSettingsOf, savedTokenFrom } from './tokens.js';

const log = debuglog('skydrive');

export interface StoredTokenProviderOptions {
  profile: string;
  transport?: OAuthTransport;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/**
 * Tokens from the profile's token store, refreshed shortly before they expire
 * and when the service rejects one. A refresh holds the profile's
 * cross-process lock from reading the store to writing the rotated tokens.
 */
export class StoredTokenProvider implements TokenProvider {
  readonly profile: string;
  private current: SavedToken;
  private refreshing: Promise<SavedToken> | undefined;
  private readonly transport: OAuthTransport;
  private readonly now: () => number;

  private constructor(profile: string, token: SavedToken, options: StoredTokenProviderOptions) {
    this.profile = profile;
    this.current = token;
    this.transport = options.transport ?? {};
    this.now = options.now ?? Date.now;
  }

  /**
   * Load the profile's token. Throws NOT_SIGNED_IN when none is saved, or when
   * it has expired and cannot be refreshed.
   */
  static async open(options: StoredTokenProviderOptions): Promise<StoredTokenProvider> {
    const { profile } = options;
    const saved = await loadToken(profile);
    if (saved === undefined) {
      throw new SkydriveError(
        'NOT_SIGNED_IN',
        `not signed in: profile "${profile}" has no saved token (${tokenFilePath(profile)}) and SKYDRIVE_TOKEN is not set; sign in or set SKYDRIVE_TOKEN`,
      );
    }
    const provider = new StoredTokenProvider(profile, saved, options);
    if (!isFresh(saved, provider.now()) && refreshSettingsOf(saved) === undefined) {
      throw expiredError(profile, saved);
    }
    return provider;
  }

  /** The token as last read or written by this provider. */
  get token(): Readonly<SavedToken> {
    return this.current;
  }

  async getAccessToken(options: GetAccessTokenOptions = {}): Promise<string> {
    if (options.forceRefresh !== true && isFresh(this.current, this.now())) {
      return this.current.accessToken;
    }
    return (await this.refresh(this.current.accessToken, false)).accessToken;
  }

  /** Refresh now, even when the access token is still fresh; for `auth refresh`. */
  async refreshNow(): Promise<SavedToken> {
    return this.refresh(this.current.accessToken, true);
  }

  /** Run one refresh at a time in this process; concurrent callers share its result. */
  private refresh(rejected: string, always: boolean): Promise<SavedToken> {
    if (this.refreshing === undefined) {
      this.refreshing = this.refreshLocked(rejected, always).finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async refreshLocked(rejected: string, always: boolean): Promise<SavedToken> {
    return withTokenLock(this.profile, async () => {
      // Re-read under the lock: another process may have refreshed, and the
      // refresh token we hold may already be rotated out.
      const stored = await loadToken(this.profile);
      if (stored === undefined) {
        throw new SkydriveError(
          'NOT_SIGNED_IN',
          `profile "${this.profile}" was signed out while this command ran`,
        );
      }
      if (!always && stored.accessToken !== rejected && isFresh(stored, this.now())) {
        log('token of profile %s was refreshed by another process', this.profile);
        this.current = stored;
        return stored;
      }

      const next = await refreshToken(this.profile, stored, this.transport, this.now);
      await saveToken(this.profile, next);
      this.current = next;
      log('token of profile %s refreshed; expires %s', this.profile, next.expiresAt ?? 'unknown');
      return next;
    });
  }
}

/**
 * Redeem the saved refresh token at the token endpoint it was issued by.
 * `invalid_grant` (revoked, expired or already rotated out) is final: it
 * throws NOT_SIGNED_IN and leaves the store as it is.
 */
export async function refreshToken(
  profile: string,
  stored: SavedToken,
  transport: OAuthTransport,
  now: () => number,
): Promise<SavedToken> {
  const partial = refreshSettingsOf(stored);
  if (partial === undefined || stored.refreshToken === undefined) {
    throw expiredError(profile, stored);
  }
  const settings = resolveAuthSettings(partial);
  const config = createOAuthConfig(settings, transport);

  let response: oidc.TokenEndpointResponse;
  try {
    // No scope parameter: the platform then grants the scopes of the original sign-in.
    response = await oidc.refreshTokenGrant(config, stored.refreshToken);
  } catch (error) {
    const failure = toSignInError(error, `token refresh for profile "${profile}"`);
    if (failure instanceof SignInError && failure.oauthError === 'invalid_grant') {
      throw new SignInError(
        'NOT_SIGNED_IN',
        `the identity platform rejected the saved refresh token of profile "${profile}" as revoked, expired or already used (invalid_grant${aadsts(failure.errorCodes)})`,
        {
          oauthError: failure.oauthError,
          errorCodes: failure.errorCodes,
          traceId: failure.traceId,
          correlationId: failure.correlationId,
          cause: failure,
        },
      );
    }
    throw failure;
  }
  return savedTokenFrom(response, settings, now(), stored);
}

function expiredError(profile: string, token: SavedToken): SkydriveError {
  const reason =
    token.refreshToken === undefined
      ? 'no refresh token is saved'
      : 'no client id is saved to refresh it with';
  return new SkydriveError(
    'NOT_SIGNED_IN',
    `the saved token of profile "${profile}" expired at ${token.expiresAt ?? 'an unknown time'} and ${reason}; sign in again`,
  );
}

function aadsts(codes: number[]): string {
  return codes.length === 0 ? '' : `, ${codes.map((code) => `AADSTS${code}`).join(', ')}`;
}
