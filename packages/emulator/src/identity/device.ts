import type { RequestContext } from '../context.js';
import { readSmallBody, sendJson } from '../http.js';
import { IdentityError, identityErrorBody, invalidRequestParameter } from './errors.js';
import { invalidClient } from './flow-errors.js';
import { readPostedForm } from './form.js';
import type { DeviceAuthorization } from './grants-state.js';
import { escapeHtml, sendHtml, userSelect } from './html.js';

const DEFAULT_SCOPE = 'Files.ReadWrite.All User.Read offline_access';

/** Path of the page where a user enters a device sign-in's user code. */
export const DEVICE_LOGIN_PATH = '/devicelogin';

/**
 * `POST /{tenant}/oauth2/v2.0/devicecode` with `client_id` and `scope`:
 * starts a device sign-in and returns the codes the client shows and polls with.
 */
export async function handleDeviceCode(ctx: RequestContext): Promise<void> {
  try {
    const form = await readPostedForm(ctx, 'devicecode');
    const clientId = form.get('client_id');
    if (!clientId) {
      throw invalidRequestParameter('client_id');
    }
    if (!/^[\w.-]{1,128}$/.test(clientId)) {
      throw invalidClient();
    }
    const { options, grants } = ctx.emulator;
    const { deviceCode, entry } = grants.issueDeviceCode({
      clientId,
      scope: form.get('scope') ?? DEFAULT_SCOPE,
      lifetimeMs: options.deviceCodeLifetimeSeconds * 1000,
      intervalSeconds: options.deviceCodeIntervalSeconds,
    });
    const verificationUri = `${ctx.emulator.url}${DEVICE_LOGIN_PATH}`;
    ctx.log.info({ clientId }, 'device code issued');
    sendJson(
      ctx.res,
      200,
      {
        device_code: deviceCode,
        user_code: entry.userCode,
        verification_uri: verificationUri,
        expires_in: Math.round(options.deviceCodeLifetimeSeconds),
        interval: Math.round(options.deviceCodeIntervalSeconds),
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${entry.userCode} to authenticate.`,
      },
      { 'Cache-Control': 'no-store' },
    );
  } catch (error) {
    if (!(error instanceof IdentityError)) {
      throw error;
    }
    sendJson(ctx.res, error.status, identityErrorBody(error, ctx.requestId), {
      'Cache-Control': 'no-store',
    });
  }
}

/**
 * `GET /devicelogin` shows a form for the user code, an account and approve or
 * decline; `POST /devicelogin` records the decision.
 */
export async function handleDeviceLogin(ctx: RequestContext): Promise<void> {
  const usernames = ctx.emulator.store.listUsers().map((user) => user.username);
  if (ctx.req.method === 'GET') {
    const body = `<form method="post" action="${DEVICE_LOGIN_PATH}">
<label for="user_code">Code</label><input id="user_code" name="user_code" autocomplete="off" value="${escapeHtml(ctx.query.get('user_code') ?? '')}">
${userSelect(usernames)}
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="decline">Decline</button>
</form>`;
    sendHtml(ctx.res, 200, 'Enter code', body);
    return;
  }
  if (ctx.req.method !== 'POST') {
    sendHtml(ctx.res, 405, 'Method not allowed', '<p>Use GET or POST.</p>');
    return;
  }
  const form = new URLSearchParams((await readSmallBody(ctx.req)).toString('utf8'));
  const decision = form.get('decision') === 'approve' ? 'approve' : 'decline';
  const outcome = decideDevice(
    ctx,
    form.get('user_code') ?? '',
    form.get('username') ?? '',
    decision,
  );
  if (outcome !== undefined) {
    sendHtml(ctx.res, 400, 'Sign-in failed', `<p>${escapeHtml(outcome)}</p>`);
    return;
  }
  sendHtml(
    ctx.res,
    200,
    decision === 'approve' ? 'Signed in' : 'Sign-in declined',
    decision === 'approve'
      ? '<p>You can close this window and return to the application.</p>'
      : '<p>The application will not get access.</p>',
  );
}

/**
 * Approves or declines the device sign-in with `userCode`. Returns a message
 * when that is not possible (unknown or expired code, unknown user, already
 * decided), undefined on success.
 */
export function decideDevice(
  ctx: RequestContext,
  userCode: string,
  username: string,
  decision: 'approve' | 'decline',
): string | undefined {
  const entry = ctx.emulator.grants.findByUserCode(userCode);
  if (!entry) {
    return `The code '${userCode}' is unknown.`;
  }
  if (entry.expiresAt <= Date.now()) {
    return `The code '${userCode}' has expired; start the sign-in again.`;
  }
  if (entry.state !== 'pending') {
    return `The code '${userCode}' was already used.`;
  }
  if (decision === 'decline') {
    entry.state = 'declined';
    ctx.log.info({ clientId: entry.clientId }, 'device sign-in declined');
    return undefined;
  }
  if (!ctx.emulator.store.getUser(username)) {
    return `No account named '${username}'.`;
  }
  entry.state = 'approved';
  entry.username = username;
  ctx.log.info({ username }, 'device sign-in approved');
  return undefined;
}

/** Makes a device code expire now, for tests of `expired_token`. */
export function expireDevice(entry: DeviceAuthorization): void {
  entry.expiresAt = Date.now() - 1;
}
