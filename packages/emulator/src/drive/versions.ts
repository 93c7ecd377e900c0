import type { RequestContext } from '../context.js';
import { invalidRequest, itemNotFound, methodNotAllowed } from '../errors.js';
import { sendEmpty, sendJson } from '../http.js';
import { identityOf } from '../model/item-json.js';
import { requireItem, timestamp, touchAncestors } from '../model/tree.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { listRecordValues } from './records.js';
import { VERSION_KIND, type VersionEntry, versionPrefix } from './tracking.js';

/** Bytes held by the earlier versions of the drive's files (quota `used` counts them). */
export function storedVersionBytes(store: MetadataStore, driveId: string): number {
  return listRecordValues<VersionEntry>(store, VERSION_KIND, `${driveId}:`).reduce(
    (total, version) => total + version.size,
    0,
  );
}

/** Every version of a file, newest (the current content) first. */
function versionsOf(store: MetadataStore, item: ItemRecord): VersionEntry[] {
  const earlier = listRecordValues<VersionEntry>(
    store,
    VERSION_KIND,
    versionPrefix(item.driveId, item.id),
  );
  const current: VersionEntry = {
    number: earlier.length + 1,
    blobKey: item.blobKey ?? '',
    size: item.size,
    mimeType: item.mimeType,
    hashes: {
      quickXorHash: item.quickXorHash,
      sha1Hash: item.sha1Hash,
      sha256Hash: item.sha256Hash,
    },
    lastModifiedDateTime: item.lastModifiedDateTime,
    lastModifiedBy: item.lastModifiedBy,
  };
  return [current, ...earlier.reverse()];
}

function versionJson(ctx: RequestContext, version: VersionEntry): Record<string, unknown> {
  const { store } = ctx.emulator;
  return {
    id: `${version.number}.0`,
    lastModifiedDateTime: version.lastModifiedDateTime,
    lastModifiedBy: identityOf(store.getUser(version.lastModifiedBy), version.lastModifiedBy),
    size: version.size,
  };
}

/**
 * `…/versions`, `…/versions/{id}`, `…/versions/{id}/content` (302 to a
 * download URL) and `POST …/versions/{id}/restoreVersion` (204; the old
 * content becomes a new current version and the earlier versions stay).
 */
export function handleVersions(
  ctx: RequestContext,
  drive: DriveRecord,
  item: ItemRecord,
  rest: string[],
): void {
  if (item.isFolder || item.blobKey === null) {
    throw invalidRequest('only files have versions');
  }
  const method = ctx.req.method ?? 'GET';
  const { store } = ctx.emulator;
  const versions = versionsOf(store, item);
  const [versionId, action, ...extra] = rest;
  if (versionId === undefined) {
    requireRead(method, 'versions');
    sendJson(ctx.res, 200, { value: versions.map((version) => versionJson(ctx, version)) });
    return;
  }
  const version = versions.find((candidate) => `${candidate.number}.0` === versionId);
  if (!version || extra.length > 0) {
    throw itemNotFound(`item ${item.id} has no version ${versionId}`);
  }
  if (action === undefined) {
    requireRead(method, 'a version');
    sendJson(ctx.res, 200, versionJson(ctx, version));
    return;
  }
  if (action === 'content') {
    requireRead(method, 'version content');
    const location = ctx.emulator.preauth.createDownloadUrl({
      driveId: drive.id,
      itemId: item.id,
      blobKey: version.blobKey,
      name: item.name,
      size: version.size,
      mimeType: version.mimeType ?? 'application/octet-stream',
      // A tag per version, so the download URL of the current content is never reused for it.
      eTag: `"{${item.tagGuid}},v${version.number}"`,
    });
    sendEmpty(ctx.res, 302, { Location: location });
    return;
  }
  if (action.toLowerCase() === 'restoreversion') {
    if (method !== 'POST') {
      throw methodNotAllowed(method, 'restoreVersion');
    }
    store.transaction(() => {
      const fresh = requireItem(store, drive.id, item.id);
      if (version.number === versions[0]?.number) {
        return;
      }
      const restored = earlierContent(fresh, version);
      store.updateItem(restored);
      const parent = fresh.parentId === null ? undefined : store.getItem(drive.id, fresh.parentId);
      touchAncestors(store, parent);
    });
    sendEmpty(ctx.res, 204);
    return;
  }
  throw invalidRequest(`'${action}' is not a property or action of a version`);
}

/** The item with the content of an earlier version. */
function earlierContent(item: ItemRecord, version: VersionEntry): ItemRecord {
  const now = timestamp();
  return {
    ...item,
    blobKey: version.blobKey,
    size: version.size,
    mimeType: version.mimeType,
    ...version.hashes,
    lastModifiedDateTime: now,
    fsModifiedDateTime: now,
    eTagVersion: item.eTagVersion + 1,
    cTagVersion: item.cTagVersion + 1,
  };
}

function requireRead(method: string, what: string): void {
  if (method !== 'GET' && method !== 'HEAD') {
    throw methodNotAllowed(method, what);
  }
}
