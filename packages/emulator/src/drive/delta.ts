import type { RequestContext } from '../context.js';
import { GraphError, invalidRequest } from '../errors.js';
import { sendJson } from '../http.js';
import { applySelect, toDriveItem } from '../model/item-json.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { readRecord } from './records.js';
import { CHANGE_KIND, type ChangeEntry, currentChangeSeq } from './tracking.js';

/** Page size of delta without `$top`; `$top` may set 1 to MAX_PAGE_SIZE. */
const DEFAULT_PAGE_SIZE = 200;
const MAX_PAGE_SIZE = 1000;
const DELTA_STATE_KIND = 'deltaState';

/** Position in a drive's change log, carried inside the opaque token. */
interface DeltaCursor {
  /** Token generation of the drive. Raising it invalidates every outstanding token. */
  generation: number;
  /** Sequence number after which changes belong to the round, or -1 for a full enumeration. */
  since: number;
  /** Last sequence number of the round. */
  upto: number;
  /** Count of items of the round already returned. */
  offset: number;
  /** Issue time in milliseconds since the epoch. */
  issuedAt: number;
}

/** Current token generation of a drive. */
function generationOf(store: MetadataStore, driveId: string): number {
  return readRecord<number>(store, DELTA_STATE_KIND, driveId) ?? 0;
}

/** Invalidates every outstanding delta token of the drive, so each one gets 410 Gone. */
export function expireDeltaTokens(store: MetadataStore, driveId: string): number {
  const next = generationOf(store, driveId) + 1;
  store.putRecord(DELTA_STATE_KIND, driveId, next);
  return next;
}

function encodeCursor(cursor: DeltaCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): DeltaCursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaCursor;
    const fields = [value.generation, value.since, value.upto, value.offset, value.issuedAt];
    return fields.every((field) => Number.isInteger(field)) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The token of a delta request: `?token=…`, or the function form `delta(token='…')`. */
function tokenOf(ctx: RequestContext, segment: string): string | undefined {
  const fromQuery = ctx.query.get('token');
  if (fromQuery !== null) {
    return fromQuery;
  }
  const match = /\(\s*token\s*=\s*'?([^')]*)'?\s*\)$/.exec(segment);
  return match?.[1] || undefined;
}

/**
 * `GET …/delta` on a folder (the root or any folder below it). A request without a
 * token enumerates every item below the folder. A token continues from its position
 * in the change log and lists each changed item once, with its latest state. Deleted
 * items carry `deleted: {}` and, as on personal OneDrive, no `cTag` and no `size`.
 * No item carries `parentReference.path`.
 */
export function handleDelta(
  ctx: RequestContext,
  drive: DriveRecord,
  folder: ItemRecord,
  segment: string,
): void {
  const { store, options } = ctx.emulator;
  if (!folder.isFolder) {
    throw invalidRequest('delta is only available on folders');
  }
  const base = `${ctx.emulator.url}${ctx.rawPath.replace(/\(.*\)$/, '')}`;
  const pageSize = pageSizeOf(ctx);
  const generation = generationOf(store, drive.id);
  const now = Date.now();
  const token = tokenOf(ctx, segment);

  let cursor: DeltaCursor;
  if (token === undefined) {
    cursor = {
      generation,
      since: -1,
      upto: currentChangeSeq(store, drive.id),
      offset: 0,
      issuedAt: now,
    };
  } else if (token === 'latest') {
    const seq = currentChangeSeq(store, drive.id);
    const latest = { generation, since: seq, upto: seq, offset: 0, issuedAt: now };
    sendJson(ctx.res, 200, {
      value: [],
      '@odata.deltaLink': linkWith(base, ctx, encodeCursor(latest)),
    });
    return;
  } else {
    const decoded = decodeCursor(token);
    const lifetime = options.deltaTokenLifetimeSeconds;
    const expired =
      !decoded ||
      decoded.generation !== generation ||
      (lifetime !== undefined && now - decoded.issuedAt > lifetime * 1000);
    if (!decoded || expired) {
      throw resyncRequired(base);
    }
    // A deltaLink starts a new round, which covers every change made up to now.
    cursor =
      decoded.offset === 0 ? { ...decoded, upto: currentChangeSeq(store, drive.id) } : decoded;
  }

  const round =
    cursor.since === -1
      ? enumerate(store, folder)
      : changesSince(store, drive, folder, cursor.since, cursor.upto);
  const page = round.slice(cursor.offset, cursor.offset + pageSize);
  const select = selectOf(ctx);
  const value = page.map((entry) => applySelect(deltaItemJson(ctx, drive, entry), select));
  const body: Record<string, unknown> = { value };
  if (cursor.offset + pageSize < round.length) {
    const next = { ...cursor, offset: cursor.offset + pageSize, issuedAt: now };
    body['@odata.nextLink'] = linkWith(base, ctx, encodeCursor(next));
  } else {
    // The next round starts after this one; its upper bound is set when it is requested.
    const next = {
      generation,
      since: cursor.upto,
      upto: cursor.upto,
      offset: 0,
      issuedAt: now,
    };
    body['@odata.deltaLink'] = linkWith(base, ctx, encodeCursor(next));
  }
  sendJson(ctx.res, 200, body);
}

