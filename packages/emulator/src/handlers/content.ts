import type { Principal, RequestContext } from '../context.js';
import {
  invalidRequest,
  itemNotFound,
  maxFileSizeExceeded,
  nameAlreadyExists,
  notSupported,
  resourceModified,
} from '../errors.js';
import { headerValue, sendEmpty, sendJson } from '../http.js';
import { eTagOf, toDriveItem } from '../model/item-json.js';
import { mimeTypeOf } from '../model/mime.js';
import { validateName } from '../model/names.js';
import { assertQuota } from '../model/quota.js';
import {
  assertPathLength,
  newItem,
  requireItem,
  resolveConflict,
  resolvePath,
  timestamp,
  touchAncestors,
} from '../model/tree.js';
import type { ItemBase } from '../router.js';
import { type BlobInfo, BlobTooLargeError } from '../store/blob-store.js';
import type { DriveRecord, ItemRecord } from '../store/types.js';
import {
  assertQueryOptions,
  checkIfMatch,
  conflictBehaviorOf,
  ifNoneMatchHits,
  resolveBase,
} from './shared.js';

/** Largest simple upload, in bytes: the current Graph docs allow 250 MB on PUT content. */
export const MAX_SIMPLE_UPLOAD_BYTES = 250 * 1024 * 1024;

/** `GET …/content`: 302 to the pre-authenticated download URL. */
export function handleGetContent(ctx: RequestContext, drive: DriveRecord, item: ItemRecord): void {
  assertQueryOptions(ctx, []);
  if (ctx.query.has('format')) {
    throw notSupported(`format conversion (?format=${ctx.query.get('format')})`);
  }
  if (item.isFolder || item.blobKey === null) {
    throw itemNotFound(`item ${item.id} is a folder and has no content to download`);
  }
  if (ifNoneMatchHits(ctx, item)) {
    sendEmpty(ctx.res, 304, { ETag: eTagOf(item) });
    return;
  }
  const location = ctx.emulator.preauth.createDownloadUrl({
    driveId: drive.id,
    itemId: item.id,
    blobKey: item.blobKey,
    name: item.name,
    size: item.size,
    mimeType: item.mimeType ?? 'application/octet-stream',
    eTag: eTagOf(item),
  });
  sendEmpty(ctx.res, 302, { Location: location });
}

/** Target of a simple upload: an existing item, or a new name in a folder. */
export interface UploadTarget {
  parent: ItemRecord;
  name: string;
  existing: ItemRecord | undefined;
}

/**
 * `PUT …/content`: simple upload by id (replaces the file) or by path
 * (creates or replaces). Conflict behaviour comes from the query and
 * defaults to `replace`. Returns 201 for a new file, 200 for a replaced one.
 */
export async function handlePutContent(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  base: ItemBase,
  path: readonly string[],
): Promise<void> {
  const { store, blobs, options } = ctx.emulator;
  const target = findUploadTarget(ctx, drive, base, path);
  const behavior = conflictBehaviorOf(ctx, undefined, 'replace');
  checkUploadPreconditions(ctx, target, behavior);

  const declaredLength = parseContentLength(headerValue(ctx.req, 'content-length'));
  if (declaredLength !== undefined) {
    if (declaredLength > MAX_SIMPLE_UPLOAD_BYTES) {
      throw maxFileSizeExceeded(declaredLength, MAX_SIMPLE_UPLOAD_BYTES);
    }
    assertQuota(
      store,
      drive.id,
      options.quotaBytes,
      declaredLength - (target.existing?.size ?? 0),
      target.existing ? 'replace' : 'create',
    );
  }

  let blob: BlobInfo;
  try {
    blob = await blobs.write(ctx.req, MAX_SIMPLE_UPLOAD_BYTES);
  } catch (error) {
    if (error instanceof BlobTooLargeError) {
      throw maxFileSizeExceeded(error.limitBytes + 1, MAX_SIMPLE_UPLOAD_BYTES);
    }
    throw error;
  }

  // Metadata changes only after the bytes are durable, so a crash never leaves a partial item.
  const { item, created } = store.transaction(() =>
    commitUpload(ctx, principal, drive, target, behavior, blob),
  );
  ctx.log.info(
    { itemId: item.id, name: item.name, size: item.size, created },
    created ? 'file uploaded' : 'file content replaced',
  );
  sendJson(ctx.res, created ? 201 : 200, toDriveItem(ctx.emulator, drive, item), {
    ETag: eTagOf(item),
  });
}

