import type { Principal, RequestContext } from '../context.js';
import { dispatchDriveFeature, dispatchDriveLevelFeature } from '../drive/dispatch.js';
import { invalidRequest, methodNotAllowed, notSupported } from '../errors.js';
import { actionName, type Route, unsupportedItemAction } from '../router.js';
import { handleCreateChild, handleListChildren } from './children.js';
import { handleGetContent, handlePutContent } from './content.js';
import { handleCopy } from './copy.js';
import { handleDrive, handleDriveList, handleUser } from './drive.js';
import { handleDeleteItem, handleGetItem, handlePatchItem } from './items.js';
import { resolveAddress, resolveDrive } from './shared.js';
import { handleCreateUploadSession } from './upload-session.js';

type GraphRoute = Exclude<Route, { kind: 'token' }>;

/** Sends a routed Graph request to the handler of its resource. */
export async function dispatchGraph(
  ctx: RequestContext,
  route: GraphRoute,
  principal: Principal | undefined,
): Promise<void> {
  if (route.kind === 'unsupported') {
    throw notSupported(route.feature);
  }
  if (route.kind === 'unknown' || !principal) {
    throw invalidRequest(`no Graph resource matches ${ctx.req.method} ${ctx.rawPath}`);
  }
  const method = ctx.req.method ?? 'GET';
  const readOnly = method === 'GET' || method === 'HEAD';

  switch (route.kind) {
    case 'me':
      requireMethod(readOnly, method, '/me');
      return handleUser(ctx, principal);
    case 'user':
      requireMethod(readOnly, method, '/users/{id}');
      return handleUser(ctx, principal, route.userId);
    case 'drives':
      requireMethod(readOnly, method, '/me/drives');
      return handleDriveList(ctx, principal);
    case 'drive':
      requireMethod(readOnly, method, 'a drive');
      return handleDrive(ctx, principal, route.drive);
    case 'item':
      return dispatchItem(ctx, route, principal, method);
    case 'driveFeature':
      return dispatchDriveLevelFeature(ctx, principal, route);
  }
}

async function dispatchItem(
  ctx: RequestContext,
  route: Extract<Route, { kind: 'item' }>,
  principal: Principal,
  method: string,
): Promise<void> {
  const drive = resolveDrive(ctx, principal, route.drive);
  const [first, ...rest] = route.action;
  const item = () => resolveAddress(ctx, drive, route.base, route.path);
  if (await dispatchDriveFeature(ctx, principal, drive, route, method)) {
    return;
  }

  if (first === undefined) {
    switch (method) {
      case 'GET':
      case 'HEAD':
        return handleGetItem(ctx, drive, item());
      case 'PATCH':
        return handlePatchItem(ctx, principal, drive, item());
      case 'DELETE':
        return handleDeleteItem(ctx, drive, item());
      case 'PUT':
        throw notSupported(
          'PUT on a driveItem (committing an upload session with @microsoft.graph.sourceUrl)',
        );
      default:
        throw methodNotAllowed(method, 'a driveItem');
    }
  }

  const unsupported = unsupportedItemAction(first);
  if (unsupported) {
    throw notSupported(unsupported);
  }
  const action = actionName(first);
  if (rest.length > 0) {
    throw invalidRequest(`no Graph resource matches ${method} ${ctx.rawPath}`);
  }

  if (action === 'children') {
    if (method === 'GET' || method === 'HEAD') {
      return handleListChildren(ctx, drive, item());
    }
    if (method === 'POST') {
      return handleCreateChild(ctx, principal, drive, item());
    }
    throw methodNotAllowed(method, 'children');
  }
  if (action === 'content') {
    if (method === 'GET' || method === 'HEAD') {
      return handleGetContent(ctx, drive, item());
    }
    if (method === 'PUT') {
      return handlePutContent(ctx, principal, drive, route.base, route.path);
    }
    throw methodNotAllowed(method, 'content');
  }
  if (action === 'createuploadsession') {
    if (method === 'POST') {
      return handleCreateUploadSession(ctx, principal, drive, route.base, route.path);
    }
    throw methodNotAllowed(method, 'createUploadSession');
  }
  if (action === 'copy' || action === 'action.copy') {
    if (method === 'POST') {
      return handleCopy(ctx, principal, drive, item());
    }
    throw methodNotAllowed(method, 'copy');
  }
  throw invalidRequest(`'${first}' is not a driveItem property, relationship or action`);
}

function requireMethod(allowed: boolean, method: string, route: string): void {
  if (!allowed) {
    throw methodNotAllowed(method, route);
  }
}
