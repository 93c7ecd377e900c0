import type { Logger } from 'pino';
import { EmulatorError } from './errors.js';

/** Options of `startEmulator`. Every field is optional. */
export interface EmulatorOptions {
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port of the API listener; 0 picks a free port. @default 0 */
  port?: number;
  /** Folder for the SQLite database and blobs; omit for an in-memory store. */
  location?: string;
  /** Accounts, each with a personal drive. @default [{ username: 'demo', password: 'demo' }] */
  users?: Array<{ username: string; password: string }>;
  /** Quota of each drive, in bytes. @default 5 GiB */
  quotaBytes?: number;
  /** Lifetime of issued access tokens, in seconds. @default 3600 */
  accessTokenLifetimeSeconds?: number;
  /** Lifetime of pre-authenticated download URLs, in seconds. @default 300 */
  downloadUrlLifetimeSeconds?: number;
  /** Reject with 401 a request to a pre-authenticated URL that carries Authorization. @default false */
  strictDownloadAuth?: boolean;
  /** pino logger, or false for silence. @default false */
  logger?: Logger | false;
}

/** A started emulator. */
export interface RunningEmulator {
  /** Origin of the API listener, e.g. `http://127.0.0.1:PORT`; identity endpoints live here. */
  url: string;
  /** `${url}/v1.0`. */
  graphUrl: string;
  /** Origin of pre-authenticated download and copy-monitor URLs (a second port). */
  contentUrl: string;
  /** Stops both listeners and closes the store; in-memory data is removed. */
  close(): Promise<void>;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  location: string | undefined;
  users: Array<{ username: string; password: string }>;
  quotaBytes: number;
  accessTokenLifetimeSeconds: number;
  downloadUrlLifetimeSeconds: number;
  strictDownloadAuth: boolean;
}

const GIB = 1024 ** 3;

const DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  location: undefined,
  users: [{ username: 'demo', password: 'demo' }],
  quotaBytes: 5 * GIB,
  accessTokenLifetimeSeconds: 3600,
  downloadUrlLifetimeSeconds: 300,
  strictDownloadAuth: false,
});

/** Merges user options over the defaults and checks each value once. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? DEFAULTS.host,
    port: options.port ?? DEFAULTS.port,
    location: options.location,
    users: options.users ?? DEFAULTS.users,
    quotaBytes: options.quotaBytes ?? DEFAULTS.quotaBytes,
    accessTokenLifetimeSeconds:
      options.accessTokenLifetimeSeconds ?? DEFAULTS.accessTokenLifetimeSeconds,
    downloadUrlLifetimeSeconds:
      options.downloadUrlLifetimeSeconds ?? DEFAULTS.downloadUrlLifetimeSeconds,
    strictDownloadAuth: options.strictDownloadAuth ?? DEFAULTS.strictDownloadAuth,
  };

  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw invalidOption('port', resolved.port, 'an integer from 0 to 65535');
  }
  if (!Number.isSafeInteger(resolved.quotaBytes) || resolved.quotaBytes <= 0) {
    throw invalidOption('quotaBytes', resolved.quotaBytes, 'a positive integer of bytes');
  }
  for (const key of ['accessTokenLifetimeSeconds', 'downloadUrlLifetimeSeconds'] as const) {
    if (!(resolved[key] > 0) || !Number.isFinite(resolved[key])) {
      throw invalidOption(key, resolved[key], 'a positive number of seconds');
    }
  }
  if (resolved.users.length === 0) {
    throw invalidOption('users', '[]', 'at least one user');
  }
  const seen = new Set<string>();
  for (const user of resolved.users) {
    if (!user.username || user.username.includes(':')) {
      throw invalidOption('users[].username', user.username, 'a non-empty name without ":"');
    }
    if (seen.has(user.username)) {
      throw invalidOption('users[].username', user.username, 'unique');
    }
    seen.add(user.username);
  }
  return resolved;
}

function invalidOption(name: string, value: unknown, rule: string): EmulatorError {
  return new EmulatorError(
    'EMULATOR_INVALID_OPTION',
    `option ${name} is ${JSON.stringify(value)}; it must be ${rule}`,
  );
}
