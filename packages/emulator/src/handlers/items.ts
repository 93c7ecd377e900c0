import type { Principal, RequestContext } from '../context.js';
import { accessDenied, invalidRequest, notSupported } from '../errors.js';
import { readJsonObject, sendEmpty, sendJson } from '../http.js';
import { applySelect, eTagOf, toDriveItem } from '../model/item-json.js';
import { validateName } from '../model/names.js';
import {
  assertPathLength,
  isWithin,
  recycle,
  requireItem,
  resolveConflict,
  resolvePath,
  timestamp,
  touchAncestors,
} from '../model/tree.js';
import type { DriveRecord, ItemRecord } from '../store/types.js';
import { sortedChildren } from './children.js';
import {
  assertQueryOptions,
  checkIfMatch,
  conflictBehaviorOf,
  ifNoneMatchHits,
  queryOption,
  selectOf,
} from './shared.js';

/** Children returned inline by `$expand=children`, which (as on OneDrive) has no next page. */
const EXPANDED_CHILDREN_LIMIT = 200;

/** `GET` and `HEAD` of an item; `If-None-Match` on the eTag or cTag gives 304. */
export function handleGetItem(ctx: RequestContext, drive: DriveRecord, item: ItemRecord): void {
  assertQueryOptions(ctx, ['select', 'expand']);
  const eTag = eTagOf(item);
  if (ifNoneMatchHits(ctx, item)) {
    sendEmpty(ctx.res, 304, { ETag: eTag });
    return;
  }
  const json = toDriveItem(ctx.emulator, drive, item);
  const expand = queryOption(ctx, 'expand');
  if (expand !== undefined) {
    if (expand.trim() !== 'children') {
      throw notSupported(`$expand=${expand}`);
    }
    json.children = item.isFolder
      ? sortedChildren(ctx.emulator.store, item, 'name asc')
          .slice(0, EXPANDED_CHILDREN_LIMIT)
          .map((child) => toDriveItem(ctx.emulator, drive, child))
      : [];
  }
  sendJson(ctx.res, 200, applySelect(json, selectOf(ctx)), { ETag: eTag });
}

/** `PATCH` an item: rename, move, description, fileSystemInfo. */
export async function handlePatchItem(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  item: ItemRecord,
): Promise<void> {
  checkIfMatch(ctx, item);
  const body = await readJsonObject(ctx.req);
  const { store } = ctx.emulator;

  const updated = store.transaction(() => {
    const fresh = requireItem(store, drive.id, item.id);
    const oldParentId = fresh.parentId;
    // The checks that only touch `fresh` run first, so a rejected PATCH never recycles anything.
    applyDescription(fresh, body);
    applyFileSystemInfo(fresh, body);
    applyMove(ctx, drive, fresh, body);

    fresh.eTagVersion += 1;
    fresh.lastModifiedDateTime = timestamp();
    fresh.lastModifiedBy = principal.user.username;
    store.updateItem(fresh);

    touchAncestors(store, parentOf(ctx, fresh));
    if (oldParentId !== fresh.parentId && oldParentId !== null) {
      touchAncestors(store, store.getItem(drive.id, oldParentId));
    }
    return requireItem(store, drive.id, fresh.id);
  });
  sendJson(ctx.res, 200, toDriveItem(ctx.emulator, drive, updated), { ETag: eTagOf(updated) });
}

/** `DELETE` an item: it moves to the recycle bin with everything below it. */
export function handleDeleteItem(ctx: RequestContext, drive: DriveRecord, item: ItemRecord): void {
  checkIfMatch(ctx, item);
  if (item.parentId === null) {
    throw accessDenied('the root folder of a drive cannot be deleted');
  }
  const { store } = ctx.emulator;
  store.transaction(() => {
    recycle(store, requireItem(store, drive.id, item.id));
    touchAncestors(store, parentOf(ctx, item));
  });
  ctx.log.info({ itemId: item.id, name: item.name }, 'item moved to the recycle bin');
  sendEmpty(ctx.res, 204);
}

function parentOf(ctx: RequestContext, item: ItemRecord): ItemRecord | undefined {
  return item.parentId === null
    ? undefined
    : ctx.emulator.store.getItem(item.driveId, item.parentId);
}

