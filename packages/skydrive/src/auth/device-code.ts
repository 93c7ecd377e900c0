import * as oidc from 'openid-client';
import { type Clock, systemClock } from '../graph/clock.js';
import {
  createOAuthConfig,
  type OAuthTransport,
  SignInError,
  toSignInError,
} from './oauth-client.js';
import type { AuthSettings } from './settings.js';
import type { SavedToken } from './token-store.js';
import { savedTokenFrom } from './tokens.js';

/** Grant type of the device authorization grant (RFC 8628). */
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8628: without `interval`, poll every 5 seconds; each `slow_down` adds 5 seconds. */
const DEFAULT_INTERVAL_SECONDS = 5;
const SLOW_DOWN_STEP_SECONDS = 5;

/** Instructions for signing in on another device, as the platform returned them. */
export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** Seconds until the codes expire. */
  expiresIn: number;
  /** Seconds between polls. */
  interval: number;
  /** Instructions for the user, in the platform's words. */
  message: string;
}

export interface DeviceCodeSignInOptions {
  settings: AuthSettings;
  transport?: OAuthTransport;
  /** Shows the prompt; polling starts once it returns. */
  onPrompt: (prompt: DeviceCodePrompt) => void | Promise<void>;
  /** Called before each wait, with the wait in seconds; `slowDown` is true after a `slow_down` error. */
  onPoll?: (event: { waitSeconds: number; slowDown: boolean }) => void | Promise<void>;
  signal?: AbortSignal;
  /** Time source and sleep, injectable so tests need not wait. @default the system clock */
  clock?: Clock;
}

/**
 * Sign in with the device authorization grant: request codes, let the caller
 * show them, then poll the token endpoint at the given interval until the
 * user approves (tokens), declines, or the codes expire.
 *
 * The polling loop is ours rather than openid-client's
 * `pollDeviceAuthorizationGrant`, so waits go through the injectable clock and
 * `authorization_declined`, which RFC 8628 does not define, ends it at once.
 */
export async function signInWithDeviceCode(options: DeviceCodeSignInOptions): Promise<SavedToken> {
  const clock = options.clock ?? systemClock;
  const config = createOAuthConfig(options.settings, options.transport);

  let started: oidc.DeviceAuthorizationResponse;
  try {
    started = await oidc.initiateDeviceAuthorization(config, { scope: options.settings.scopes });
  } catch (error) {
    throw toSignInError(error, 'device code request');
  }
  const prompt: DeviceCodePrompt = {
    userCode: started.user_code,
    verificationUri: started.verification_uri,
    expiresIn: started.expires_in,
    interval: started.interval ?? DEFAULT_INTERVAL_SECONDS,
    message:
      typeof started.message === 'string'
        ? started.message
        : `To sign in, open ${started.verification_uri} and enter the code ${started.user_code}.`,
  };
  await options.onPrompt(prompt);

  const deadlineMs = clock.now() + prompt.expiresIn * 1000;
  let intervalSeconds = prompt.interval;
  let slowDown = false;
  for (;;) {
    await options.onPoll?.({ waitSeconds: intervalSeconds, slowDown });
    try {
      await clock.sleep(intervalSeconds * 1000, options.signal);
    } catch (error) {
      throw new SignInError('ABORTED', 'device code sign-in was cancelled', { cause: error });
    }
    if (clock.now() >= deadlineMs) {
      throw expired(prompt);
    }

    try {
      const response = await oidc.genericGrantRequest(config, DEVICE_CODE_GRANT, {
        device_code: started.device_code,
      });
      return savedTokenFrom(response, options.settings, clock.now());
    } catch (error) {
      const failure = toSignInError(error, 'device code sign-in');
      const oauthError = failure instanceof SignInError ? failure.oauthError : undefined;
      slowDown = oauthError === 'slow_down';
      if (oauthError === 'authorization_pending') {
        continue;
      }
      if (slowDown) {
        intervalSeconds += SLOW_DOWN_STEP_SECONDS;
        continue;
      }
      if (oauthError === 'expired_token') {
        throw expired(prompt, failure);
      }
      if (oauthError === 'authorization_declined') {
        throw new SignInError(
          'SIGN_IN_FAILED',
          `device code sign-in was declined by the user (authorization_declined)`,
          { oauthError, cause: failure },
        );
      }
      throw failure;
    }
  }
}

function expired(prompt: DeviceCodePrompt, cause?: unknown): SignInError {
  return new SignInError(
    'SIGN_IN_FAILED',
    `device code sign-in expired: the code ${prompt.userCode} was not approved within ${prompt.expiresIn} s (expired_token)`,
    { oauthError: 'expired_token', cause },
  );
}
