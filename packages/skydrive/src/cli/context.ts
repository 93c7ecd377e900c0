import path from 'node:path';
import type { Drive, DriveOptions, RequestEvent } from '../index.js';
import { loadToken } from '../index.js';
import { configFilePath, readConfig, validateEndpoint } from './config.js';
import type { CliDeps } from './deps.js';
import { usageError } from './errors.js';

/** Options every command accepts, before or after the command name. */
export interface GlobalOptions {
  profile?: string;
  endpoint?: string;
  config?: string;
  json?: boolean;
  debug?: boolean;
  quiet?: boolean;
  /** False with --no-progress. */
  progress?: boolean;
  /** -p: read every item argument as a path. */
  path?: boolean;
  /** -i: read every item argument as an item id. */
  id?: boolean;
}

/** Context of one command run: parsed global options, output helpers and the drive. */
export class CommandContext {
  readonly deps: CliDeps;
  readonly options: GlobalOptions;
  readonly json: boolean;
  readonly quiet: boolean;
  readonly profile: string;
  readonly addressing: 'auto' | 'path' | 'id';
  private openedDrive: Drive | undefined;

  constructor(deps: CliDeps, options: GlobalOptions) {
    if (options.path === true && options.id === true) {
      throw usageError('-p/--path and -i/--id cannot be used together; choose one');
    }
    this.deps = deps;
    this.options = options;
    this.json = options.json === true;
    this.quiet = options.quiet === true;
    this.profile = options.profile ?? nonEmpty(deps.env.SKYDRIVE_PROFILE) ?? 'default';
    this.addressing = 'auto';
    if (options.path === true) {
      this.addressing = 'path';
    } else if (options.id === true) {
      this.addressing = 'id';
    }
  }

  /** Progress bars: only on a terminal, and not with -q, --no-progress or --json. */
  get showProgress(): boolean {
    return (
      this.deps.stderr.isTTY === true &&
      !this.quiet &&
      !this.json &&
      this.options.progress !== false
    );
  }

  /** Print command output (data) on stdout. */
  print(text: string): void {
    this.deps.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Print a confirmation on stdout unless -q or --json is set. */
  note(text: string): void {
    if (!this.quiet && !this.json) {
      this.print(text);
    }
  }

  /** Print one JSON value as one line (NDJSON when called per item). */
  printJson(value: unknown): void {
    this.deps.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** Print an error or warning line on stderr, prefixed with "skydrive: ". */
  warn(message: string): void {
    this.deps.stderr.write(`skydrive: ${message}\n`);
  }

  /** Resolve a local path typed by the user against the working directory. */
  local(file: string): string {
    return path.resolve(this.deps.cwd, file);
  }

  configFile(): string {
    return configFilePath(this.deps.env, this.options.config);
  }

  /** Open the drive once, on first use, with the endpoint and token this invocation resolves. */
  async drive(): Promise<Drive> {
    if (this.openedDrive !== undefined) {
      return this.openedDrive;
    }
    const driveOptions: DriveOptions = {
      profile: this.profile,
      addressing: this.addressing,
    };
    const endpoint = await this.resolveEndpoint();
    if (endpoint !== undefined) {
      driveOptions.endpoint = endpoint;
    }
    const token = nonEmpty(this.deps.env.SKYDRIVE_TOKEN);
    if (token !== undefined) {
      driveOptions.accessToken = token;
    }
    if (this.options.debug === true) {
      const graphOrigin = originOf(endpoint ?? DEFAULT_GRAPH_ENDPOINT);
      driveOptions.onRequest = (event) =>
        this.deps.stderr.write(formatRequestEvent(event, graphOrigin));
    }
    this.openedDrive = await this.deps.openDrive(driveOptions);
    return this.openedDrive;
  }

  /**
   * Endpoint precedence: --endpoint, SKYDRIVE_ENDPOINT, the profile's
   * `endpoint` in config.yaml, the endpoint saved with the profile's token.
   * Undefined leaves the library default (Microsoft Graph v1.0).
   */
  private async resolveEndpoint(): Promise<string | undefined> {
    if (this.options.endpoint !== undefined) {
      return validateEndpoint(this.options.endpoint, '--endpoint');
    }
    const fromEnv = nonEmpty(this.deps.env.SKYDRIVE_ENDPOINT);
    if (fromEnv !== undefined) {
      return validateEndpoint(fromEnv, 'SKYDRIVE_ENDPOINT');
    }
    const config = await readConfig(this.configFile());
    const fromConfig = config.profiles[this.profile]?.endpoint;
    if (fromConfig !== undefined) {
      return validateEndpoint(fromConfig, `endpoint of profile ${this.profile}`);
    }
    if (nonEmpty(this.deps.env.SKYDRIVE_TOKEN) === undefined) {
      try {
        return (await loadToken(this.profile))?.endpoint;
      } catch {
        // An unreadable token file is reported by Drive.open, with its own message.
        return undefined;
      }
    }
    return undefined;
  }

  async close(): Promise<void> {
    const drive = this.openedDrive;
    this.openedDrive = undefined;
    await drive?.close();
  }
}

/** Graph base URL the library uses when no endpoint is configured. */
const DEFAULT_GRAPH_ENDPOINT = 'https://graph.microsoft.com/v1.0';

/**
 * Format the --debug line of one HTTP attempt. The library removes credentials
 * and pre-authenticated query strings; URLs on any other origin than Graph
 * (download and copy-monitor URLs) may carry their authorization in the path,
 * so only their first path segment is printed.
 */
export function formatRequestEvent(event: RequestEvent, graphOrigin?: string): string {
  const parts = [`debug: ${event.method} ${redactForeignUrl(event.url, graphOrigin)}`];
  parts.push(
    event.status === undefined ? `-> ${event.error ?? 'no response'}` : `-> ${event.status}`,
  );
  if (event.requestId !== undefined) {
    parts.push(`request-id ${event.requestId}`);
  }
  parts.push(`${Math.round(event.durationMs)} ms`);
  if (event.attempt > 1) {
    parts.push(`attempt ${event.attempt}`);
  }
  if (event.retryInMs !== undefined) {
    parts.push(`retry in ${Math.round(event.retryInMs)} ms`);
  }
  return `${parts.join(' ')}\n`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** Keep a URL on the Graph origin; shorten any other to its origin and first path segment. */
export function redactForeignUrl(url: string, graphOrigin: string | undefined): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (graphOrigin === undefined || parsed.origin === graphOrigin) {
    return url;
  }
  const firstSegment = parsed.pathname.split('/').filter((segment) => segment !== '')[0];
  return firstSegment === undefined ? parsed.origin : `${parsed.origin}/${firstSegment}/<redacted>`;
}
