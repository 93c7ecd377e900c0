import type { Principal, RequestContext } from '../context.js';
import { invalidRequest, notSupported } from '../errors.js';
import { headerValue, readJsonObject, sendJson } from '../http.js';
import { applySelect, toDriveItem } from '../model/item-json.js';
import { validateName } from '../model/names.js';
import { assertQuota } from '../model/quota.js';
import {
  assertPathLength,
  newItem,
  recycle,
  resolveConflict,
  touchAncestors,
} from '../model/tree.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { assertQueryOptions, conflictBehaviorOf, queryOption, selectOf } from './shared.js';

/** Page size when `$top` is absent, as on OneDrive. */
export const DEFAULT_PAGE_SIZE = 200;
/** Largest `$top` accepted; OneDrive's maintainers gave 1000 as the service maximum. */
export const MAX_PAGE_SIZE = 1000;

const ORDER_FIELDS = ['name', 'size', 'lastModifiedDateTime'] as const;
type OrderField = (typeof ORDER_FIELDS)[number];

interface PageToken {
  /** Offset of the next page in the ordered listing. */
  offset: number;
  /** The `$orderby` the token was issued for, so a token cannot be mixed with another order. */
  order: string;
}

/** `GET …/children`: one page of live children, `@odata.nextLink` when more remain. */
export function handleListChildren(
  ctx: RequestContext,
  drive: DriveRecord,
  folder: ItemRecord,
): void {
  const { store } = ctx.emulator;
  assertQueryOptions(ctx, ['top', 'select', 'orderby', 'skiptoken']);
  const top = parseTop(queryOption(ctx, 'top'));
  const order = normaliseOrder(queryOption(ctx, 'orderby'));
  const start = parseSkipToken(
    queryOption(ctx, 'skiptoken') ?? queryOption(ctx, 'skipToken'),
    order,
  );
  const select = selectOf(ctx);

  if (!folder.isFolder) {
    throw invalidRequest(`item ${folder.id} is a file; only folders have children`);
  }
  const children = sortedChildren(store, folder, order);
  const page = children.slice(start, start + top);
  const body: Record<string, unknown> = {
    value: page.map((child) => applySelect(toDriveItem(ctx.emulator, drive, child), select)),
  };
  if (start + top < children.length) {
    body['@odata.nextLink'] = nextLink(ctx, { offset: start + top, order });
  }
  sendJson(ctx.res, 200, body);
}

/** `POST …/children`: creates a folder; conflict behaviour defaults to `fail`. */
export async function handleCreateChild(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  parent: ItemRecord,
): Promise<void> {
  const contentType = headerValue(ctx.req, 'content-type') ?? '';
  if (contentType.toLowerCase().startsWith('multipart/')) {
    throw notSupported('multipart upload (POST children with multipart/related)');
  }
  const body = await readJsonObject(ctx.req);
  if ('@microsoft.graph.sourceUrl' in body) {
    throw notSupported('upload from URL (@microsoft.graph.sourceUrl)');
  }
  if (!parent.isFolder) {
    throw invalidRequest(`item ${parent.id} is a file and cannot have children`);
  }
  const name = body.name;
  if (typeof name !== 'string') {
    throw invalidRequest('the request body needs a string property name', 'invalidParameterFormat');
  }
  if ('file' in body || typeof body.folder !== 'object' || body.folder === null) {
    throw invalidRequest(
      'POST children creates folders only: send {"name": …, "folder": {}}; upload files with PUT …/content',
    );
  }
  validateName(name, 'folder');
  const behavior = conflictBehaviorOf(ctx, body, 'fail');

  const { store, options } = ctx.emulator;
  const created = store.transaction(() => {
    assertQuota(store, drive.id, options.quotaBytes, 0, 'create');
    const placed = resolveConflict(store, parent, name, true, behavior);
    assertPathLength(store, parent, placed.name);
    if (placed.existing) {
      recycle(store, placed.existing);
    }
    const folder = newItem(
      store,
      drive,
      { parentId: parent.id, name: placed.name, isFolder: true },
      principal.user.username,
    );
    store.insertItem(folder);
    touchAncestors(store, parent);
    return folder;
  });
  ctx.log.info({ itemId: created.id, name: created.name }, 'folder created');
  sendJson(ctx.res, 201, toDriveItem(ctx.emulator, drive, created));
}

