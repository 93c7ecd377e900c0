import { createHash } from 'node:crypto';
import type { RequestContext } from '../context.js';
import { invalidRequestParameter } from './errors.js';
import {
  authorizationDeclined,
  authorizationPending,
  badVerificationCode,
  codeClientMismatch,
  codeNotFound,
  expiredToken,
  redirectUriMismatch,
  slowDown,
  verifierMismatch,
} from './flow-errors.js';

/** Grant type of the device authorization grant (RFC 8628). */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** `RFC 8628`: each `slow_down` raises the polling interval by 5 seconds. */
const SLOW_DOWN_STEP_SECONDS = 5;

/**
 * `grant_type=authorization_code`: redeems a one-use code with the PKCE
 * verifier and the same `client_id` and `redirect_uri` as the authorization request.
 */
export function redeemAuthorizationCode(
  ctx: RequestContext,
  form: URLSearchParams,
): { username: string; scope: string } {
  const code = form.get('code');
  if (!code) {
    throw invalidRequestParameter('code');
  }
  const redirectUri = form.get('redirect_uri');
  if (!redirectUri) {
    throw invalidRequestParameter('redirect_uri');
  }
  const verifier = form.get('code_verifier');
  if (!verifier) {
    throw invalidRequestParameter('code_verifier');
  }
  // Redeeming removes the code, so a failed attempt also burns it, as the platform does.
  const entry = ctx.emulator.grants.redeemCode(code);
  if (!entry || entry.expiresAt <= Date.now()) {
    throw codeNotFound();
  }
  if (entry.clientId !== form.get('client_id')) {
    throw codeClientMismatch();
  }
  if (entry.redirectUri !== redirectUri) {
    throw redirectUriMismatch();
  }
  const challenge =
    entry.codeChallengeMethod === 'S256'
      ? createHash('sha256').update(verifier).digest('base64url')
      : verifier;
  if (challenge !== entry.codeChallenge) {
    throw verifierMismatch();
  }
  if (!ctx.emulator.store.getUser(entry.username)) {
    throw codeNotFound();
  }
  return { username: entry.username, scope: form.get('scope') ?? entry.scope };
}

/**
 * Redeems `grant_type=urn:ietf:params:oauth:grant-type:device_code`. It returns
 * `authorization_pending` until the user decides, `slow_down` when polled
 * faster than the interval, then tokens once, or `authorization_declined` /
 * `expired_token`.
 */
export function redeemDeviceCode(
  ctx: RequestContext,
  form: URLSearchParams,
): { username: string; scope: string } {
  const deviceCode = form.get('device_code');
  if (!deviceCode) {
    throw invalidRequestParameter('device_code');
  }
  const entry = ctx.emulator.grants.findDevice(deviceCode);
  if (!entry || entry.state === 'redeemed' || entry.clientId !== form.get('client_id')) {
    throw badVerificationCode();
  }
  const now = Date.now();
  if (entry.expiresAt <= now) {
    throw expiredToken();
  }
  if (entry.state === 'declined') {
    throw authorizationDeclined();
  }
  const previousPoll = entry.lastPollAt;
  entry.lastPollAt = now;
  if (entry.state === 'pending') {
    if (
      previousPoll !== undefined &&
      entry.intervalSeconds > 0 &&
      now - previousPoll < entry.intervalSeconds * 1000
    ) {
      entry.intervalSeconds += SLOW_DOWN_STEP_SECONDS;
      throw slowDown(entry.intervalSeconds);
    }
    throw authorizationPending();
  }
  entry.state = 'redeemed';
  return { username: entry.username as string, scope: entry.scope };
}