function linkWith(base: string, ctx: RequestContext, token: string): string {
  const params = new URLSearchParams({ token });
  for (const name of ['$top', '$select', 'top', 'select']) {
    const value = ctx.query.get(name);
    if (value !== null) {
      params.set(name, value);
    }
  }
  return `${base}?${params.toString()}`;
}

function selectOf(ctx: RequestContext): string[] | undefined {
  const value = ctx.query.get('$select') ?? ctx.query.get('select');
  return value === null ? undefined : value.split(',').map((name) => name.trim());
}

function pageSizeOf(ctx: RequestContext): number {
  const raw = ctx.query.get('$top') ?? ctx.query.get('top');
  if (raw === null) {
    return DEFAULT_PAGE_SIZE;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw invalidRequest(`$top is '${raw}'; it must be a positive integer`, 'invalidQueryOption');
  }
  return Math.min(value, MAX_PAGE_SIZE);
}

/** 410 with a Location that restarts the enumeration from scratch. */
function resyncRequired(base: string): GraphError {
  return new GraphError(
    410,
    'resyncRequired',
    'the delta token has expired or is no longer valid; restart the enumeration from the Location URL',
    { innerCode: 'resyncChangesApplyDifferences', headers: { Location: base } },
  );
}

type RoundEntry = { live: ItemRecord } | { gone: ChangeEntry };

/** Lists every live item at or below `folder`, parents before children and siblings by id. */
function enumerate(store: MetadataStore, folder: ItemRecord): RoundEntry[] {
  const result: RoundEntry[] = [];
  const queue: ItemRecord[] = [folder];
  while (queue.length > 0) {
    const current = queue.shift() as ItemRecord;
    result.push({ live: current });
    if (current.isFolder) {
      queue.push(...store.listChildren(current.driveId, current.id).sort(byItemNumber));
    }
  }
  return result;
}

function byItemNumber(a: ItemRecord, b: ItemRecord): number {
  return itemNumber(a.id) - itemNumber(b.id);
}

function itemNumber(id: string): number {
  return Number(id.slice(id.lastIndexOf('!') + 1)) || 0;
}

/** Lists the changes in (since, upto], one per item, in the order of each item's last change. */
function changesSince(
  store: MetadataStore,
  drive: DriveRecord,
  folder: ItemRecord,
  since: number,
  upto: number,
): RoundEntry[] {
  const latest = new Map<string, ChangeEntry>();
  for (const { value } of store.listRecords(CHANGE_KIND, `${drive.id}:`)) {
    const entry = value as ChangeEntry;
    if (entry.seq > since && entry.seq <= upto) {
      latest.delete(entry.id);
      latest.set(entry.id, entry);
    }
  }
  const result: RoundEntry[] = [];
  for (const entry of latest.values()) {
    if (entry.id !== folder.id && !withinScope(store, drive.id, entry.parentId, folder)) {
      continue;
    }
    const current = store.getItem(drive.id, entry.id);
    if (current && current.deletedDateTime === null) {
      result.push({ live: current });
    } else {
      result.push({ gone: entry });
    }
  }
  return result;
}

/** True when the folder `parentId` (live, recycled or the scope itself) lies within `scope`. */
function withinScope(
  store: MetadataStore,
  driveId: string,
  parentId: string | null,
  scope: ItemRecord,
): boolean {
  let currentId = parentId;
  for (let depth = 0; currentId !== null && depth < 10_000; depth += 1) {
    if (currentId === scope.id) {
      return true;
    }
    currentId = store.getItem(driveId, currentId)?.parentId ?? null;
  }
  return false;
}

function deltaItemJson(
  ctx: RequestContext,
  drive: DriveRecord,
  entry: RoundEntry,
): Record<string, unknown> {
  if ('live' in entry) {
    const json = toDriveItem(ctx.emulator, drive, entry.live);
    const reference = json.parentReference as Record<string, unknown> | undefined;
    if (reference) {
      delete reference.path;
    }
    return json;
  }
  const gone = entry.gone;
  const json: Record<string, unknown> = {
    id: gone.id,
    name: gone.name,
    parentReference: { driveId: drive.id, driveType: 'personal', id: gone.parentId },
    deleted: {},
  };
  json[gone.isFolder ? 'folder' : 'file'] = {};
  return json;
}
