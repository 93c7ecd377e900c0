import { GraphError, SkydriveError } from '../errors.js';
import { items } from '../graph/paging.js';
import { type ItemLocator, itemUrlPath, queryString } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { baseName, normalisePath, parentPath, validateName, validatePath } from './addressing.js';
import { type DriveContext, describe, locate } from './context.js';
import type { ItemRef, ListEntry, ListOptions, MoveTarget, RemoveOptions } from './types.js';

/** Graph's largest accepted page size for children. */
export const MAX_PAGE_SIZE = 1000;

export function isFolderLike(item: DriveItem): boolean {
  return item.folder !== undefined || item.package !== undefined || item.root !== undefined;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof GraphError && error.status === 404;
}

export async function getItem(
  context: DriveContext,
  locator: ItemLocator,
  signal?: AbortSignal,
): Promise<DriveItem> {
  return context.graph.json<DriveItem>({ method: 'GET', url: itemUrlPath(locator), signal });
}

/** Fetch an item. Returns undefined when it does not exist. */
export async function findItem(
  context: DriveContext,
  locator: ItemLocator,
): Promise<DriveItem | undefined> {
  try {
    return await getItem(context, locator);
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }
}

/** Fetch an item and insist that it can hold children. */
export async function getFolder(context: DriveContext, locator: ItemLocator): Promise<DriveItem> {
  const item = await getItem(context, locator);
  if (!isFolderLike(item)) {
    throw new SkydriveError('NOT_A_FOLDER', `${describe(locator)} is a file, not a folder`);
  }
  return item;
}

/**
 * Compute the absolute drive path of an item from its parentReference, e.g.
 * '/drive/root:/Docs' + 'a.txt' → '/Docs/a.txt'. Graph percent-encodes
 * parentReference.path; a value that does not decode is taken as it is.
 */
export function pathOfItem(item: DriveItem): string {
  if (item.root !== undefined) {
    return '/';
  }
  const reference = item.parentReference?.path;
  const colon = reference?.indexOf(':') ?? -1;
  if (reference === undefined || colon < 0) {
    return `/${item.name ?? item.id}`;
  }
  let parent = reference.slice(colon + 1);
  // NOTE: an unencoded parent path that happens to contain '%XX' would be
  // decoded wrongly. Listing by path avoids this, because it never reads parentReference.
  try {
    parent = decodeURIComponent(parent);
  } catch {
    // Keep the raw text, because some services send it unencoded.
  }
  return normalisePath(`${parent}/${item.name ?? item.id}`);
}

export async function* listEntries(
  context: DriveContext,
  folder: ItemRef,
  options: ListOptions,
): AsyncGenerator<ListEntry, void, undefined> {
  const top = checkTop(options.top);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) {
    throw new SkydriveError('INVALID_ARGUMENT', `limit ${options.limit} must be 0 or more`);
  }
  const locator = locate(context, folder);
  const start = await getFolder(context, locator);
  const startPath = locator.kind === 'path' ? locator.path : pathOfItem(start);

  let emitted = 0;
  const walk = async function* (
    folderId: string,
    folderPath: string,
  ): AsyncGenerator<ListEntry, void, undefined> {
    const url = `${itemUrlPath({ kind: 'id', id: folderId }, 'children')}${queryString({ $top: top, $orderby: options.orderBy })}`;
    for await (const child of items<DriveItem>(context.graph, url)) {
      if (emitted >= limit) {
        return;
      }
      const entry: ListEntry = {
        ...child,
        path: folderPath === '/' ? `/${child.name}` : `${folderPath}/${child.name}`,
      };
      emitted++;
      yield entry;
      if (options.recursive && isFolderLike(child)) {
        yield* walk(child.id, entry.path);
      }
    }
  };
  if (limit > 0) {
    yield* walk(start.id, startPath);
  }
}

function checkTop(top: number | undefined): number | undefined {
  if (top === undefined) {
    return undefined;
  }
  if (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `page size ${top} must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return top;
}

export async function makeFolder(
  context: DriveContext,
  path: string,
  parents: boolean,
): Promise<DriveItem> {
  const target = normalisePath(path);
  validatePath(target);
  if (target === '/') {
    if (parents) {
      return getItem(context, { kind: 'path', path: '/' });
    }
    throw new SkydriveError('INVALID_ARGUMENT', 'the root folder always exists');
  }
  if (!parents) {
    return createFolder(context, target);
  }

  const existing = await findItem(context, { kind: 'path', path: target });
  if (existing !== undefined) {
    return requireFolder(existing, target);
  }
  await makeFolder(context, parentPath(target), true);
  try {
    return await createFolder(context, target);
  } catch (error) {
    // Another client may have created it between our look and our create.
    if (error instanceof GraphError && error.status === 409) {
      return requireFolder(await getItem(context, { kind: 'path', path: target }), target);
    }
    throw error;
  }
}

function requireFolder(item: DriveItem, path: string): DriveItem {
  if (!isFolderLike(item)) {
    throw new SkydriveError('NOT_A_FOLDER', `${path} exists and is a file, not a folder`);
  }
  return item;
}

async function createFolder(context: DriveContext, path: string): Promise<DriveItem> {
  const parent: ItemLocator = { kind: 'path', path: parentPath(path) };
  return context.graph.json<DriveItem>({
    method: 'POST',
    url: itemUrlPath(parent, 'children'),
    json: { name: baseName(path), folder: {}, '@microsoft.graph.conflictBehavior': 'fail' },
  });
}

export async function moveItem(
  context: DriveContext,
  item: ItemRef,
  target: MoveTarget,
): Promise<DriveItem> {
  if (target.parent === undefined && target.name === undefined) {
    throw new SkydriveError('INVALID_ARGUMENT', 'move needs a new parent, a new name, or both');
  }
  const locator = locate(context, item);
  if (locator.kind === 'path' && locator.path === '/') {
    throw new SkydriveError('INVALID_ARGUMENT', 'the root folder cannot be moved or renamed');
  }
  if (target.name !== undefined) {
    validateName(target.name);
  }

  const body: Record<string, unknown> = {};
  if (target.name !== undefined) {
    body.name = target.name;
  }
  if (target.parent !== undefined) {
    // Graph refuses the 'root' alias as a move target, so send the real id.
    const parent = await getFolder(context, locate(context, target.parent));
    body.parentReference = { id: parent.id };
  }
  return context.graph.json<DriveItem>({ method: 'PATCH', url: itemUrlPath(locator), json: body });
}

export async function removeItem(
  context: DriveContext,
  item: ItemRef,
  options: RemoveOptions,
): Promise<void> {
  const locator = locate(context, item);
  if (locator.kind === 'path' && locator.path === '/') {
    throw new SkydriveError('INVALID_ARGUMENT', 'the root folder cannot be removed');
  }
  const headers: Record<string, string> = {};
  if (options.ifMatch !== undefined) {
    headers['if-match'] = options.ifMatch;
  }
  const response = await context.graph.request({
    method: 'DELETE',
    url: itemUrlPath(locator),
    headers,
  });
  await response.body.dump();
}
