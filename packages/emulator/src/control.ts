import type { RequestContext } from './context.js';
import { handleDriveControl } from './drive/control.js';
import { invalidRequest, itemNotFound, methodNotAllowed } from './errors.js';
import { readJsonObject, sendEmpty, sendJson } from './http.js';
import { decideDevice, expireDevice } from './identity/device.js';

/**
 * Handles the control API under `/_emulator/`, for tests and scripts: fault
 * injection, device sign-in decisions, token revocation and session expiry.
 * It needs no token, because it exists only on a test server. `--no-control`
 * turns it off.
 */
export async function handleControl(ctx: RequestContext, route: string): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  switch (route) {
    case 'faults':
      return handleFaults(ctx, method);
    case 'device/approve':
    case 'device/decline':
      requirePost(method, route);
      return decide(ctx, route === 'device/approve' ? 'approve' : 'decline');
    case 'device/expire':
      requirePost(method, route);
      return expireDeviceCode(ctx);
    case 'tokens/revoke':
      requirePost(method, route);
      return revokeTokens(ctx);
    case 'uploadSessions/expire':
      requirePost(method, route);
      return expireUploadSessions(ctx);
    default:
      if (await handleDriveControl(ctx)) {
        return;
      }
      throw itemNotFound(`no control route /_emulator/${route}`);
  }
}

async function handleFaults(ctx: RequestContext, method: string): Promise<void> {
  const { faults } = ctx.emulator;
  if (method === 'GET') {
    sendJson(ctx.res, 200, { value: faults.list() });
    return;
  }
  if (method === 'DELETE') {
    faults.clear();
    sendEmpty(ctx.res, 204);
    return;
  }
  if (method === 'POST') {
    const fault = faults.add(await readJsonObject(ctx.req));
    ctx.log.info({ faultId: fault.id, fault: fault.fault.type }, 'fault registered');
    sendJson(ctx.res, 201, { id: fault.id });
    return;
  }
  throw methodNotAllowed(method, '/_emulator/faults');
}

async function decide(ctx: RequestContext, decision: 'approve' | 'decline'): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const userCode = requiredString(body, 'userCode');
  const username = decision === 'approve' ? requiredString(body, 'username') : '';
  const problem = decideDevice(ctx, userCode, username, decision);
  if (problem !== undefined) {
    throw invalidRequest(problem);
  }
  sendEmpty(ctx.res, 204);
}

async function expireDeviceCode(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const entry = ctx.emulator.grants.findByUserCode(requiredString(body, 'userCode'));
  if (!entry) {
    throw itemNotFound('no device sign-in has this user code');
  }
  expireDevice(entry);
  sendEmpty(ctx.res, 204);
}

async function revokeTokens(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const username = requiredString(body, 'username');
  const { store } = ctx.emulator;
  if (!store.getUser(username)) {
    throw itemNotFound(`no user named '${username}'`);
  }
  const revoked = store.deleteUserTokens(username, 'refresh');
  ctx.log.info({ username, revoked }, 'refresh tokens revoked');
  sendEmpty(ctx.res, 204);
}

async function expireUploadSessions(ctx: RequestContext): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const username = body.username;
  if (username !== undefined && typeof username !== 'string') {
    throw invalidRequest('username must be a string');
  }
  const expired = await ctx.emulator.uploads.expireAll(username);
  ctx.log.info({ username: username ?? null, expired }, 'upload sessions expired');
  sendJson(ctx.res, 200, { expired });
}

function requirePost(method: string, route: string): void {
  if (method !== 'POST') {
    throw methodNotAllowed(method, `/_emulator/${route}`);
  }
}

function requiredString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') {
    throw invalidRequest(`the body needs a non-empty string field '${key}'`);
  }
  return value;
}
