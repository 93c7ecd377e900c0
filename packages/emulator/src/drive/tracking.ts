import type { ItemRecord, MetadataStore } from '../store/types.js';
import { readRecord, sortableNumber } from './records.js';

/** One entry of a drive's change log: the item as it was right after the change. */
export interface ChangeEntry {
  seq: number;
  id: string;
  parentId: string | null;
  name: string;
  isFolder: boolean;
  /** The item went to the recycle bin or was purged. */
  deleted: boolean;
}

/** An earlier content version of a file; the current content is not stored here. */
export interface VersionEntry {
  /** 1 for the first content the file had. */
  number: number;
  blobKey: string;
  size: number;
  mimeType: string | null;
  hashes: Pick<ItemRecord, 'quickXorHash' | 'sha1Hash' | 'sha256Hash'>;
  lastModifiedDateTime: string;
  lastModifiedBy: string;
}

export const CHANGE_KIND = 'change';
const CHANGE_SEQ_KIND = 'changeSeq';
export const VERSION_KIND = 'version';

/** Last sequence number written to the change log of a drive (0 when empty). */
export function currentChangeSeq(store: MetadataStore, driveId: string): number {
  return readRecord<number>(store, CHANGE_SEQ_KIND, driveId) ?? 0;
}

export function versionPrefix(driveId: string, itemId: string): string {
  return `${driveId}:${itemId}:`;
}

/**
 * Hooks the item writes of a store so that every handler, present and future,
 * feeds the change log (for delta) and keeps replaced file content as a
 * version, without each handler having to remember it.
 */
export function attachDriveTracking(store: MetadataStore): void {
  const insertItem = store.insertItem.bind(store);
  const updateItem = store.updateItem.bind(store);
  const deleteItem = store.deleteItem.bind(store);

  store.insertItem = (item) => {
    insertItem(item);
    appendChange(store, item, item.deletedDateTime !== null);
  };
  store.updateItem = (item) => {
    const previous = store.getItem(item.driveId, item.id);
    if (previous && !previous.isFolder && previous.blobKey !== null) {
      if (previous.blobKey !== item.blobKey || previous.cTagVersion !== item.cTagVersion) {
        keepVersion(store, previous);
      }
    }
    updateItem(item);
    appendChange(store, item, item.deletedDateTime !== null);
  };
  store.deleteItem = (driveId, itemId) => {
    const previous = store.getItem(driveId, itemId);
    deleteItem(driveId, itemId);
    if (previous) {
      appendChange(store, previous, true);
      for (const version of store.listRecords(VERSION_KIND, versionPrefix(driveId, itemId))) {
        store.deleteRecord(VERSION_KIND, version.key);
      }
    }
  };
}

function appendChange(store: MetadataStore, item: ItemRecord, deleted: boolean): void {
  const seq = currentChangeSeq(store, item.driveId) + 1;
  store.putRecord(CHANGE_SEQ_KIND, item.driveId, seq);
  const entry: ChangeEntry = {
    seq,
    id: item.id,
    parentId: item.parentId,
    name: item.name,
    isFolder: item.isFolder,
    deleted,
  };
  store.putRecord(CHANGE_KIND, `${item.driveId}:${sortableNumber(seq)}`, entry);
}

/** Stores the content a file had before a content change (a new blob or a new cTag). */
function keepVersion(store: MetadataStore, previous: ItemRecord): void {
  if (previous.blobKey === null) {
    return;
  }
  const prefix = versionPrefix(previous.driveId, previous.id);
  const number = store.listRecords(VERSION_KIND, prefix).length + 1;
  const entry: VersionEntry = {
    number,
    blobKey: previous.blobKey,
    size: previous.size,
    mimeType: previous.mimeType,
    hashes: {
      quickXorHash: previous.quickXorHash,
      sha1Hash: previous.sha1Hash,
      sha256Hash: previous.sha256Hash,
    },
    lastModifiedDateTime: previous.lastModifiedDateTime,
    lastModifiedBy: previous.lastModifiedBy,
  };
  store.putRecord(VERSION_KIND, `${prefix}${sortableNumber(number)}`, entry);
}
