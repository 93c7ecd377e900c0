import * as oidc from 'openid-client';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import type { RequestEvent } from '../drive/types.js';
import { SkydriveError, type SkydriveErrorCode } from '../errors.js';
import { type AuthSettings, isLoopbackHost, platformUrls } from './settings.js';

/** Transport of the identity requests: the drive's pool (proxy settings included) and a diagnostics hook. */
export interface OAuthTransport {
  /** undici dispatcher, or a function returning the current one; omitted, undici's global dispatcher is used. */
  dispatcher?: Dispatcher | (() => Dispatcher | undefined);
  /** Called once per request to the identity platform, with the URL stripped of its query. */
  onRequest?: (event: RequestEvent) => void;
  /** Timeout of one identity request, in seconds. @default 30 */
  timeoutSeconds?: number;
}

/**
 * Build the openid-client configuration from the platform's fixed endpoint
 * URLs instead of discovery: for `common`, the platform's metadata names a
 * templated issuer (`{tenantid}`) rather than a URL, and the emulator serves no metadata.
 */
export function createOAuthConfig(
  settings: AuthSettings,
  transport: OAuthTransport = {},
): oidc.Configuration {
  const urls = platformUrls(settings);
  const config = new oidc.Configuration(
    {
      issuer: urls.issuer,
      authorization_endpoint: urls.authorize,
      token_endpoint: urls.token,
      device_authorization_endpoint: urls.deviceCode,
    },
    settings.clientId,
    undefined,
    // A public client: the platform rejects a client_secret from native apps.
    oidc.None(),
  );
  if (new URL(settings.authEndpoint).protocol === 'http:') {
    // resolveAuthSettings allows http only on loopback hosts; check again before opting in.
    if (!isLoopbackHost(new URL(settings.authEndpoint).hostname)) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `auth endpoint ${settings.authEndpoint} uses plain http on a host that is not loopback`,
      );
    }
    oidc.allowInsecureRequests(config);
  }
  config.timeout = transport.timeoutSeconds ?? 30;
  config[oidc.customFetch] = observedFetch(transport);
  return config;
}

function observedFetch(transport: OAuthTransport): oidc.CustomFetch {
  return async (url, options) => {
    const started = performance.now();
    const urlWithoutQuery = withoutQuery(url);
    const event: RequestEvent = {
      method: options.method,
      url: urlWithoutQuery,
      attempt: 1,
      durationMs: 0,
    };
    const dispatcher =
      typeof transport.dispatcher === 'function' ? transport.dispatcher() : transport.dispatcher;
    try {
      const init = {
        method: options.method,
        headers: options.headers,
        body: options.body,
        redirect: options.redirect,
        signal: options.signal,
        ...(dispatcher === undefined ? {} : { dispatcher }),
      };
      const response = await undiciFetch(url, init as Parameters<typeof undiciFetch>[1]);
      event.status = response.status;
      const requestId = response.headers.get('x-ms-request-id') ?? undefined;
      if (requestId !== undefined) {
        event.requestId = requestId;
      }
      return response as unknown as Response;
    } catch (error) {
      event.error = error instanceof Error ? error.message : String(error);
      throw error;
    } finally {
      event.durationMs = performance.now() - started;
      try {
        transport.onRequest?.(event);
      } catch {
        // A failing observer must not change the outcome of a sign-in.
      }
    }
  };
}

function withoutQuery(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.search = '';
    parsed.hash = '';
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** Details the identity platform returns with an error, e.g. `invalid_grant` and AADSTS70000. */
export interface OAuthErrorDetails {
  /** OAuth `error`, e.g. 'invalid_grant', 'access_denied', 'authorization_declined'. */
  oauthError?: string;
  /** AADSTS numbers from `error_codes`. */
  errorCodes?: number[];
  traceId?: string;
  correlationId?: string;
  cause?: unknown;
}

/** A sign-in flow or a token refresh failed. `code` is SIGN_IN_FAILED, NOT_SIGNED_IN, TIMEOUT, NETWORK_ERROR or ABORTED. */
export class SignInError extends SkydriveError {
  readonly oauthError: string | undefined;
  readonly errorCodes: number[];
  readonly traceId: string | undefined;
  readonly correlationId: string | undefined;

  constructor(code: SkydriveErrorCode, message: string, details: OAuthErrorDetails = {}) {
    super(code, message, { cause: details.cause });
    this.name = 'SignInError';
    this.oauthError = details.oauthError;
    this.errorCodes = details.errorCodes ?? [];
    this.traceId = details.traceId;
    this.correlationId = details.correlationId;
  }
}

/**
 * Turn an openid-client failure into a SignInError. `what` names the step
 * ("token refresh"), and `code` is used for errors the platform returned. Only
 * the first line of the platform's description is kept. Request parameters,
 * which carry the code, verifier or refresh token, are never echoed.
 */
export function toSignInError(
  error: unknown,
  what: string,
  code: SkydriveErrorCode = 'SIGN_IN_FAILED',
): SkydriveError {
  if (error instanceof SkydriveError) {
    return error;
  }
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError) {
    const body = error instanceof oidc.ResponseBodyError ? error.cause : undefined;
    const description = firstLine(error.error_description);
    const errorCodes = Array.isArray(body?.error_codes)
      ? body.error_codes.filter((value): value is number => typeof value === 'number')
      : [];
    const status = error instanceof oidc.ResponseBodyError ? `HTTP ${error.status}, ` : '';
    return new SignInError(
      code,
      `${what} failed: ${status}${error.error}${description === undefined ? '' : `: ${description}`}`,
      {
        oauthError: error.error,
        errorCodes,
        traceId: typeof body?.trace_id === 'string' ? body.trace_id : undefined,
        correlationId: typeof body?.correlation_id === 'string' ? body.correlation_id : undefined,
        cause: error,
      },
    );
  }
  if ((error as { name?: string } | null)?.name === 'AbortError') {
    return new SignInError('ABORTED', `${what} was cancelled`, { cause: error });
  }
  if ((error as { name?: string } | null)?.name === 'TimeoutError') {
    return new SignInError('TIMEOUT', `${what} timed out`, { cause: error });
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const reason = (error.cause as { code?: string; message?: string } | undefined) ?? {};
    return new SignInError(
      'NETWORK_ERROR',
      `${what} failed: cannot reach the identity platform (${reason.code ?? reason.message ?? 'network error'})`,
      { cause: error },
    );
  }
  if (error instanceof oidc.ClientError) {
    return new SignInError(
      'SIGN_IN_FAILED',
      `${what} failed: the identity platform's response is invalid (${error.code ?? 'unknown'}: ${firstLine(error.message)})`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? firstLine(error.message) : String(error);
  return new SignInError('SIGN_IN_FAILED', `${what} failed: ${message}`, { cause: error });
}

function firstLine(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') {
    return undefined;
  }
  return (text.split(/\r?\n/)[0] ?? '').trim();
}
