import { SkydriveError } from '../errors.js';

/** Sign-in target: identity platform, tenant, application and scopes. */
export interface AuthSettings {
  /** Base URL of the identity platform, without the tenant. @default 'https://login.microsoftonline.com' */
  authEndpoint: string;
  /** `common`, `consumers`, `organizations`, a tenant id or a tenant domain. @default 'common' */
  tenant: string;
  /** Application (client) id of a public client registered in Microsoft Entra. skydrive ships none. */
  clientId: string;
  /** Space-separated scopes. @default 'Files.ReadWrite.All offline_access User.Read' */
  scopes: string;
}

export const DEFAULT_AUTH_ENDPOINT = 'https://login.microsoftonline.com';
export const DEFAULT_TENANT = 'common';
/** `offline_access` is what makes the platform return a refresh token. */
export const DEFAULT_SCOPES = 'Files.ReadWrite.All offline_access User.Read';

/** Tenant names are GUIDs, domains or the three aliases; nothing that could change the URL path. */
const TENANT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;
/** Application ids are GUIDs on the real platform; the emulator accepts any such name. */
const CLIENT_ID_PATTERN = /^[\w.-]{1,128}$/;

/** Settings as given by a caller: everything but the client id has a default. */
export type AuthSettingsInput = Partial<AuthSettings> & { clientId?: string };

/** Merge settings over the defaults and check each value. Throws INVALID_ARGUMENT. */
export function resolveAuthSettings(input: AuthSettingsInput): AuthSettings {
  const clientId = input.clientId?.trim() ?? '';
  if (clientId === '') {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      'no client id: register a public client application in Microsoft Entra and pass its application (client) id',
    );
  }
  if (!CLIENT_ID_PATTERN.test(clientId)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `client id ${JSON.stringify(clientId)} is invalid: expected an application id such as 00000000-0000-0000-0000-000000000000`,
    );
  }
  const tenant = input.tenant ?? DEFAULT_TENANT;
  if (!TENANT_PATTERN.test(tenant)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `tenant ${JSON.stringify(tenant)} is invalid: use common, consumers, organizations, a tenant id or a domain`,
    );
  }
  const scopes = (input.scopes ?? DEFAULT_SCOPES).split(/\s+/).filter((scope) => scope !== '');
  if (scopes.length === 0) {
    throw new SkydriveError('INVALID_ARGUMENT', 'scopes must name at least one scope');
  }
  // openid adds an ID token. openid-client checks ID tokens with the key set and the
  // tenant-specific issuer from discovery, and this configuration is built without discovery.
  if (scopes.some((scope) => scope.toLowerCase() === 'openid')) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      'the openid scope is not supported: skydrive needs no ID token, so leave openid out of the scopes',
    );
  }
  return {
    authEndpoint: checkServiceUrl(input.authEndpoint ?? DEFAULT_AUTH_ENDPOINT, 'auth endpoint'),
    tenant,
    clientId,
    scopes: scopes.join(' '),
  };
}

/**
 * Check that a service URL is https, or http on a loopback host, and drop a
 * trailing '/'. Tokens and codes travel in these requests, so plain http is
 * only safe when the traffic never leaves the machine.
 */
export function checkServiceUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} is not an absolute URL; expected e.g. ${DEFAULT_AUTH_ENDPOINT}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} must be an https URL`,
    );
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} uses plain http on a host that is not loopback; use https (http is allowed only for 127.0.0.0/8, localhost and [::1])`,
    );
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} must not contain credentials, a query or a fragment`,
    );
  }
  return value.replace(/\/+$/, '');
}

/** True for 127.0.0.0/8, localhost and [::1]: hosts whose traffic stays on this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') {
    return true;
  }
  const octets = host.split('.');
  return (
    octets.length === 4 &&
    octets[0] === '127' &&
    octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)
  );
}

/** Build the identity platform's v2 endpoint URLs for these settings. */
export function platformUrls(settings: AuthSettings): {
  issuer: string;
  authorize: string;
  token: string;
  deviceCode: string;
} {
  const base = `${settings.authEndpoint}/${encodeURIComponent(settings.tenant)}`;
  return {
    issuer: `${base}/v2.0`,
    authorize: `${base}/oauth2/v2.0/authorize`,
    token: `${base}/oauth2/v2.0/token`,
    deviceCode: `${base}/oauth2/v2.0/devicecode`,
  };
}
