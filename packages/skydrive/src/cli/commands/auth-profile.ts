import {
  type AuthSettings,
  checkServiceUrl,
  isLoopbackHost,
  type OAuthTransport,
  resolveAuthSettings,
  SkydriveError,
} from '../../index.js';
import { readConfig } from '../config.js';
import { type CommandContext, formatRequestEvent } from '../context.js';
import { usageError } from '../errors.js';

/** Graph base URL the library uses when none is configured. */
const MICROSOFT_GRAPH = 'https://graph.microsoft.com/v1.0';
/** Client id used with a loopback identity platform (the emulator accepts any). */
export const LOCAL_CLIENT_ID = 'skydrive-local';

/** Sign-in flags of `auth login`. */
export interface SignInFlags {
  clientId?: string;
  tenant?: string;
  authEndpoint?: string;
  scopes?: string;
}

/** Sign-in settings and the Graph endpoint the token is for. */
export interface SignInTarget {
  settings: AuthSettings;
  /** Graph base URL with its version. */
  endpoint: string;
}

/**
 * Resolve the sign-in target: flags, then SKYDRIVE_ENDPOINT for the Graph
 * endpoint, then the profile in config.yaml, then defaults. A loopback Graph
 * endpoint implies the identity platform on the same origin and the other way
 * round, so pointing at the emulator never sends a sign-in to Microsoft.
 */
export async function resolveSignInTarget(
  context: CommandContext,
  flags: SignInFlags,
): Promise<SignInTarget> {
  const profile = (await readConfig(context.configFile())).profiles[context.profile] ?? {};
  let endpoint =
    context.options.endpoint ?? nonEmpty(context.deps.env.SKYDRIVE_ENDPOINT) ?? profile.endpoint;
  let authEndpoint = flags.authEndpoint ?? profile.authEndpoint;

  if (authEndpoint === undefined && endpoint !== undefined && isLoopbackUrl(endpoint)) {
    authEndpoint = new URL(endpoint).origin;
  }
  if (endpoint === undefined && authEndpoint !== undefined && isLoopbackUrl(authEndpoint)) {
    endpoint = `${authEndpoint.replace(/\/+$/, '')}/v1.0`;
  }
  const local = authEndpoint !== undefined && isLoopbackUrl(authEndpoint);
  const clientId = flags.clientId ?? profile.clientId ?? (local ? LOCAL_CLIENT_ID : undefined);
  if (clientId === undefined) {
    throw usageError(
      'no client id: pass --client-id <application id> or run: skydrive config set client-id <application id> (register skydrive as a public client in Microsoft Entra first)',
    );
  }

  try {
    const settings = resolveAuthSettings({
      clientId,
      ...defined('authEndpoint', authEndpoint),
      ...defined('tenant', flags.tenant ?? profile.tenant),
      ...defined('scopes', flags.scopes ?? profile.scopes),
    });
    return { settings, endpoint: checkServiceUrl(endpoint ?? MICROSOFT_GRAPH, 'endpoint') };
  } catch (error) {
    if (error instanceof SkydriveError && error.code === 'INVALID_ARGUMENT') {
      throw usageError(error.message);
    }
    throw error;
  }
}

/** Return the transport of identity requests; with --debug it prints one stderr line per request. */
export function transportFor(context: CommandContext): OAuthTransport {
  if (context.options.debug !== true) {
    return {};
  }
  return { onRequest: (event) => context.deps.stderr.write(formatRequestEvent(event)) };
}

function isLoopbackUrl(value: string): boolean {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function defined<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}
