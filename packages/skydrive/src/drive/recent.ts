import { debuglog } from 'node:util';
import { GraphError, SkydriveError } from '../errors.js';
import { items } from '../graph/paging.js';
import type { DriveItem } from '../graph/wire.js';
import type { DriveContext } from './context.js';
import { ChangeFeed } from './delta.js';
import { pathOfItem } from './items.js';

const log = debuglog('skydrive');

/** Source of a recent list: the `recent` API, or a delta enumeration sorted by time. */
export type RecentSource = 'recent' | 'delta';

export interface RecentOptions {
  /** Maximum number of items to return. @default 100 */
  limit?: number;
  signal?: AbortSignal;
}

/** A recently modified item with its drive path when it could be worked out. */
export type RecentItem = DriveItem & { path?: string };

export interface RecentResult {
  items: RecentItem[];
  source: RecentSource;
  /** Reason the `recent` API was not used, when `source` is 'delta'. */
  fallbackReason?: string;
}

const DEFAULT_LIMIT = 100;

/**
 * Recently modified files, newest first. Graph deprecated `/me/drive/recent`
 * and it stopped returning data in November 2026, so when it fails or returns
 * nothing, the whole drive is enumerated with delta and its files are sorted
 * by lastModifiedDateTime. A rejected token (401) is not a reason to fall back.
 */
export async function recentItems(
  context: DriveContext,
  options: RecentOptions = {},
): Promise<RecentResult> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `limit ${limit} must be a whole number of 1 or more`,
    );
  }

  let reason: string;
  try {
    const found: RecentItem[] = [];
    for await (const item of items<DriveItem>(context.graph, '/me/drive/recent', options.signal)) {
      found.push(withPath(item));
      if (found.length >= limit) {
        break;
      }
    }
    if (found.length > 0) {
      return { items: found, source: 'recent' };
    }
    reason = 'GET /me/drive/recent returned no items';
  } catch (error) {
    if (!(error instanceof GraphError) || error.status === 401) {
      throw error;
    }
    const code = error.graphCode === '' ? '' : ` ${error.graphCode}`;
    reason = `GET /me/drive/recent failed with ${error.status}${code}`;
  }
  log('recent: %s; listing the drive with delta and sorting by lastModifiedDateTime', reason);
  return {
    items: await recentFromDelta(context, limit, options.signal),
    source: 'delta',
    fallbackReason: reason,
  };
}

async function recentFromDelta(
  context: DriveContext,
  limit: number,
  signal: AbortSignal | undefined,
): Promise<RecentItem[]> {
  // Delta lists parents before children but without paths, so paths are rebuilt from ids.
  const byId = new Map<string, DriveItem>();
  const feed = new ChangeFeed(context, signal === undefined ? {} : { signal });
  for await (const item of feed) {
    byId.set(item.id, item);
  }
  const files = [...byId.values()].filter(
    (item) => item.file !== undefined && item.deleted === undefined,
  );
  files.sort((a, b) => timeOf(b) - timeOf(a));
  return files.slice(0, limit).map((item) => {
    const path = pathFromIds(item, byId);
    return path === undefined ? item : { ...item, path };
  });
}

function timeOf(item: DriveItem): number {
  const time = Date.parse(
    item.lastModifiedDateTime ?? item.fileSystemInfo?.lastModifiedDateTime ?? '',
  );
  return Number.isNaN(time) ? 0 : time;
}

function withPath(item: DriveItem): RecentItem {
  return item.parentReference?.path === undefined ? item : { ...item, path: pathOfItem(item) };
}

/** Build '/a/b.txt' by walking parent ids up to the root; undefined when a link is missing. */
export function pathFromIds(
  item: DriveItem,
  byId: ReadonlyMap<string, DriveItem>,
): string | undefined {
  const names: string[] = [];
  let current: DriveItem | undefined = item;
  for (let depth = 0; current !== undefined && depth < 1000; depth++) {
    if (current.root !== undefined) {
      return `/${names.reverse().join('/')}`;
    }
    if (current.name === undefined) {
      return undefined;
    }
    names.push(current.name);
    const parentId: string | undefined = current.parentReference?.id;
    current = parentId === undefined ? undefined : byId.get(parentId);
  }
  return undefined;
}
