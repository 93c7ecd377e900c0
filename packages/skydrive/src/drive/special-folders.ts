import { GraphError, SkydriveError } from '../errors.js';
import { type ItemLocator, itemUrlPath } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { normalisePath, validateName } from './addressing.js';
import type { DriveContext } from './context.js';
import { findItem, getItem, isFolderLike } from './items.js';
import { parseSpecialRef } from './special.js';

type SpecialLocator = Extract<ItemLocator, { kind: 'special' }>;

/**
 * Create a folder below a special folder, e.g. 'special:documents/2026/q1'.
 * Paths are relative to the special folder, which the service creates itself
 * on first use; with `parents`, missing folders on the way are created too.
 */
export async function makeSpecialFolder(
  context: DriveContext,
  ref: string,
  parents: boolean,
): Promise<DriveItem> {
  const special = parseSpecialRef(ref);
  if (special === undefined) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(ref)} is not a special:NAME path`,
    );
  }
  const segments = normalisePath(special.path)
    .split('/')
    .filter((segment) => segment !== '');
  for (const segment of segments) {
    validateName(segment);
  }
  const at = (path: string): SpecialLocator => ({ kind: 'special', name: special.name, path });

  // Reading the special folder creates it, so every path below has a base.
  let folder = await getItem(context, at('/'));
  let path = '';
  for (const [index, segment] of segments.entries()) {
    const parentPath = path === '' ? '/' : path;
    path = `${path}/${segment}`;
    const last = index === segments.length - 1;
    if (!last && !parents) {
      continue;
    }
    const existing = parents ? await findItem(context, at(path)) : undefined;
    if (existing !== undefined) {
      folder = requireFolder(existing, `special:${special.name}${path}`);
      continue;
    }
    folder = await createChildFolder(context, at(parentPath), segment, parents);
  }
  return folder;
}

async function createChildFolder(
  context: DriveContext,
  parent: SpecialLocator,
  name: string,
  parents: boolean,
): Promise<DriveItem> {
  try {
    return await context.graph.json<DriveItem>({
      method: 'POST',
      url: itemUrlPath(parent, 'children'),
      json: { name, folder: {}, '@microsoft.graph.conflictBehavior': 'fail' },
    });
  } catch (error) {
    // With parents, a folder that another client created meanwhile is fine.
    if (parents && error instanceof GraphError && error.status === 409) {
      const path = parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
      return getItem(context, { ...parent, path });
    }
    throw error;
  }
}

function requireFolder(item: DriveItem, label: string): DriveItem {
  if (!isFolderLike(item)) {
    throw new SkydriveError('NOT_A_FOLDER', `${label} exists and is a file, not a folder`);
  }
  return item;
}
