import type { RequestContext } from '../context.js';
import { invalidRequest, itemNotFound } from '../errors.js';
import { newItem, touchAncestors } from '../model/tree.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { readRecord } from './records.js';

/**
 * Folder path of each special folder below the root. Camera Roll is inside
 * Pictures, as on personal OneDrive. The app folder has a fixed name because
 * the emulator's tokens do not carry an application name.
 */
export const SPECIAL_FOLDERS: Readonly<Record<string, readonly string[]>> = {
  documents: ['Documents'],
  photos: ['Pictures'],
  cameraroll: ['Pictures', 'Camera Roll'],
  approot: ['Apps', 'skydrive'],
  music: ['Music'],
};

const SPECIAL_KIND = 'special';
const SPECIAL_OF_KIND = 'specialOf';

/** Name of the special folder an item is, if any (for the `specialFolder` facet). */
export function specialFolderNameOf(store: MetadataStore, item: ItemRecord): string | undefined {
  if (!item.isFolder) {
    return undefined;
  }
  const name = readRecord<string>(store, SPECIAL_OF_KIND, `${item.driveId}:${item.id}`);
  if (name === undefined) {
    return undefined;
  }
  // The marker only counts while the special folder still points at this item.
  return readRecord<string>(store, SPECIAL_KIND, `${item.driveId}:${name}`) === item.id
    ? name
    : undefined;
}

/**
 * Finds a special folder. GET, uploads and every other request create it on
 * first use, and again after the user deleted it. HEAD never creates it and gets 404.
 */
export function resolveSpecialFolder(
  ctx: RequestContext,
  drive: DriveRecord,
  rawName: string,
  actor: string,
): ItemRecord {
  const name = rawName.toLowerCase();
  const path = SPECIAL_FOLDERS[name];
  if (!path) {
    throw invalidRequest(
      `'${rawName}' is not a special folder; use one of ${Object.keys(SPECIAL_FOLDERS).join(', ')}`,
    );
  }
  const { store } = ctx.emulator;
  const key = `${drive.id}:${name}`;
  const knownId = readRecord<string>(store, SPECIAL_KIND, key);
  const known = knownId === undefined ? undefined : store.getItem(drive.id, knownId);
  if (known && known.deletedDateTime === null) {
    return known;
  }
  if (ctx.req.method === 'HEAD') {
    throw itemNotFound(`the special folder ${name} does not exist yet`);
  }
  return store.transaction(() => {
    let parent = store.getItem(drive.id, drive.rootId) as ItemRecord;
    for (const segment of path) {
      const existing = store.findChild(drive.id, parent.id, segment);
      if (existing?.isFolder) {
        parent = existing;
        continue;
      }
      if (existing) {
        throw invalidRequest(
          `the special folder ${name} cannot be created: a file named '${segment}' is in the way`,
        );
      }
      const folder = newItem(
        store,
        drive,
        { parentId: parent.id, name: segment, isFolder: true },
        actor,
      );
      store.insertItem(folder);
      touchAncestors(store, parent);
      parent = folder;
    }
    store.putRecord(SPECIAL_KIND, key, parent.id);
    store.putRecord(SPECIAL_OF_KIND, `${drive.id}:${parent.id}`, name);
    return parent;
  });
}
