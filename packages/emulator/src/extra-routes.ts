import type { RequestContext } from './context.js';
import { handleControl } from './control.js';
import { handleAuthorize } from './identity/authorize.js';
import { DEVICE_LOGIN_PATH, handleDeviceCode, handleDeviceLogin } from './identity/device.js';

/**
 * Routes of the API listener outside the Graph grammar: the control API,
 * the sign-in pages and the device code endpoint. Returns false when the path
 * matches none of them, so the Graph router handles it.
 */
export async function handleExtraRoute(ctx: RequestContext): Promise<boolean> {
  const { rawPath } = ctx;
  if (ctx.emulator.options.controlEnabled && rawPath.startsWith('/_emulator/')) {
    await handleControl(ctx, rawPath.slice('/_emulator/'.length).replace(/\/$/, ''));
    return true;
  }
  if (rawPath === DEVICE_LOGIN_PATH || rawPath === `${DEVICE_LOGIN_PATH}/`) {
    await handleDeviceLogin(ctx);
    return true;
  }
  const identity = /^\/([^/]+)\/oauth2\/v2\.0\/(authorize|devicecode)\/?$/.exec(rawPath);
  if (identity?.[1] && identity[2]) {
    if (identity[2] === 'authorize') {
      await handleAuthorize(ctx, identity[1]);
    } else {
      await handleDeviceCode(ctx);
    }
    return true;
  }
  return false;
}
