import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { resolveAuthSettings } from '../index.js';
import { CliError } from './errors.js';

/** One profile in config.yaml. */
export interface ProfileConfig {
  /** Graph base URL with its version, e.g. 'http://127.0.0.1:8080/v1.0'. */
  endpoint?: string;
  /** Application (client) id registered in Microsoft Entra, for the sign-in flows. */
  clientId?: string;
  /** Identity platform base URL, e.g. 'https://login.microsoftonline.com' or the emulator's URL. */
  authEndpoint?: string;
  /** Tenant to sign in to: common, consumers, organizations, a tenant id or a domain. */
  tenant?: string;
  /** Space-separated scopes requested at sign-in. */
  scopes?: string;
}

export interface ConfigFile {
  profiles: Record<string, ProfileConfig>;
}

/** Keys `skydrive config` accepts, as typed, mapped to the YAML field. */
export const CONFIG_KEYS = {
  endpoint: 'endpoint',
  'client-id': 'clientId',
  'auth-endpoint': 'authEndpoint',
  tenant: 'tenant',
  scopes: 'scopes',
} as const;
export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * Return the config file path: --config, else SKYDRIVE_CONFIG, else
 * `$XDG_CONFIG_HOME/skydrive/config.yaml` (default `~/.config/skydrive/config.yaml`).
 */
export function configFilePath(env: NodeJS.ProcessEnv, flag?: string): string {
  if (flag !== undefined && flag !== '') {
    return path.resolve(flag);
  }
  if (env.SKYDRIVE_CONFIG !== undefined && env.SKYDRIVE_CONFIG !== '') {
    return path.resolve(env.SKYDRIVE_CONFIG);
  }
  // The XDG base directory spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base =
    xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? homedir(), '.config');
  return path.join(base, 'skydrive', 'config.yaml');
}

/** Read the config file; a missing file is an empty config. */
export async function readConfig(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { profiles: {} };
    }
    throw new CliError(`${file}: cannot read the config file: ${(error as Error).message}`);
  }
  // yaml is loaded on first use, so commands that never read the config start faster.
  const { parse } = await import('yaml');
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new CliError(
      `${file}: invalid YAML: ${(error as Error).message.split('\n')[0]}; fix or remove the file`,
    );
  }
  return toConfig(document, file);
}

function toConfig(document: unknown, file: string): ConfigFile {
  if (document === null || document === undefined) {
    return { profiles: {} };
  }
  const profiles = (document as { profiles?: unknown }).profiles;
  if (typeof document !== 'object' || (profiles !== undefined && !isRecord(profiles))) {
    throw new CliError(
      `${file}: invalid config: expected "profiles:" mapping names to { endpoint, clientId }; fix or remove the file`,
    );
  }
  const result: ConfigFile = { profiles: {} };
  for (const [name, value] of Object.entries((profiles ?? {}) as Record<string, unknown>)) {
    if (!isRecord(value)) {
      throw new CliError(`${file}: invalid config: profile "${name}" is not a mapping`);
    }
    const profile: ProfileConfig = {};
    if (typeof value.endpoint === 'string') {
      profile.endpoint = value.endpoint;
    }
    if (typeof value.clientId === 'string') {
      profile.clientId = value.clientId;
    }
    for (const key of ['authEndpoint', 'tenant', 'scopes'] as const) {
      if (typeof value[key] === 'string') {
        profile[key] = value[key];
      }
    }
    result.profiles[name] = profile;
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Write the config atomically with mode 0600, because it names the user's endpoints and app. */
export async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  const { stringify } = await import('yaml');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, stringify(config), { mode: 0o600 });
}

/** Check a value for a config key; returns the value to store. */
export function validateConfigValue(key: ConfigKey, value: string): string {
  if (key === 'endpoint') {
    return validateEndpoint(value, 'endpoint');
  }
  if (value.trim() === '') {
    throw new CliError(`invalid ${key}: it cannot be empty`, 2);
  }
  return validateAuthSetting(key, value);
}

/** Last path segment of a Graph base URL: `v1.0`, `beta`, or another `v<major>.<minor>`. */
const GRAPH_VERSION_SEGMENT = /\/(v\d+\.\d+|beta)\/*$/;

/** Check that an endpoint is an absolute http(s) URL ending in a Graph version and drop a trailing '/'. */
export function validateEndpoint(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(
      `invalid ${source} ${JSON.stringify(value)}: expected the Graph base URL with its version, e.g. http://127.0.0.1:8080/v1.0`,
      2,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(
      `invalid ${source} ${JSON.stringify(value)}: only http and https URLs are supported`,
      2,
    );
  }
  if (!GRAPH_VERSION_SEGMENT.test(url.pathname)) {
    throw new CliError(
      `invalid ${source} ${JSON.stringify(value)}: the URL must end with the Graph version, e.g. ${url.origin}${url.pathname.replace(/\/+$/, '')}/v1.0`,
      2,
    );
  }
  return value.replace(/\/+$/, '');
}

/** Check a sign-in setting with the library's rules; a bad value is a usage error. */
function validateAuthSetting(key: Exclude<ConfigKey, 'endpoint'>, value: string): string {
  try {
    const settings = resolveAuthSettings({
      clientId: key === 'client-id' ? value : 'placeholder',
      ...(key === 'auth-endpoint' ? { authEndpoint: value } : {}),
      ...(key === 'tenant' ? { tenant: value } : {}),
      ...(key === 'scopes' ? { scopes: value } : {}),
    });
    return key === 'auth-endpoint' ? settings.authEndpoint : value.trim();
  } catch (error) {
    throw new CliError(`invalid ${key}: ${(error as Error).message}`, 2);
  }
}