/** Applies `name` and `parentReference` (a rename, a move, or both). */
function applyMove(
  ctx: RequestContext,
  drive: DriveRecord,
  item: ItemRecord,
  body: Record<string, unknown>,
): void {
  const { store } = ctx.emulator;
  const nameValue = body.name;
  const reference = body.parentReference;
  if (nameValue === undefined && reference === undefined) {
    return;
  }
  if (item.parentId === null) {
    throw invalidRequest('the root folder cannot be renamed or moved');
  }
  if (nameValue !== undefined && typeof nameValue !== 'string') {
    throw invalidRequest('name must be a string', 'invalidParameterFormat');
  }
  const newName = nameValue ?? item.name;
  validateName(newName, item.isFolder ? 'folder' : 'file');

  let parent = requireItem(store, drive.id, item.parentId);
  if (reference !== undefined && reference !== null) {
    parent = resolveParentReference(ctx, drive, reference);
    if (!parent.isFolder) {
      throw invalidRequest(`the new parent ${parent.id} is not a folder`);
    }
    if (isWithin(store, parent, item)) {
      throw invalidRequest('a folder cannot be moved into itself or one of its descendants');
    }
  }

  const behavior = conflictBehaviorOf(ctx, body, 'fail');
  const placed = resolveConflict(store, parent, newName, item.isFolder, behavior, item.id);
  // NOTE: only the moved item's own path is checked, not the paths of its descendants.
  assertPathLength(store, parent, placed.name);
  if (placed.existing) {
    recycle(store, placed.existing);
  }
  item.name = placed.name;
  item.parentId = parent.id;
}

/** Resolves `parentReference` by `id` or by `path` (`/drive/root:/a/b`). */
function resolveParentReference(
  ctx: RequestContext,
  drive: DriveRecord,
  reference: unknown,
): ItemRecord {
  if (typeof reference !== 'object' || reference === null) {
    throw invalidRequest('parentReference must be an object', 'invalidParameterFormat');
  }
  const { id, driveId, path } = reference as Record<string, unknown>;
  if (driveId !== undefined && driveId !== null && driveId !== drive.id) {
    throw invalidRequest('an item cannot be moved to another drive; copy it instead');
  }
  const { store } = ctx.emulator;
  if (typeof id === 'string') {
    // OneDrive does not accept the `root` alias here; clients must send the root's id.
    if (id === 'root') {
      throw invalidRequest(
        "parentReference.id 'root' is not accepted; use the id of the root item",
      );
    }
    return requireItem(store, drive.id, id);
  }
  if (typeof path === 'string') {
    const colon = path.indexOf(':');
    if (colon === -1) {
      throw invalidRequest(`parentReference.path '${path}' must look like /drive/root:/folder`);
    }
    const segments = path
      .slice(colon + 1)
      .split('/')
      .filter((segment) => segment.length > 0)
      .map((segment) => decodeURIComponent(segment));
    return resolvePath(store, requireItem(store, drive.id, drive.rootId), segments);
  }
  throw invalidRequest('parentReference needs an id or a path');
}

function applyDescription(item: ItemRecord, body: Record<string, unknown>): void {
  if (!('description' in body)) {
    return;
  }
  const value = body.description;
  if (value !== null && typeof value !== 'string') {
    throw invalidRequest('description must be a string or null', 'invalidParameterFormat');
  }
  item.description = value;
}

function applyFileSystemInfo(item: ItemRecord, body: Record<string, unknown>): void {
  const info = body.fileSystemInfo;
  if (info === undefined || info === null) {
    return;
  }
  if (typeof info !== 'object') {
    throw invalidRequest('fileSystemInfo must be an object', 'invalidParameterFormat');
  }
  const { createdDateTime, lastModifiedDateTime } = info as Record<string, unknown>;
  if (createdDateTime !== undefined) {
    item.fsCreatedDateTime = parseDateTime('fileSystemInfo.createdDateTime', createdDateTime);
  }
  if (lastModifiedDateTime !== undefined) {
    item.fsModifiedDateTime = parseDateTime(
      'fileSystemInfo.lastModifiedDateTime',
      lastModifiedDateTime,
    );
  }
}

/** Accepts an ISO 8601 date-time with a zone and normalises it to UTC. */
export function parseDateTime(field: string, value: unknown): string {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  if (typeof value !== 'string' || !iso.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalidRequest(
      `${field} is ${JSON.stringify(value)}; it must be an ISO 8601 date-time such as 2024-01-31T12:00:00Z`,
      'invalidParameterFormat',
    );
  }
  return timestamp(new Date(value));
}
