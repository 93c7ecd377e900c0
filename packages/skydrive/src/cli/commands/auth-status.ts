import {
  loadToken,
  type SavedToken,
  SkydriveError,
  StoredTokenProvider,
  tokenFilePath,
} from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { ExitCode, toCliError } from '../exit-codes.js';
import { transportFor } from './auth-profile.js';

/**
 * `auth status`: who is signed in, where, until when, with which scopes.
 * Reads only the token file: it sends no request, so it works offline.
 */
export async function runStatus(context: CommandContext): Promise<void> {
  let token: SavedToken | undefined;
  try {
    token = await loadToken(context.profile);
  } catch (error) {
    throw toCliError(error);
  }
  const file = tokenFilePath(context.profile);
  const fromEnv = (context.deps.env.SKYDRIVE_TOKEN ?? '') !== '';
  if (token === undefined) {
    if (fromEnv) {
      context.note(
        `profile ${context.profile} has no saved token; commands use the token in SKYDRIVE_TOKEN`,
      );
      return;
    }
    throw new CliError(
      `not signed in: profile ${context.profile} has no saved token; run: skydrive auth login`,
      ExitCode.notSignedIn,
    );
  }

  const now = context.deps.now().getTime();
  const expiresAtMs = token.expiresAt === undefined ? Number.NaN : Date.parse(token.expiresAt);
  const expired = !Number.isNaN(expiresAtMs) && expiresAtMs <= now;
  if (context.json) {
    context.printJson({
      profile: context.profile,
      account: token.account ?? null,
      endpoint: token.endpoint ?? null,
      authEndpoint: token.authEndpoint ?? null,
      tenant: token.tenant ?? null,
      clientId: token.clientId ?? null,
      expiresAt: token.expiresAt ?? null,
      expired,
      refreshToken: token.refreshToken !== undefined,
      scope: token.scope ?? null,
      file,
      overriddenBySkydriveToken: fromEnv,
    });
    return;
  }

  const rows: Array<[string, string]> = [
    ['profile', context.profile],
    ['account', token.account ?? 'unknown'],
    ['endpoint', token.endpoint ?? 'not saved (Microsoft Graph unless configured)'],
    [
      'auth endpoint',
      token.authEndpoint === undefined
        ? 'not saved'
        : `${token.authEndpoint} (tenant ${token.tenant ?? 'common'})`,
    ],
    ['client id', token.clientId ?? 'not saved'],
    ['access token', describeExpiry(token.expiresAt, expiresAtMs, now)],
    [
      'refresh token',
      token.refreshToken === undefined
        ? 'none; sign in again when the access token expires'
        : 'saved',
    ],
    ['scopes', token.scope ?? 'unknown'],
    ['token file', file],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  for (const [label, value] of rows) {
    context.print(`${`${label}:`.padEnd(width)}${value}`);
  }
  if (fromEnv) {
    context.warn('SKYDRIVE_TOKEN is set, so commands use it instead of this saved token');
  }
}

function describeExpiry(expiresAt: string | undefined, expiresAtMs: number, now: number): string {
  if (expiresAt === undefined || Number.isNaN(expiresAtMs)) {
    return 'expiry unknown';
  }
  const shown = `${expiresAt.slice(0, 19)}Z`;
  if (expiresAtMs <= now) {
    return `expired at ${shown}`;
  }
  const minutes = Math.floor((expiresAtMs - now) / 60_000);
  return `expires ${shown} (in ${minutes} min)`;
}

/** `auth refresh`: redeem the refresh token now, under the profile's lock, and save the new tokens. */
export async function runRefresh(context: CommandContext): Promise<void> {
  let token: SavedToken;
  try {
    const provider = await StoredTokenProvider.open({
      profile: context.profile,
      transport: transportFor(context),
    });
    if (provider.token.refreshToken === undefined) {
      throw new CliError(
        `profile ${context.profile} has no refresh token; sign in again: skydrive auth login`,
        ExitCode.notSignedIn,
      );
    }
    token = await provider.refreshNow();
  } catch (error) {
    if (error instanceof CliError) {
      throw error;
    }
    if (error instanceof SkydriveError && error.code === 'SIGN_IN_FAILED') {
      throw new CliError(`${error.message}; try again later`);
    }
    throw toCliError(error);
  }
  if (context.json) {
    context.printJson({
      profile: context.profile,
      expiresAt: token.expiresAt ?? null,
      scope: token.scope ?? null,
    });
    return;
  }
  const expiry = token.expiresAt === undefined ? '' : `; expires ${token.expiresAt.slice(0, 19)}Z`;
  context.note(`refreshed the token of profile ${context.profile}${expiry}`);
}
