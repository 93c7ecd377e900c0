import type { Emulator } from '../context.js';
import type { DriveRecord, ItemRecord } from '../store/types.js';
import { knownMediaFacets } from './media.js';
import { packageTypeOf } from './packages.js';
import { sharedFacetOf } from './permissions.js';
import { specialFolderNameOf } from './special.js';

/**
 * Adds the facets that the drive features know about: `specialFolder`,
 * `package` (which replaces `folder`), `image`, `photo` and `shared`.
 */
export function addDriveFacets(
  emulator: Emulator,
  _drive: DriveRecord,
  item: ItemRecord,
  json: Record<string, unknown>,
): void {
  const { store } = emulator;
  const special = specialFolderNameOf(store, item);
  if (special !== undefined) {
    json.specialFolder = { name: special };
  }
  const packageType = item.isFolder ? packageTypeOf(store, item) : undefined;
  if (packageType !== undefined) {
    delete json.folder;
    json.package = { type: packageType };
  }
  if (!item.isFolder && item.deletedDateTime === null) {
    const media = knownMediaFacets(emulator, item);
    if (media.image) {
      json.image = media.image;
    }
    if (media.photo) {
      json.photo = media.photo;
    }
  }
  const shared = sharedFacetOf(store, item);
  if (shared) {
    json.shared = shared;
  }
}
