import { SkydriveError } from '../errors.js';
import { itemUrlPath } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { validateName } from './addressing.js';
import { type DriveContext, locate } from './context.js';
import { getFolder } from './items.js';
import type { ItemRef } from './types.js';

export interface RestoreOptions {
  /** Folder to restore into; default: the folder the item was deleted from. */
  parent?: ItemRef;
  /** New name, for when the old one is taken; default: the old name. */
  name?: string;
}

/** Delete an item and everything below it without keeping it in the recycle bin. */
export async function permanentDelete(context: DriveContext, item: ItemRef): Promise<void> {
  const locator = locate(context, item);
  if (locator.kind === 'path' && locator.path === '/') {
    throw new SkydriveError('INVALID_ARGUMENT', 'the root folder cannot be removed');
  }
  const response = await context.graph.request({
    method: 'POST',
    url: itemUrlPath(locator, 'permanentDelete'),
  });
  await response.body.dump();
}

/**
 * Bring an item back from the recycle bin (OneDrive personal only). A deleted
 * item has no path any more, so it is addressed by its id.
 */
export async function restoreItem(
  context: DriveContext,
  id: string,
  options: RestoreOptions = {},
): Promise<DriveItem> {
  const locator = locate(context, { id: id.startsWith('id:') ? id.slice(3) : id });
  const body: Record<string, unknown> = {};
  if (options.name !== undefined) {
    validateName(options.name);
    body.name = options.name;
  }
  if (options.parent !== undefined) {
    const parent = await getFolder(context, locate(context, options.parent));
    body.parentReference = { id: parent.id };
  }
  return context.graph.json<DriveItem>({
    method: 'POST',
    url: itemUrlPath(locator, 'restore'),
    json: body,
  });
}