export function findUploadTarget(
  ctx: RequestContext,
  drive: DriveRecord,
  base: ItemBase,
  path: readonly string[],
): UploadTarget {
  const { store } = ctx.emulator;
  const baseItem = resolveBase(ctx, drive, base);
  if (path.length === 0) {
    if (baseItem.isFolder || baseItem.parentId === null) {
      throw invalidRequest(
        `item ${baseItem.id} is a folder; upload to a file id or to a path such as …/items/{folder-id}:/name.txt:/content`,
      );
    }
    const parent = requireItem(store, drive.id, baseItem.parentId);
    return { parent, name: baseItem.name, existing: baseItem };
  }

  const name = path[path.length - 1] as string;
  let parent: ItemRecord;
  try {
    parent = resolvePath(store, baseItem, path.slice(0, -1));
  } catch {
    // Simple upload does not create missing parent folders.
    throw itemNotFound(
      `the parent folder '${path.slice(0, -1).join('/')}' does not exist; create it first`,
    );
  }
  if (!parent.isFolder) {
    throw invalidRequest(`the parent '${parent.name}' is a file, not a folder`);
  }
  validateName(name, 'file');
  assertPathLength(store, parent, name);
  return { parent, name, existing: store.findChild(drive.id, parent.id, name) };
}

export function checkUploadPreconditions(
  ctx: RequestContext,
  target: UploadTarget,
  behavior: 'fail' | 'replace' | 'rename',
): void {
  if (target.existing?.isFolder) {
    throw nameAlreadyExists(target.name);
  }
  if (target.existing && behavior === 'fail') {
    throw nameAlreadyExists(target.name);
  }
  // `If-None-Match: *` requests create-only, and a matching tag also means the item already exists.
  const ifNoneMatch = headerValue(ctx.req, 'if-none-match');
  if (ifNoneMatch !== undefined && target.existing && ifNoneMatchHits(ctx, target.existing)) {
    throw resourceModified(ifNoneMatch);
  }
  const ifMatch = headerValue(ctx.req, 'if-match');
  if (ifMatch !== undefined && !target.existing) {
    throw resourceModified(ifMatch);
  }
  checkIfMatch(ctx, target.existing);
}

function parseContentLength(value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value)) {
    throw invalidRequest(`Content-Length '${value}' is not a byte count`);
  }
  return Number(value);
}

/** Creates or updates the item for a stored blob; runs inside a transaction. */
export function commitUpload(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  target: UploadTarget,
  behavior: 'fail' | 'replace' | 'rename',
  blob: BlobInfo,
): { item: ItemRecord; created: boolean } {
  const { store, options } = ctx.emulator;
  const actor = principal.user.username;
  const parent = requireItem(store, drive.id, target.parent.id);

  // Another request may have created the name while the body streamed.
  let existing = target.existing
    ? store.getItem(drive.id, target.existing.id)
    : store.findChild(drive.id, parent.id, target.name);
  if (existing && existing.deletedDateTime !== null) {
    existing = undefined;
  }
  let name = target.name;
  if (existing && behavior === 'fail') {
    throw nameAlreadyExists(name);
  }
  if (existing?.isFolder) {
    throw nameAlreadyExists(name);
  }
  if (existing && behavior === 'rename') {
    name = resolveConflict(store, parent, name, false, 'rename').name;
    existing = undefined;
  }

  const added = blob.size - (existing?.size ?? 0);
  assertQuota(store, drive.id, options.quotaBytes, added, existing ? 'replace' : 'create');

  const now = timestamp();
  const content = {
    size: blob.size,
    blobKey: blob.key,
    quickXorHash: blob.quickXorHash,
    sha1Hash: blob.sha1Hash,
    sha256Hash: blob.sha256Hash,
    lastModifiedDateTime: now,
    // Uploading content without fileSystemInfo resets the client-side modified time.
    fsModifiedDateTime: now,
    lastModifiedBy: actor,
  };
  let item: ItemRecord;
  if (existing) {
    item = { ...existing, ...content };
    item.eTagVersion += 1;
    item.cTagVersion += 1;
    store.updateItem(item);
  } else {
    item = newItem(
      store,
      drive,
      { parentId: parent.id, name, isFolder: false, mimeType: mimeTypeOf(name), ...content },
      actor,
    );
    store.insertItem(item);
  }
  touchAncestors(store, parent);
  return { item, created: !existing };
}
