import type { Emulator } from '../context.js';
import { invalidRequest } from '../errors.js';
import { mimeTypeOf } from '../model/mime.js';
import { validateName } from '../model/names.js';
import { newItem, resolveConflict, resolvePath, touchAncestors } from '../model/tree.js';
import type { BlobInfo } from '../store/blob-store.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { readRecord } from './records.js';

const PACKAGE_KIND = 'package';
/** Largest file of a package created through the control API, in bytes. */
const PACKAGE_FILE_LIMIT = 4 * 1024 * 1024;

/** Returns the `package.type` of a package item (a OneNote notebook), else undefined. */
export function packageTypeOf(store: MetadataStore, item: ItemRecord): string | undefined {
  return readRecord<string>(store, PACKAGE_KIND, `${item.driveId}:${item.id}`);
}

/**
 * Creates a OneNote package: a folder-like item with the `package` facet and
 * the given files inside. OneDrive creates these only through OneNote, so the
 * emulator offers this through its control API for tests.
 */
export async function createPackage(
  emulator: Emulator,
  drive: DriveRecord,
  request: { parentPath: string; name: string; files: Array<{ name: string; content: string }> },
): Promise<ItemRecord> {
  const { store, blobs } = emulator;
  validateName(request.name, 'folder');
  for (const file of request.files) {
    validateName(file.name, 'file');
  }
  const blobsOfFiles: Array<{ name: string; blob: BlobInfo }> = [];
  for (const file of request.files) {
    const bytes = Buffer.from(file.content, 'utf8');
    blobsOfFiles.push({
      name: file.name,
      blob: await blobs.write(oneChunk(bytes), PACKAGE_FILE_LIMIT),
    });
  }
  return store.transaction(() => {
    const root = store.getItem(drive.id, drive.rootId) as ItemRecord;
    const segments = request.parentPath.split('/').filter((segment) => segment.length > 0);
    const parent = resolvePath(store, root, segments);
    if (!parent.isFolder) {
      throw invalidRequest(`parentPath ${request.parentPath} is not a folder`);
    }
    resolveConflict(store, parent, request.name, true, 'fail');
    const folder = newItem(
      store,
      drive,
      { parentId: parent.id, name: request.name, isFolder: true },
      drive.owner,
    );
    store.putRecord(PACKAGE_KIND, `${drive.id}:${folder.id}`, 'oneNote');
    store.insertItem(folder);
    for (const { name, blob } of blobsOfFiles) {
      const file = newItem(
        store,
        drive,
        {
          parentId: folder.id,
          name,
          isFolder: false,
          mimeType: mimeTypeOf(name),
          size: blob.size,
          blobKey: blob.key,
          quickXorHash: blob.quickXorHash,
          sha1Hash: blob.sha1Hash,
          sha256Hash: blob.sha256Hash,
        },
        drive.owner,
      );
      resolveConflict(store, folder, name, false, 'fail');
      store.insertItem(file);
    }
    touchAncestors(store, parent);
    return store.getItem(drive.id, folder.id) as ItemRecord;
  });
}

async function* oneChunk(bytes: Buffer): AsyncIterable<Uint8Array> {
  yield bytes;
}
