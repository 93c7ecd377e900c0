import type { Logger } from 'pino';
import { EmulatorError } from './errors.js';

/** Options of `startEmulator`. Every field is optional. */
export interface EmulatorOptions {
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Port of the API listener; 0 picks a free port. @default 0 */
  port?: number;
  /**
   * Port of the content listener (download, monitor and upload URLs); 0 picks a free port.
   * A fixed port keeps upload URLs valid across restarts of a persistent emulator. @default 0
   */
  contentPort?: number;
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
  /** Lifetime of an upload session since its last accepted fragment, in seconds. @default 3600 */
  uploadSessionLifetimeSeconds?: number;
  /**
   * Reject with 401 a fragment PUT that carries Authorization, and with 400 a
   * non-final fragment that is not a multiple of 320 KiB or any fragment of 60 MiB or more.
   * @default false
   */
  strictUploadAuth?: boolean;
  /** Serve the control API under `/_emulator/` (fault injection, device approval, revocation). @default true */
  controlEnabled?: boolean;
  /** How long a rotated-out refresh token still works, in seconds. @default 0 */
  refreshGraceSeconds?: number;
  /** Lifetime of a device code, in seconds. @default 900 */
  deviceCodeLifetimeSeconds?: number;
  /** Polling interval announced with a device code, in seconds; 0 disables `slow_down`. @default 5 */
  deviceCodeIntervalSeconds?: number;
  /** Serve both listeners over TLS: `true` generates a self-signed certificate for 127.0.0.1 and localhost. @default false */
  https?: boolean | { cert: string; key: string };
  /** Age in seconds after which a delta token gets 410 resyncRequired. Omit it and tokens never expire. */
  deltaTokenLifetimeSeconds?: number;
  /**
   * Also act as an HTTPS proxy on the API port. `CONNECT graph.microsoft.com:443`,
   * `login.microsoftonline.com:443` and `login.live.com:443` are served by the emulator
   * with a certificate from a CA generated at start (`proxyCaCertificate`).
   * Any other target gets 403 and is never contacted. @default false
   */
  connectProxy?: boolean;
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
  /** PEM certificate the listeners present when `https` is on; undefined over plain HTTP. */
  certificate: string | undefined;
  /** `HTTPS_PROXY` value for clients (the API origin) when `connectProxy` is on, otherwise undefined. */
  proxyUrl: string | undefined;
  /** PEM of the CA that signs the proxy's certificates when `connectProxy` is on, otherwise undefined. */
  proxyCaCertificate: string | undefined;
  /** Stops both listeners and closes the store; in-memory data is removed. */
  close(): Promise<void>;
}

export interface ResolvedOptions {
  host: string;
  port: number;
  contentPort: number;
  location: string | undefined;
  users: Array<{ username: string; password: string }>;
  quotaBytes: number;
  accessTokenLifetimeSeconds: number;
  downloadUrlLifetimeSeconds: number;
  strictDownloadAuth: boolean;
  uploadSessionLifetimeSeconds: number;
  strictUploadAuth: boolean;
  controlEnabled: boolean;
  refreshGraceSeconds: number;
  deviceCodeLifetimeSeconds: number;
  deviceCodeIntervalSeconds: number;
  https: false | true | { cert: string; key: string };
  deltaTokenLifetimeSeconds?: number;
  connectProxy: boolean;
}

const GIB = 1024 ** 3;

const DEFAULTS: Readonly<ResolvedOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  contentPort: 0,
  location: undefined,
  users: [{ username: 'demo', password: 'demo' }],
  quotaBytes: 5 * GIB,
  accessTokenLifetimeSeconds: 3600,
  downloadUrlLifetimeSeconds: 300,
  strictDownloadAuth: false,
  uploadSessionLifetimeSeconds: 3600,
  strictUploadAuth: false,
  controlEnabled: true,
  refreshGraceSeconds: 0,
  deviceCodeLifetimeSeconds: 900,
  deviceCodeIntervalSeconds: 5,
  https: false,
  connectProxy: false,
});

/** Merges user options over the defaults and checks each value once. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? DEFAULTS.host,
    port: options.port ?? DEFAULTS.port,
    contentPort: options.contentPort ?? DEFAULTS.contentPort,
    location: options.location,
    users: options.users ?? DEFAULTS.users,
    quotaBytes: options.quotaBytes ?? DEFAULTS.quotaBytes,
    accessTokenLifetimeSeconds:
      options.accessTokenLifetimeSeconds ?? DEFAULTS.accessTokenLifetimeSeconds,
    downloadUrlLifetimeSeconds:
      options.downloadUrlLifetimeSeconds ?? DEFAULTS.downloadUrlLifetimeSeconds,
    strictDownloadAuth: options.strictDownloadAuth ?? DEFAULTS.strictDownloadAuth,
    uploadSessionLifetimeSeconds:
      options.uploadSessionLifetimeSeconds ?? DEFAULTS.uploadSessionLifetimeSeconds,
    strictUploadAuth: options.strictUploadAuth ?? DEFAULTS.strictUploadAuth,
    controlEnabled: options.controlEnabled ?? DEFAULTS.controlEnabled,
    refreshGraceSeconds: options.refreshGraceSeconds ?? DEFAULTS.refreshGraceSeconds,
    deviceCodeLifetimeSeconds:
      options.deviceCodeLifetimeSeconds ?? DEFAULTS.deviceCodeLifetimeSeconds,
    deviceCodeIntervalSeconds:
      options.deviceCodeIntervalSeconds ?? DEFAULTS.deviceCodeIntervalSeconds,
    https: options.https ?? DEFAULTS.https,
    connectProxy: options.connectProxy ?? DEFAULTS.connectProxy,
  };

  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65535) {
    throw invalidOption('port', resolved.port, 'an integer from 0 to 65535');
  }
  if (
    !Number.isInteger(resolved.contentPort) ||
    resolved.contentPort < 0 ||
    resolved.contentPort > 65535
  ) {
    throw invalidOption('contentPort', resolved.contentPort, 'an integer from 0 to 65535');
  }
  if (!Number.isSafeInteger(resolved.quotaBytes) || resolved.quotaBytes <= 0) {
    throw invalidOption('quotaBytes', resolved.quotaBytes, 'a positive integer of bytes');
  }
  for (const key of [
    'accessTokenLifetimeSeconds',
    'downloadUrlLifetimeSeconds',
    'uploadSessionLifetimeSeconds',
    'deviceCodeLifetimeSeconds',
  ] as const) {
    if (!(resolved[key] > 0) || !Number.isFinite(resolved[key])) {
      throw invalidOption(key, resolved[key], 'a positive number of seconds');
    }
  }
  if (options.deltaTokenLifetimeSeconds !== undefined) {
    const lifetime = options.deltaTokenLifetimeSeconds;
    if (!(lifetime > 0) || !Number.isFinite(lifetime)) {
      throw invalidOption('deltaTokenLifetimeSeconds', lifetime, 'a positive number of seconds');
    }
    resolved.deltaTokenLifetimeSeconds = lifetime;
  }
  for (const key of ['refreshGraceSeconds', 'deviceCodeIntervalSeconds'] as const) {
    if (!(resolved[key] >= 0) || !Number.isFinite(resolved[key])) {
      throw invalidOption(key, resolved[key], 'zero or a positive number of seconds');
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
