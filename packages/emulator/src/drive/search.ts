import type { RequestContext } from '../context.js';
import { invalidRequest } from '../errors.js';
import { sendJson } from '../http.js';
import { compareCodeUnits } from '../ids.js';
import { applySelect, toDriveItem } from '../model/item-json.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';

/** Bytes of a text file that search reads; text after this point is not matched. */
export const SEARCH_SCAN_BYTES = 1024 * 1024;
/** Entries of `/me/drive/recent`. */
export const RECENT_LIMIT = 100;
const DEFAULT_PAGE_SIZE = 200;
const MAX_PAGE_SIZE = 1000;

const TEXT_EXTENSIONS = new Set([
  'txt',
  'md',
  'csv',
  'tsv',
  'json',
  'xml',
  'html',
  'htm',
  'css',
  'js',
  'mjs',
  'ts',
  'yaml',
  'yml',
  'ini',
  'log',
  'py',
  'sh',
  'c',
  'h',
  'cpp',
  'java',
  'go',
  'rs',
  'sql',
  'toml',
  'svg',
]);

/** Reads the text of `search(q='…')`; a quote inside the text is written twice (OData). */
export function searchTextOf(segment: string): string {
  const match = /^(?:microsoft\.graph\.)?search\(\s*q\s*=\s*'((?:[^']|'')*)'\s*\)$/i.exec(segment);
  if (!match || match[1] === undefined) {
    throw invalidRequest(
      `search needs its text as search(q='text'), with quotes inside the text doubled; got '${segment}'`,
    );
  }
  const text = match[1].replace(/''/g, "'");
  if (text.trim() === '') {
    throw invalidRequest('the search text is empty');
  }
  return text;
}

function isTextFile(item: ItemRecord): boolean {
  if (item.mimeType?.startsWith('text/')) {
    return true;
  }
  const dot = item.name.lastIndexOf('.');
  return dot !== -1 && TEXT_EXTENSIONS.has(item.name.slice(dot + 1).toLowerCase());
}

/** Live items below `folder` (not the folder itself), parents before children. */
export function descendantsOf(store: MetadataStore, folder: ItemRecord): ItemRecord[] {
  const result: ItemRecord[] = [];
  const queue = [folder];
  while (queue.length > 0) {
    const current = queue.shift() as ItemRecord;
    for (const child of store.listChildren(current.driveId, current.id)) {
      result.push(child);
      if (child.isFolder) {
        queue.push(child);
      }
    }
  }
  return result.sort((a, b) => compareCodeUnits(a.id, b.id));
}

async function contentContains(
  ctx: RequestContext,
  item: ItemRecord,
  needle: string,
): Promise<boolean> {
  if (item.blobKey === null || item.size === 0 || !isTextFile(item)) {
    return false;
  }
  const end = Math.min(item.size, SEARCH_SCAN_BYTES) - 1;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.emulator.blobs.read(item.blobKey, { start: 0, end })) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').toLowerCase().includes(needle);
}

/**
 * `GET …/search(q='…')`: items whose name, description or text content
 * contains the text, ignoring case. Each result carries `searchResult`.
 */
export async function handleSearch(
  ctx: RequestContext,
  drive: DriveRecord,
  folder: ItemRecord,
  segment: string,
): Promise<void> {
  const needle = searchTextOf(segment).toLowerCase();
  const matches: ItemRecord[] = [];
  for (const item of descendantsOf(ctx.emulator.store, folder)) {
    const inName =
      item.name.toLowerCase().includes(needle) ||
      (item.description ?? '').toLowerCase().includes(needle);
    if (inName || (await contentContains(ctx, item, needle))) {
      matches.push(item);
    }
  }
  sendPage(ctx, drive, matches, (json) => {
    json.searchResult = {};
  });
}

/**
 * `GET /me/drive/recent`: the most recently modified files, newest first,
 * each with `fileSystemInfo.lastAccessedDateTime` (the emulator does not
 * track reads, so it uses the last modification).
 */
export function handleRecent(ctx: RequestContext, drive: DriveRecord): void {
  const { store } = ctx.emulator;
  const root = store.getItem(drive.id, drive.rootId) as ItemRecord;
  const files = descendantsOf(store, root)
    .filter((item) => !item.isFolder)
    .sort((a, b) => (a.lastModifiedDateTime < b.lastModifiedDateTime ? 1 : -1))
    .slice(0, RECENT_LIMIT);
  const value = files.map((item) => {
    const json = toDriveItem(ctx.emulator, drive, item);
    json.fileSystemInfo = {
      ...(json.fileSystemInfo as Record<string, unknown>),
      lastAccessedDateTime: item.lastModifiedDateTime,
    };
    return json;
  });
  sendJson(ctx.res, 200, { value });
}

/** Sends one page of items with `$top` and an absolute `@odata.nextLink` carrying `$skiptoken`. */
function sendPage(
  ctx: RequestContext,
  drive: DriveRecord,
  items: ItemRecord[],
  decorate: (json: Record<string, unknown>) => void,
): void {
  const topRaw = ctx.query.get('$top') ?? ctx.query.get('top');
  const top = topRaw === null ? DEFAULT_PAGE_SIZE : Number(topRaw);
  if (!Number.isInteger(top) || top < 1) {
    throw invalidRequest(
      `$top is '${topRaw}'; it must be a positive integer`,
      'invalidQueryOption',
    );
  }
  const skipRaw = ctx.query.get('$skiptoken') ?? ctx.query.get('skiptoken') ?? '0';
  const skip = Number(skipRaw);
  if (!Number.isInteger(skip) || skip < 0) {
    throw invalidRequest(`$skiptoken '${skipRaw}' is not valid`, 'invalidStartIndex');
  }
  const pageSize = Math.min(top, MAX_PAGE_SIZE);
  const selectRaw = ctx.query.get('$select') ?? ctx.query.get('select');
  const select = selectRaw === null ? undefined : selectRaw.split(',').map((name) => name.trim());
  const value = items.slice(skip, skip + pageSize).map((item) => {
    const json = toDriveItem(ctx.emulator, drive, item);
    decorate(json);
    return applySelect(json, select);
  });
  const body: Record<string, unknown> = { value };
  if (skip + pageSize < items.length) {
    const params = new URLSearchParams(ctx.query);
    params.delete('skiptoken');
    params.set('$skiptoken', String(skip + pageSize));
    body['@odata.nextLink'] = `${ctx.emulator.url}${ctx.rawPath}?${params.toString()}`;
  }
  sendJson(ctx.res, 200, body);
}