/** Children of a folder in the order `$orderby` names; ties break on id for stable pages. */
export function sortedChildren(
  store: MetadataStore,
  folder: ItemRecord,
  order: string,
): ItemRecord[] {
  const [field, direction] = order.split(' ') as [OrderField, 'asc' | 'desc'];
  const sign = direction === 'desc' ? -1 : 1;
  const size = (item: ItemRecord) => (item.isFolder ? 0 : item.size);
  return store.listChildren(folder.driveId, folder.id).sort((a, b) => {
    let result = 0;
    if (field === 'size') {
      result = size(a) - size(b);
    } else if (field === 'lastModifiedDateTime') {
      result = a.lastModifiedDateTime.localeCompare(b.lastModifiedDateTime);
    } else {
      result = compareNames(a.name, b.name);
    }
    return result !== 0 ? sign * result : a.id.localeCompare(b.id);
  });
}

function compareNames(a: string, b: string): number {
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  if (lowerA !== lowerB) {
    return lowerA < lowerB ? -1 : 1;
  }
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function parseTop(value: string | undefined): number {
  if (value === undefined) {
    return DEFAULT_PAGE_SIZE;
  }
  if (!/^-?\d+$/.test(value.trim())) {
    throw invalidRequest(`$top is '${value}'; it must be an integer`, 'invalidParameterFormat');
  }
  const top = Number(value);
  if (top <= 0) {
    throw invalidRequest(`$top is ${top}; it must be at least 1`, 'zeroOrFewerResultsRequested');
  }
  if (top > MAX_PAGE_SIZE) {
    throw invalidRequest(
      `$top is ${top}; the limit of ${MAX_PAGE_SIZE} for $top has been exceeded`,
      'tooManyResultsRequested',
    );
  }
  return top;
}

/** Normalises `$orderby` to `field asc|desc`; the default is name ascending. */
function normaliseOrder(value: string | undefined): string {
  if (value === undefined || value.trim() === '') {
    return 'name asc';
  }
  const parts = value.trim().split(/\s+/);
  const field = ORDER_FIELDS.find((name) => name === parts[0]);
  const direction = (parts[1] ?? 'asc').toLowerCase();
  if (!field || parts.length > 2 || (direction !== 'asc' && direction !== 'desc')) {
    throw invalidRequest(
      `$orderby '${value}' is not supported; use name, size or lastModifiedDateTime, optionally followed by asc or desc`,
      'invalidQueryOption',
    );
  }
  return `${field} ${direction}`;
}

function parseSkipToken(value: string | undefined, order: string): number {
  if (value === undefined) {
    return 0;
  }
  let token: Partial<PageToken>;
  try {
    token = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PageToken>;
  } catch {
    throw invalidRequest('$skiptoken is not valid; take it unchanged from @odata.nextLink');
  }
  if (!Number.isInteger(token.offset) || (token.offset ?? -1) < 0 || token.order !== order) {
    throw invalidRequest(
      '$skiptoken is not valid for this request; take it unchanged from @odata.nextLink',
    );
  }
  return token.offset as number;
}

/** Absolute URL of the next page: the same path and options with a new `$skiptoken`. */
function nextLink(ctx: RequestContext, token: PageToken): string {
  const parts: string[] = [];
  for (const [key, value] of ctx.query) {
    if (
      key === '$skiptoken' ||
      key === 'skiptoken' ||
      key === '$skipToken' ||
      key === 'skipToken'
    ) {
      continue;
    }
    parts.push(`${encodeQueryKey(key)}=${encodeURIComponent(value)}`);
  }
  const encoded = Buffer.from(JSON.stringify(token)).toString('base64url');
  parts.push(`$skiptoken=${encoded}`);
  return `${ctx.emulator.url}${ctx.rawPath}?${parts.join('&')}`;
}

function encodeQueryKey(key: string): string {
  return encodeURIComponent(key).replace(/^%24/, '$').replace(/%40/g, '@');
}
