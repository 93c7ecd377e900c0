import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { SkydriveError } from '../errors.js';

/** A token saved for a profile. Times are ISO 8601 strings. */
export interface SavedToken {
  accessToken: string;
  refreshToken?: string;
  /** When the access token stops working. */
  expiresAt?: string;
  scope?: string;
  /** Graph base URL the token was issued for. */
  endpoint?: string;
  /** Identity platform base URL, tenant and application the refresh token belongs to. */
  authEndpoint?: string;
  tenant?: string;
  clientId?: string;
  /** Sign-in name of the account, read from Graph `/me` at sign-in. */
  account?: string;
  /** When the access token was issued; with `expiresAt` it gives the token's lifetime. */
  obtainedAt?: string;
}

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function stateHome(): string {
  const fromEnv = process.env.XDG_STATE_HOME;
  // The XDG spec says relative values are invalid and must be ignored.
  if (fromEnv !== undefined && path.isAbsolute(fromEnv)) {
    return fromEnv;
  }
  return path.join(homedir(), '.local', 'state');
}

/** `$XDG_STATE_HOME/skydrive/tokens/<profile>.json` (default `~/.local/state/…`). */
export function tokenFilePath(profile: string): string {
  if (!PROFILE_NAME.test(profile)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `invalid profile name ${JSON.stringify(profile)}: use letters, digits, ".", "_" or "-" (at most 64)`,
    );
  }
  return path.join(stateHome(), 'skydrive', 'tokens', `${profile}.json`);
}

/** Load the profile's saved token. Returns undefined when none is saved. */
export async function loadToken(profile: string): Promise<SavedToken | undefined> {
  const file = tokenFilePath(profile);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SkydriveError(
      'NOT_SIGNED_IN',
      `token file ${file} is not valid JSON; sign in again to replace it`,
      { cause: error },
    );
  }
  if (!isSavedToken(parsed)) {
    throw new SkydriveError(
      'NOT_SIGNED_IN',
      `token file ${file} has no accessToken; sign in again to replace it`,
    );
  }
  return parsed;
}

function isSavedToken(value: unknown): value is SavedToken {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { accessToken?: unknown }).accessToken === 'string'
  );
}

/** Save a token atomically: folder mode 0700, file mode 0600. */
export async function saveToken(profile: string, token: SavedToken): Promise<void> {
  const file = tokenFilePath(profile);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(token, null, 2)}\n`, { mode: 0o600 });
}

/** Remove the profile's saved token. Returns false, without an error, when there was none. */
export async function deleteToken(profile: string): Promise<boolean> {
  const file = tokenFilePath(profile);
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}
