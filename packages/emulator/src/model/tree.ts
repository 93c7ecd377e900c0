import { invalidRequest, itemNotFound, nameAlreadyExists } from '../errors.js';
import { newGuid } from '../ids.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { MAX_PATH_CHARACTERS, renameCandidates } from './names.js';

export type ConflictBehavior = 'fail' | 'replace' | 'rename';

/** Formats a Graph timestamp: ISO 8601 in UTC with milliseconds, so changes within one second still sort. */
export function timestamp(date = new Date()): string {
  return date.toISOString();
}

/** Finds a live item by id, or throws 404. */
export function requireItem(store: MetadataStore, driveId: string, itemId: string): ItemRecord {
  const item = store.getItem(driveId, itemId);
  if (!item || item.deletedDateTime !== null) {
    throw itemNotFound(`item ${itemId} was not found in drive ${driveId}`);
  }
  return item;
}

/** Walks decoded path segments from `base`, matching names case-insensitively. */
export function resolvePath(
  store: MetadataStore,
  base: ItemRecord,
  segments: readonly string[],
): ItemRecord {
  let current = base;
  for (const segment of segments) {
    const child = current.isFolder
      ? store.findChild(current.driveId, current.id, segment)
      : undefined;
    if (!child) {
      throw itemNotFound(`no item at path '${segments.join('/')}'`);
    }
    current = child;
  }
  return current;
}

/** Names from the root down to `item`, excluding the root itself. */
export function pathNames(store: MetadataStore, item: ItemRecord): string[] {
  const names: string[] = [];
  let current: ItemRecord | undefined = item;
  while (current && current.parentId !== null) {
    names.unshift(current.name);
    current = store.getItem(current.driveId, current.parentId);
  }
  return names;
}

/** Throws 400 when `parent/name` would reach the 400-character limit on decoded paths. */
export function assertPathLength(store: MetadataStore, parent: ItemRecord, name: string): void {
  const path = `/${[...pathNames(store, parent), name].join('/')}`;
  if (path.length >= MAX_PATH_CHARACTERS) {
    throw invalidRequest(
      `the path ${path.slice(0, 40)}… is ${path.length} characters long; OneDrive paths must be shorter than ${MAX_PATH_CHARACTERS}`,
      'pathIsTooLong',
    );
  }
}

/** True when `candidate` is `ancestor` or lies below it. */
export function isWithin(
  store: MetadataStore,
  candidate: ItemRecord,
  ancestor: ItemRecord,
): boolean {
  let current: ItemRecord | undefined = candidate;
  while (current) {
    if (current.id === ancestor.id) {
      return true;
    }
    current =
      current.parentId === null ? undefined : store.getItem(current.driveId, current.parentId);
  }
  return false;
}

/** Total bytes of the live files below a folder. */
export function folderSize(store: MetadataStore, folder: ItemRecord): number {
  let total = 0;
  for (const child of store.listChildren(folder.driveId, folder.id)) {
    total += child.isFolder ? folderSize(store, child) : child.size;
  }
  return total;
}

/**
 * Records that content below `folder` changed. A folder's cTag follows the
 * content of its descendants, while its eTag follows only its own properties.
 */
export function touchAncestors(store: MetadataStore, folder: ItemRecord | undefined): void {
  let current = folder;
  while (current) {
    current.cTagVersion += 1;
    store.updateItem(current);
    current =
      current.parentId === null ? undefined : store.getItem(current.driveId, current.parentId);
  }
}

/** Builds a fresh item record with a new id from the drive's counter. */
export function newItem(
  store: MetadataStore,
  drive: DriveRecord,
  fields: Pick<ItemRecord, 'parentId' | 'name' | 'isFolder'> & Partial<ItemRecord>,
  actor: string,
): ItemRecord {
  const now = timestamp();
  return {
    id: `${drive.cid}!${store.allocateItemNumber(drive.id)}`,
    driveId: drive.id,
    size: 0,
    blobKey: null,
    mimeType: null,
    quickXorHash: null,
    sha1Hash: null,
    sha256Hash: null,
    createdDateTime: now,
    lastModifiedDateTime: now,
    fsCreatedDateTime: now,
    fsModifiedDateTime: now,
    description: null,
    tagGuid: newGuid(),
    eTagVersion: 1,
    cTagVersion: 1,
    createdBy: actor,
    lastModifiedBy: actor,
    deletedDateTime: null,
    ...fields,
  };
}

/**
 * Decides where a new name lands in `parent` under a conflict behaviour.
 * Returns the name to use and the live item it collides with, if any.
 * `replace` returns the colliding item, `fail` throws 409 and `rename` picks a free name.
 */
export function resolveConflict(
  store: MetadataStore,
  parent: ItemRecord,
  name: string,
  isFolder: boolean,
  behavior: ConflictBehavior,
  ignoreId?: string,
): { name: string; existing: ItemRecord | undefined } {
  const existing = store.findChild(parent.driveId, parent.id, name);
  if (!existing || existing.id === ignoreId) {
    return { name, existing: undefined };
  }
  if (behavior === 'fail') {
    throw nameAlreadyExists(name);
  }
  if (behavior === 'replace') {
    return { name, existing };
  }
  for (const candidate of renameCandidates(name, isFolder)) {
    if (!store.findChild(parent.driveId, parent.id, candidate)) {
      return { name: candidate, existing: undefined };
    }
  }
  // renameCandidates never ends, so this line is unreachable.
  throw nameAlreadyExists(name);
}

/** Moves an item and everything below it to the recycle bin. */
export function recycle(store: MetadataStore, item: ItemRecord, now = timestamp()): void {
  if (item.isFolder) {
    for (const child of store.listChildren(item.driveId, item.id)) {
      recycle(store, child, now);
    }
  }
  item.deletedDateTime = now;
  item.eTagVersion += 1;
  store.updateItem(item);
}
