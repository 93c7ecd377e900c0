import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EmulatorOptions } from './options.js';

export const USAGE = `Usage: skydrive-emulator [options]

A local OneDrive-compatible server (Microsoft Graph v1.0 drive API) for tests and development.

Options:
  --host HOST                    interface to bind (default 127.0.0.1)
  --port PORT                    API port; 0 picks a free port (default 0)
  --content-port PORT            port of download and upload URLs; fix it to keep upload URLs valid
                                 across restarts with --location (default 0, a free port)
  --location DIR                 keep the database and file bytes in DIR (persistent)
  --in-memory                    keep everything in memory and a temporary folder (default)
  --user NAME:PASSWORD           add an account with a personal drive; repeatable (default demo:demo)
  --quota BYTES                  quota of each drive in bytes (default 5368709120, 5 GiB)
  --access-token-lifetime SECS   lifetime of issued access tokens in seconds (default 3600)
  --delta-token-lifetime SECS    age after which a delta token answers 410 (default: never)
  --strict-download-auth         reject pre-authenticated URLs requested with Authorization (401)
  --upload-session-lifetime SECS lifetime of an upload session after its last fragment (default 3600)
  --strict-upload-auth           reject upload fragments sent with Authorization (401), fragments of
                                 60 MiB or more, and non-final ones not a multiple of 320 KiB (400)
  --refresh-grace SECS           how long a rotated-out refresh token still works (default 0)
  --device-code-lifetime SECS    lifetime of a device code (default 900)
  --device-code-interval SECS    polling interval announced with a device code (default 5)
  --no-control                   turn off the control API under /_emulator/
  --https                        serve both listeners over TLS; without --cert/--key a self-signed
                                 certificate for 127.0.0.1 and localhost is generated
  --cert FILE --key FILE         PEM certificate and private key for --https
  --connect-proxy                also act as an HTTPS proxy on the API port for graph.microsoft.com,
                                 login.microsoftonline.com and login.live.com (port 443 only);
                                 prints the file of the proxy CA certificate to trust
  --debug                        log one line per request
  --help                         show this help
  --version                      show the version

Example:
  skydrive-emulator --port 8080 --location ./.skydrive-data --user alice:secret
`;

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'start'; options: EmulatorOptions; debug: boolean };

/** A command-line mistake; the bin prints the message and exits with status 2. */
export class UsageError extends Error {
  readonly code = 'EMULATOR_USAGE';
}

/** Parses the command line of `skydrive-emulator`. */
export function parseCommandLine(argv: string[]): CliCommand {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    return { kind: 'help' };
  }
  if (values.version) {
    return { kind: 'version' };
  }
  if (values.location !== undefined && values['in-memory']) {
    throw new UsageError('--location and --in-memory cannot be used together');
  }
  if (values.location === '') {
    throw new UsageError('--location needs a folder path');
  }

  const options: EmulatorOptions = {
    host: values.host ?? '127.0.0.1',
    port: parseInteger('--port', values.port ?? '0', 0, 65535),
    contentPort: parseInteger('--content-port', values['content-port'] ?? '0', 0, 65535),
    strictDownloadAuth: values['strict-download-auth'] ?? false,
    strictUploadAuth: values['strict-upload-auth'] ?? false,
    controlEnabled: !(values['no-control'] ?? false),
  };
  const seconds = (flag: string, value: string | undefined, min: number) =>
    value === undefined ? undefined : parseInteger(flag, value, min, 10 * 365 * 24 * 3600);
  const uploadLifetime = seconds('--upload-session-lifetime', values['upload-session-lifetime'], 1);
  if (uploadLifetime !== undefined) {
    options.uploadSessionLifetimeSeconds = uploadLifetime;
  }
  const grace = seconds('--refresh-grace', values['refresh-grace'], 0);
  if (grace !== undefined) {
    options.refreshGraceSeconds = grace;
  }
  const deviceLifetime = seconds('--device-code-lifetime', values['device-code-lifetime'], 1);
  if (deviceLifetime !== undefined) {
    options.deviceCodeLifetimeSeconds = deviceLifetime;
  }
  const interval = seconds('--device-code-interval', values['device-code-interval'], 0);
  if (interval !== undefined) {
    options.deviceCodeIntervalSeconds = interval;
  }
  if ((values.cert === undefined) !== (values.key === undefined)) {
    throw new UsageError('--cert and --key must be given together');
  }
  if (values.cert !== undefined && !values.https) {
    throw new UsageError('--cert and --key need --https');
  }
  if (values.https) {
    options.https =
      values.cert !== undefined && values.key !== undefined
        ? { cert: readPem('--cert', values.cert), key: readPem('--key', values.key) }
        : true;
  }
  if (values['connect-proxy']) {
    options.connectProxy = true;
  }
  if (values.location !== undefined) {
    options.location = values.location;
  }
  if (values.quota !== undefined) {
    options.quotaBytes = parseInteger('--quota', values.quota, 1, Number.MAX_SAFE_INTEGER);
  }
  if (values['access-token-lifetime'] !== undefined) {
    options.accessTokenLifetimeSeconds = parseInteger(
      '--access-token-lifetime',
      values['access-token-lifetime'],
      1,
      10 * 365 * 24 * 3600,
    );
  }
  if (values['delta-token-lifetime'] !== undefined) {
    options.deltaTokenLifetimeSeconds = parseInteger(
      '--delta-token-lifetime',
      values['delta-token-lifetime'],
      1,
      10 * 365 * 24 * 3600,
    );
  }
  if (values.user !== undefined && values.user.length > 0) {
    options.users = values.user.map(parseUser);
  }
  return { kind: 'start', options, debug: values.debug ?? false };
}

function parseFlags(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'content-port': { type: 'string' },
      location: { type: 'string' },
      'in-memory': { type: 'boolean' },
      user: { type: 'string', multiple: true },
      quota: { type: 'string' },
      'access-token-lifetime': { type: 'string' },
      'delta-token-lifetime': { type: 'string' },
      'strict-download-auth': { type: 'boolean' },
      'upload-session-lifetime': { type: 'string' },
      'strict-upload-auth': { type: 'boolean' },
      'refresh-grace': { type: 'string' },
      'device-code-lifetime': { type: 'string' },
      'device-code-interval': { type: 'string' },
      'no-control': { type: 'boolean' },
      https: { type: 'boolean' },
      cert: { type: 'string' },
      key: { type: 'string' },
      'connect-proxy': { type: 'boolean' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean' },
    },
  });
}

function parseInteger(flag: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) {
    throw new UsageError(`${flag} is '${value}'; it must be a whole number`);
  }
  const number = Number(value);
  if (number < min || number > max) {
    throw new UsageError(`${flag} is ${value}; it must be from ${min} to ${max}`);
  }
  return number;
}

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${file} cannot be read: ${(error as Error).message}`);
  }
}

function parseUser(value: string): { username: string; password: string } {
  const colon = value.indexOf(':');
  if (colon <= 0) {
    throw new UsageError(`--user is '${value}'; it must look like NAME:PASSWORD`);
  }
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}
