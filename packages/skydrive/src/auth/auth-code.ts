import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { SkydriveError } from '../errors.js';
import {
  createOAuthConfig,
  type OAuthTransport,
  SignInError,
  toSignInError,
} from './oauth-client.js';
import type { AuthSettings } from './settings.js';
import type { SavedToken } from './token-store.js';
import { savedTokenFrom } from './tokens.js';

/** How long the loopback listener waits for the browser's redirect, in ms. */
export const DEFAULT_SIGN_IN_TIMEOUT_MS = 5 * 60_000;

/** One authorization request: the URL to open and the secrets to check its redirect with. */
export interface AuthorizationRequest {
  url: string;
  redirectUri: string;
  state: string;
  /** PKCE code verifier; never shown or logged. */
  verifier: string;
}

export interface AuthCodeSignInOptions {
  settings: AuthSettings;
  transport?: OAuthTransport;
  /** Shows or opens the authorization URL; called once the loopback listener is ready. */
  onAuthorizationUrl: (url: string) => void | Promise<void>;
  /** @default 300_000 */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Milliseconds since the epoch. @default Date.now */
  now?: () => number;
}

/** Build an authorization request with a fresh state and an S256 PKCE challenge. */
export async function createAuthorizationRequest(
  config: oidc.Configuration,
  settings: AuthSettings,
  redirectUri: string,
): Promise<AuthorizationRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: settings.scopes,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    // Lets a person with several Microsoft accounts pick one instead of reusing the browser's.
    prompt: 'select_account',
  });
  return { url: url.toString(), redirectUri, state, verifier };
}

/** Redeem the code in the redirect URL; checks `state` and sends the verifier. */
export async function redeemAuthorizationCode(
  config: oidc.Configuration,
  settings: AuthSettings,
  callbackUrl: string,
  request: AuthorizationRequest,
  nowMs: number,
): Promise<SavedToken> {
  const callback = new URL(callbackUrl);
  if (callback.searchParams.get('state') !== request.state) {
    throw new SignInError(
      'SIGN_IN_FAILED',
      "the redirect's state parameter does not match this sign-in, so its code was not redeemed",
      { oauthError: 'invalid_state' },
    );
  }
  try {
    const response = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
    });
    return savedTokenFrom(response, settings, nowMs);
  } catch (error) {
    throw toSignInError(error, 'sign-in');
  }
}

/**
 * Sign in with the authorization code flow and PKCE: listen on 127.0.0.1 on
 * an ephemeral port, let the caller open the authorization URL, wait for the
 * browser's redirect and redeem its code. Times out with TIMEOUT.
 */
export async function signInWithAuthCode(options: AuthCodeSignInOptions): Promise<SavedToken> {
  const config = createOAuthConfig(options.settings, options.transport);
  const timeoutMs = options.timeoutMs ?? DEFAULT_SIGN_IN_TIMEOUT_MS;
  const listener = await listenForRedirect();
  try {
    const request = await createAuthorizationRequest(
      config,
      options.settings,
      listener.redirectUri,
    );
    listener.expectState(request.state);
    await options.onAuthorizationUrl(request.url);
    const callbackUrl = await waitFor(listener.redirect, timeoutMs, options.signal);
    return await redeemAuthorizationCode(
      config,
      options.settings,
      callbackUrl,
      request,
      (options.now ?? Date.now)(),
    );
  } finally {
    await listener.close();
  }
}

interface RedirectListener {
  redirectUri: string;
  /** Resolves with the full redirect URL, or rejects when it carries an error or a wrong state. */
  redirect: Promise<string>;
  expectState(state: string): void;
  close(): Promise<void>;
}

async function listenForRedirect(): Promise<RedirectListener> {
  let expectedState: string | undefined;
  let settle: { resolve: (url: string) => void; reject: (error: Error) => void } | undefined;
  const redirect = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // The caller may give up first; a late rejection must not become an unhandled one.
  redirect.catch(() => undefined);

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== '/' || settle === undefined) {
      sendPage(res, 404, 'Not found', 'This address only receives the sign-in redirect.');
      return;
    }
    const current = settle;
    const error = url.searchParams.get('error');
    if (url.searchParams.get('state') !== expectedState) {
      sendPage(res, 400, 'Sign-in failed', 'The answer does not belong to this sign-in.');
      current.reject(
        new SignInError(
          'SIGN_IN_FAILED',
          "the redirect's state parameter does not match this sign-in, so its code was not redeemed",
          { oauthError: 'invalid_state' },
        ),
      );
    } else if (error !== null) {
      sendPage(res, 400, 'Sign-in failed', 'You can close this window.');
      const description = (url.searchParams.get('error_description') ?? '').split(/\r?\n/)[0];
      current.reject(
        new SignInError(
          'SIGN_IN_FAILED',
          `sign-in failed: ${error}${description ? `: ${description}` : ''}`,
          { oauthError: error },
        ),
      );
    } else if (url.searchParams.get('code') === null) {
      sendPage(res, 400, 'Sign-in failed', 'The redirect carried no authorization code.');
      current.reject(
        new SignInError('SIGN_IN_FAILED', 'the redirect carried neither a code nor an error'),
      );
    } else {
      sendPage(res, 200, 'Signed in', 'You can close this window and return to the terminal.');
      current.resolve(url.toString());
    }
    // Only the first redirect counts; a replay gets the 404 above.
    settle = undefined;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/`;
  return {
    redirectUri,
    redirect,
    expectState: (state) => {
      expectedState = state;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendPage(res: ServerResponse, status: number, title: string, text: string): void {
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(page);
}

function waitFor<T>(promise: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      cleanup();
      reject(new SkydriveError('ABORTED', 'sign-in was cancelled', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(
        new SkydriveError(
          'TIMEOUT',
          `sign-in timed out: the browser did not return to the loopback address within ${Math.round(timeoutMs / 1000)} s`,
        ),
      );
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error);
      },
    );
  });
}
