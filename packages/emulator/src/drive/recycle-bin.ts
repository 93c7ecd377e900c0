import type { RequestContext } from '../context.js';
import { accessDenied, invalidRequest, itemNotFound, nameAlreadyExists } from '../errors.js';
import { readJsonObject, sendEmpty, sendJson } from '../http.js';
import { eTagOf, toDriveItem } from '../model/item-json.js';
import { validateName } from '../model/names.js';
import { requireItem, touchAncestors } from '../model/tree.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';

/** Finds an item by id whether it is live or in the recycle bin. */
export function anyItem(store: MetadataStore, drive: DriveRecord, itemId: string): ItemRecord {
  const item = store.getItem(drive.id, itemId === 'root' ? drive.rootId : itemId);
  if (!item) {
    throw itemNotFound(`item ${itemId} was not found in drive ${drive.id}`);
  }
  return item;
}

/** Lists the item and every record below it, recycled ones included, deepest last. */
function subtreeOf(store: MetadataStore, item: ItemRecord): ItemRecord[] {
  const byParent = new Map<string, ItemRecord[]>();
  for (const candidate of store.listItems(item.driveId)) {
    if (candidate.parentId !== null) {
      const siblings = byParent.get(candidate.parentId) ?? [];
      siblings.push(candidate);
      byParent.set(candidate.parentId, siblings);
    }
  }
  const result: ItemRecord[] = [];
  const queue = [item];
  while (queue.length > 0) {
    const current = queue.shift() as ItemRecord;
    result.push(current);
    queue.push(...(byParent.get(current.id) ?? []));
  }
  return result;
}

/** `POST …/permanentDelete`: purges a live or recycled item and everything below it. */
export function handlePermanentDelete(
  ctx: RequestContext,
  drive: DriveRecord,
  item: ItemRecord,
): void {
  if (item.parentId === null) {
    throw accessDenied('the root folder of a drive cannot be deleted');
  }
  const { store } = ctx.emulator;
  store.transaction(() => {
    const wasLive = item.deletedDateTime === null;
    for (const record of subtreeOf(store, item).reverse()) {
      store.deleteItem(drive.id, record.id);
    }
    const parent = item.parentId === null ? undefined : store.getItem(drive.id, item.parentId);
    if (wasLive && parent) {
      touchAncestors(store, parent);
    }
  });
  ctx.log.info({ itemId: item.id }, 'item deleted permanently');
  sendEmpty(ctx.res, 204);
}

/**
 * `POST …/restore` with an optional `{parentReference: {id}, name}`: brings a
 * recycled item back, with the items that were deleted together with it.
 */
export async function handleRestore(
  ctx: RequestContext,
  drive: DriveRecord,
  item: ItemRecord,
): Promise<void> {
  const body = await readJsonObject(ctx.req);
  if (item.deletedDateTime === null) {
    throw invalidRequest(`item ${item.id} is not in the recycle bin`);
  }
  const { store } = ctx.emulator;
  const reference = body.parentReference as Record<string, unknown> | undefined | null;
  const parentId =
    reference && typeof reference.id === 'string' ? reference.id : (item.parentId ?? drive.rootId);
  const parent = store.getItem(drive.id, parentId === 'root' ? drive.rootId : parentId);
  if (!parent || parent.deletedDateTime !== null || !parent.isFolder) {
    throw invalidRequest(
      `the folder ${parentId} to restore into does not exist or is in the recycle bin; give parentReference.id`,
    );
  }
  const name = body.name === undefined ? item.name : body.name;
  if (typeof name !== 'string') {
    throw invalidRequest('name must be a string', 'invalidParameterFormat');
  }
  validateName(name, item.isFolder ? 'folder' : 'file');
  if (store.findChild(drive.id, parent.id, name)) {
    throw nameAlreadyExists(name);
  }
  const deletedAt = item.deletedDateTime;
  const restored = store.transaction(() => {
    for (const record of subtreeOf(store, item)) {
      // Items recycled on their own before the folder stay in the bin.
      if (record.deletedDateTime !== deletedAt) {
        continue;
      }
      record.deletedDateTime = null;
      record.eTagVersion += 1;
      if (record.id === item.id) {
        record.parentId = parent.id;
        record.name = name;
      }
      store.updateItem(record);
    }
    touchAncestors(store, parent);
    return requireItem(store, drive.id, item.id);
  });
  sendJson(ctx.res, 200, toDriveItem(ctx.emulator, drive, restored), { ETag: eTagOf(restored) });
}

/** Items in the recycle bin: the top of each deleted subtree, newest deletion first. */
export function recycleBinOf(store: MetadataStore, drive: DriveRecord): ItemRecord[] {
  const all = store.listItems(drive.id);
  const byId = new Map(all.map((item) => [item.id, item]));
  return all
    .filter((item) => {
      if (item.deletedDateTime === null) {
        return false;
      }
      const parent = item.parentId === null ? undefined : byId.get(item.parentId);
      return !parent || parent.deletedDateTime !== item.deletedDateTime;
    })
    .sort((a, b) => ((a.deletedDateTime ?? '') < (b.deletedDateTime ?? '') ? 1 : -1));
}
