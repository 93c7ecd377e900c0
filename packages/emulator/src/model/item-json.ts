import type { Emulator } from '../context.js';
import { addDriveFacets } from '../drive/facets.js';
import type { DriveRecord, ItemRecord, UserRecord } from '../store/types.js';
import { folderSize, pathNames } from './tree.js';

/** Wire shape of an identitySet holding a user. */
export interface IdentitySet {
  user: { id: string; displayName: string };
}

export type DriveItemJson = Record<string, unknown>;

export function eTagOf(item: ItemRecord): string {
  return `"{${item.tagGuid}},${item.eTagVersion}"`;
}

export function cTagOf(item: ItemRecord): string {
  return `"c:{${item.tagGuid}},${item.cTagVersion}"`;
}

/** identitySet of a user; personal accounts use the lowercase CID as the user id. */
export function identityOf(user: UserRecord | undefined, username: string): IdentitySet {
  return {
    user: { id: user ? user.cid.toLowerCase() : username, displayName: username },
  };
}

/**
 * Serialises an item as a Graph driveItem. `parentReference.path` has the
 * form `/drive/root:/a/b`, each segment percent-encoded as Graph returns it.
 */
export function toDriveItem(
  emulator: Emulator,
  drive: DriveRecord,
  item: ItemRecord,
): DriveItemJson {
  const { store } = emulator;
  const json: DriveItemJson = {};

  if (!item.isFolder && item.blobKey !== null) {
    json['@microsoft.graph.downloadUrl'] = emulator.preauth.createDownloadUrl({
      driveId: drive.id,
      itemId: item.id,
      blobKey: item.blobKey,
      name: item.name,
      size: item.size,
      mimeType: item.mimeType ?? 'application/octet-stream',
      eTag: eTagOf(item),
    });
  }
  json.id = item.id;
  json.name = item.parentId === null ? 'root' : item.name;
  json.eTag = eTagOf(item);
  json.cTag = cTagOf(item);
  json.size = item.isFolder ? folderSize(store, item) : item.size;
  json.createdDateTime = item.createdDateTime;
  json.lastModifiedDateTime = item.lastModifiedDateTime;
  json.webUrl = `${emulator.url}/web/${drive.id}/${encodeURIComponent(item.id)}`;
  json.createdBy = identityOf(store.getUser(item.createdBy), item.createdBy);
  json.lastModifiedBy = identityOf(store.getUser(item.lastModifiedBy), item.lastModifiedBy);
  json.parentReference = parentReferenceOf(emulator, drive, item);
  json.fileSystemInfo = {
    createdDateTime: item.fsCreatedDateTime,
    lastModifiedDateTime: item.fsModifiedDateTime,
  };
  if (item.description !== null) {
    json.description = item.description;
  }
  if (item.isFolder) {
    json.folder = { childCount: store.countChildren(item.driveId, item.id) };
  } else {
    json.file = {
      mimeType: item.mimeType ?? 'application/octet-stream',
      hashes: {
        quickXorHash: item.quickXorHash,
        sha1Hash: item.sha1Hash,
        sha256Hash: item.sha256Hash,
      },
    };
  }
  if (item.parentId === null) {
    json.root = {};
  }
  if (item.deletedDateTime !== null) {
    json.deleted = { state: 'softDeleted' };
  }
  addDriveFacets(emulator, drive, item, json);
  return json;
}

function parentReferenceOf(
  emulator: Emulator,
  drive: DriveRecord,
  item: ItemRecord,
): Record<string, unknown> {
  const reference: Record<string, unknown> = { driveId: drive.id, driveType: 'personal' };
  if (item.parentId === null) {
    return reference;
  }
  reference.id = item.parentId;
  const parent = emulator.store.getItem(item.driveId, item.parentId);
  if (parent) {
    const names = pathNames(emulator.store, parent);
    reference.name = parent.parentId === null ? 'root' : parent.name;
    reference.path =
      names.length === 0
        ? '/drive/root:'
        : `/drive/root:/${names.map((name) => encodeURIComponent(name)).join('/')}`;
  }
  return reference;
}

/**
 * Applies `$select`: keeps the listed top-level properties. `id` is always
 * kept, as OneDrive's own example response shows.
 */
export function applySelect(
  json: DriveItemJson,
  select: readonly string[] | undefined,
): DriveItemJson {
  if (!select) {
    return json;
  }
  const kept: DriveItemJson = {};
  for (const key of ['id', ...select]) {
    if (key in json) {
      kept[key] = json[key];
    }
  }
  return kept;
}
