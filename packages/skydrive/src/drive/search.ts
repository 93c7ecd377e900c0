import { SkydriveError } from '../errors.js';
import { items } from '../graph/paging.js';
import { itemUrlPath, queryString } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { type DriveContext, locate } from './context.js';
import { MAX_PAGE_SIZE } from './items.js';
import type { ItemRef } from './types.js';

export interface SearchOptions {
  /** Folder to search below. @default the root */
  folder?: ItemRef;
  /** Page size, 1 to 1000. */
  top?: number;
  /** Stop after this many results. */
  limit?: number;
  signal?: AbortSignal;
}

/**
 * Items below a folder whose name, metadata or text content matches `text`,
 * across all pages. Results carry no parentReference.path on some services.
 */
export async function* searchItems(
  context: DriveContext,
  text: string,
  options: SearchOptions = {},
): AsyncGenerator<DriveItem, void, undefined> {
  if (text.trim() === '') {
    throw new SkydriveError('INVALID_ARGUMENT', 'search text cannot be empty');
  }
  const top = options.top;
  if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > MAX_PAGE_SIZE)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `page size ${top} must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (!(limit >= 0)) {
    throw new SkydriveError('INVALID_ARGUMENT', `limit ${options.limit} must be 0 or more`);
  }
  const folder = locate(context, options.folder ?? '/');
  const url = `${itemUrlPath(folder, searchSegment(text))}${queryString({ $top: top })}`;

  let emitted = 0;
  if (limit === 0) {
    return;
  }
  for await (const item of items<DriveItem>(context.graph, url, options.signal)) {
    yield item;
    emitted++;
    if (emitted >= limit) {
      return;
    }
  }
}

/**
 * Build the `search(q='…')` segment. OData doubles a quote inside a string
 * literal; the rest is percent-encoded so '#', '?', '/' and '%' stay in the text.
 */
export function searchSegment(text: string): string {
  const literal = text.replace(/'/g, "''");
  return `search(q='${encodeURIComponent(literal).replace(/'/g, '%27')}')`;
}
