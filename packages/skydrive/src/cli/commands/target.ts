import type { Drive, DriveItem, ItemRef } from '../../index.js';
import { GraphError, joinRemotePath, parseItemRef, validateName } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { isContainer, itemPath } from '../output/format.js';

/** Destination of `cp` or `mv`: a parent folder and, when renaming, a new name. */
export interface Target {
  parent: ItemRef;
  /** Undefined keeps the source's name. */
  name?: string;
  /** Drive path of the result, for messages. */
  path: string;
}

/**
 * Resolve a cp/mv destination. An existing folder receives the item under its
 * own name. A path that does not exist names the new item, and its parent
 * folder must exist. An existing file is never replaced.
 */
export async function resolveTarget(
  drive: Drive,
  destination: string,
  source: DriveItem,
  context: CommandContext,
): Promise<Target> {
  const existing = await infoOrUndefined(drive, destination);
  if (existing !== undefined) {
    if (!isContainer(existing)) {
      throw new CliError(`${destination}: already exists; remove it first or choose another name`);
    }
    const folderPath = itemPath(existing) ?? destination;
    return {
      parent: { id: existing.id },
      path: joinRemotePath(folderPath, source.name ?? ''),
    };
  }

  const parsed = parseItemRef(destination, context.addressing);
  if (parsed.kind === 'id') {
    throw new CliError(
      `${destination}: no folder with this id; check it with: skydrive info ${destination}`,
    );
  }
  const cut = parsed.path.lastIndexOf('/');
  const parentPath = cut <= 0 ? '/' : parsed.path.slice(0, cut);
  const name = parsed.path.slice(cut + 1);
  // A new name below a special folder keeps the special folder as its base.
  const parentRef: ItemRef =
    parsed.kind === 'special'
      ? `special:${parsed.name}${parentPath === '/' ? '' : parentPath}`
      : { path: parentPath };
  try {
    validateName(name);
  } catch (error) {
    throw toCliError(error, { path: destination });
  }
  const parent = await infoOrUndefined(drive, parentRef);
  if (parent === undefined || !isContainer(parent)) {
    throw new CliError(
      `${destination}: the folder ${parentPath} does not exist; create it with: skydrive mkdir -p ${parentPath}`,
    );
  }
  return { parent: { id: parent.id }, name, path: parsed.path };
}

/** Look up an item and return undefined on 404. Other failures are reported against `ref`. */
export async function infoOrUndefined(drive: Drive, ref: ItemRef): Promise<DriveItem | undefined> {
  try {
    return await drive.info(ref);
  } catch (error) {
    if (error instanceof GraphError && error.status === 404) {
      return undefined;
    }
    throw toCliError(error, { path: refText(ref) });
  }
}

/** Look up the source item of cp/mv/rm, reporting a missing one by the path typed. */
export async function requireItem(drive: Drive, item: string): Promise<DriveItem> {
  try {
    return await drive.info(item);
  } catch (error) {
    throw toCliError(error, { path: item });
  }
}

/** Format an item reference the way a user would type it. */
function refText(ref: ItemRef): string {
  if (typeof ref === 'string') {
    return ref;
  }
  if ('path' in ref) {
    return ref.path;
  }
  return `id:${ref.id}`;
}
