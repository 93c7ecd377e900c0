import type { Principal, RequestContext } from '../context.js';
import { invalidRequest, methodNotAllowed } from '../errors.js';
import { resolveAddress, resolveDrive } from '../handlers/shared.js';
import { sendJson } from '../http.js';
import { eTagOf, toDriveItem } from '../model/item-json.js';
import { actionName, type Route } from '../router.js';
import type { DriveRecord, ItemRecord } from '../store/types.js';
import { handleDelta } from './delta.js';
import { handleCreateLink, handleInvite, handlePermissions } from './permissions.js';
import { anyItem, handlePermanentDelete, handleRestore } from './recycle-bin.js';
import { handleRecent, handleSearch } from './search.js';
import { handleThumbnails } from './thumbnails.js';
import { handleVersions } from './versions.js';

type ItemRoute = Extract<Route, { kind: 'item' }>;

/**
 * Routes the item requests of the drive features (delta, search, thumbnails,
 * versions, permissions, sharing links, recycle bin). Returns false when the
 * request belongs to the core item handlers.
 */
export async function dispatchDriveFeature(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  route: ItemRoute,
  method: string,
): Promise<boolean> {
  const [first, ...rest] = route.action;
  const byIdOnly = route.base.kind === 'id' && route.path.length === 0;
  const { store } = ctx.emulator;
  if (first === undefined) {
    // Only personal drives, and only by id, return an item from the recycle bin.
    if (
      (method === 'GET' || method === 'HEAD') &&
      ctx.query.get('includeDeletedItems') === 'true' &&
      route.base.kind === 'id' &&
      byIdOnly
    ) {
      const item = anyItem(store, drive, route.base.itemId);
      sendJson(ctx.res, 200, toDriveItem(ctx.emulator, drive, item), { ETag: eTagOf(item) });
      return true;
    }
    return false;
  }
  const item = () => resolveAddress(ctx, drive, route.base, route.path);
  const binItem = (): ItemRecord =>
    route.base.kind === 'id' && byIdOnly ? anyItem(store, drive, route.base.itemId) : item();
  const name = actionName(first);
  const noMore = () => {
    if (rest.length > 0) {
      throw invalidRequest(`no Graph resource matches ${method} ${ctx.rawPath}`);
    }
  };
  switch (name) {
    case 'delta':
      noMore();
      requireMethod(method, ['GET'], 'delta');
      handleDelta(ctx, drive, item(), first);
      return true;
    case 'search':
      noMore();
      requireMethod(method, ['GET'], 'search');
      await handleSearch(ctx, drive, item(), first);
      return true;
    case 'thumbnails':
      await handleThumbnails(ctx, item(), rest);
      return true;
    case 'versions':
      handleVersions(ctx, drive, item(), rest);
      return true;
    case 'permissions':
      await handlePermissions(ctx, principal, drive, item(), rest);
      return true;
    case 'createlink':
      noMore();
      requireMethod(method, ['POST'], 'createLink');
      await handleCreateLink(ctx, drive, item());
      return true;
    case 'invite':
      noMore();
      requireMethod(method, ['POST'], 'invite');
      await handleInvite(ctx, drive, item());
      return true;
    case 'restore':
      noMore();
      requireMethod(method, ['POST'], 'restore');
      await handleRestore(ctx, drive, binItem());
      return true;
    case 'permanentdelete':
      noMore();
      requireMethod(method, ['POST'], 'permanentDelete');
      handlePermanentDelete(ctx, drive, binItem());
      return true;
    default:
      return false;
  }
}

/** `GET /me/drive/recent` and `GET /me/drive/search(q='…')`. */
export async function dispatchDriveLevelFeature(
  ctx: RequestContext,
  principal: Principal,
  route: Extract<Route, { kind: 'driveFeature' }>,
): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  requireMethod(method, ['GET'], route.feature);
  const drive = resolveDrive(ctx, principal, route.drive);
  if (route.feature === 'recent') {
    handleRecent(ctx, drive);
    return;
  }
  const root = anyItem(ctx.emulator.store, drive, drive.rootId);
  await handleSearch(ctx, drive, root, route.segment);
}

function requireMethod(method: string, allowed: string[], what: string): void {
  if (!allowed.includes(method)) {
    throw methodNotAllowed(method, what);
  }
}
