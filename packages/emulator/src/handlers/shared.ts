import type { Principal, RequestContext } from '../context.js';
import { resolveSpecialFolder } from '../drive/special.js';
import {
  accessDenied,
  invalidRequest,
  itemNotFound,
  notSupported,
  resourceModified,
} from '../errors.js';
import { headerValue } from '../http.js';
import { cTagOf, eTagOf } from '../model/item-json.js';
import { type ConflictBehavior, requireItem, resolvePath } from '../model/tree.js';
import type { DriveSelector, ItemBase } from '../router.js';
import type { DriveRecord, ItemRecord } from '../store/types.js';

/** Finds the drive a URL names and checks that the caller owns it. */
export function resolveDrive(
  ctx: RequestContext,
  principal: Principal,
  selector: DriveSelector,
): DriveRecord {
  const { store } = ctx.emulator;
  if (selector.kind === 'me') {
    return principal.drive;
  }
  let drive: DriveRecord | undefined;
  if (selector.kind === 'id') {
    // Drive ids are case-sensitive.
    drive = store.getDrive(selector.driveId);
  } else {
    const user = findUser(ctx, selector.userId);
    drive = user ? store.getDriveByOwner(user.username) : undefined;
  }
  if (!drive) {
    throw itemNotFound('the drive was not found');
  }
  if (drive.owner !== principal.user.username) {
    throw accessDenied('the signed-in user has no access to this drive');
  }
  return drive;
}

/** Finds a user by user id (lowercase CID) or by user name (the principal name). */
export function findUser(ctx: RequestContext, userId: string) {
  const { store } = ctx.emulator;
  const byName = store.getUser(userId);
  if (byName) {
    return byName;
  }
  return store.listUsers().find((user) => user.cid.toLowerCase() === userId.toLowerCase());
}

/** Resolves the item base (`root` or `items/{id}`) of an address. */
export function resolveBase(ctx: RequestContext, drive: DriveRecord, base: ItemBase): ItemRecord {
  if (base.kind === 'special') {
    return resolveSpecialFolder(ctx, drive, base.name, drive.owner);
  }
  const itemId = base.kind === 'root' ? drive.rootId : base.itemId;
  return requireItem(ctx.emulator.store, drive.id, itemId);
}

/** Resolves a full address (base plus optional path) to an existing item. */
export function resolveAddress(
  ctx: RequestContext,
  drive: DriveRecord,
  base: ItemBase,
  path: readonly string[],
): ItemRecord {
  return resolvePath(ctx.emulator.store, resolveBase(ctx, drive, base), path);
}

/** Throws 412 when `If-Match` names neither the eTag nor the cTag of `item`. */
export function checkIfMatch(ctx: RequestContext, item: ItemRecord | undefined): void {
  const header = headerValue(ctx.req, 'if-match');
  if (header === undefined) {
    return;
  }
  if (!item) {
    throw resourceModified(header);
  }
  if (!tagListMatches(header, item)) {
    throw resourceModified(header);
  }
}

/** True when `If-None-Match` names the eTag or cTag of `item`, so the caller sends 304. */
export function ifNoneMatchHits(ctx: RequestContext, item: ItemRecord): boolean {
  const header = headerValue(ctx.req, 'if-none-match');
  return header !== undefined && tagListMatches(header, item);
}

/** Entity tags compare case-sensitively; `*` matches any existing item. */
function tagListMatches(header: string, item: ItemRecord): boolean {
  if (header.trim() === '*') {
    return true;
  }
  const tags = new Set([eTagOf(item), cTagOf(item)]);
  return splitTagList(header).some((tag) => tags.has(tag));
}

function splitTagList(header: string): string[] {
  const tags = header.match(/(W\/)?"[^"]*"/g);
  if (tags) {
    return tags.map((tag) => tag.replace(/^W\//, ''));
  }
  // Clients sometimes send the tag without its quotes; accept the bare value too.
  return header.split(',').map((tag) => `"${tag.trim()}"`);
}

const CONFLICT_KEYS = ['@microsoft.graph.conflictBehavior', '@name.conflictBehavior'];

/**
 * Reads `@microsoft.graph.conflictBehavior` from the JSON body or the query.
 * The legacy name `@name.conflictBehavior` (sent by rclone 1.60) is a synonym.
 */
export function conflictBehaviorOf(
  ctx: RequestContext,
  body: Record<string, unknown> | undefined,
  fallback: ConflictBehavior,
): ConflictBehavior {
  let value: unknown;
  for (const key of CONFLICT_KEYS) {
    value ??= body?.[key] ?? ctx.query.get(key) ?? undefined;
  }
  if (value === undefined) {
    return fallback;
  }
  if (value === 'fail' || value === 'replace' || value === 'rename') {
    return value;
  }
  throw invalidRequest(
    `@microsoft.graph.conflictBehavior is ${JSON.stringify(value)}; it must be fail, replace or rename`,
    'invalidParameterFormat',
  );
}

/** Parses `$select` (or `select`) into property names. */
export function selectOf(ctx: RequestContext): string[] | undefined {
  const value = queryOption(ctx, 'select');
  if (value === undefined) {
    return undefined;
  }
  return value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/** Reads an OData query option; the `$` prefix is optional, as on the OneDrive API. */
export function queryOption(ctx: RequestContext, name: string): string | undefined {
  return ctx.query.get(`$${name}`) ?? ctx.query.get(name) ?? undefined;
}

/** OData system query options, by their name without `$`. */
const ODATA_OPTIONS = new Set([
  'select',
  'expand',
  'filter',
  'orderby',
  'top',
  'skip',
  'skiptoken',
  'search',
  'count',
]);

/**
 * Throws 501 for an OData query option the route does not implement, so that
 * a client requesting `$filter` or `$expand` never gets an unfiltered response
 * that looks like success. Other query parameters are ignored.
 */
export function assertQueryOptions(ctx: RequestContext, supported: readonly string[]): void {
  for (const key of ctx.query.keys()) {
    const name = (key.startsWith('$') ? key.slice(1) : key).toLowerCase();
    if (ODATA_OPTIONS.has(name) && !supported.includes(name)) {
      throw notSupported(`the $${name} query option on this request`);
    }
  }
}
