import type { Principal, RequestContext } from '../context.js';
import { invalidRequest } from '../errors.js';
import { readJsonObject, sendJson } from '../http.js';
import { assertQuota } from '../model/quota.js';
import type { ItemBase } from '../router.js';
import type { DriveRecord } from '../store/types.js';
import type { UploadSession } from '../upload/session-store.js';
import { checkUploadPreconditions, findUploadTarget } from './content.js';
import { parseDateTime } from './items.js';
import { conflictBehaviorOf } from './shared.js';

/**
 * `POST …/createUploadSession`, by path (new or existing file) or by item id
 * (replaces that file). The body is optional:
 * `{item:{@microsoft.graph.conflictBehavior, name, description, fileSystemInfo, fileSize}, deferCommit}`.
 * Conflict behaviour defaults to `fail` by path, unlike simple upload, and to
 * `replace` by item id. Returns 200
 * with `{uploadUrl, expirationDateTime, nextExpectedRanges}`.
 */
export async function handleCreateUploadSession(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  base: ItemBase,
  path: readonly string[],
): Promise<void> {
  const { store, options, uploads } = ctx.emulator;
  const body = await readJsonObject(ctx.req);
  const item = objectField(body, 'item');
  const target = findUploadTarget(ctx, drive, base, path);

  const name = item.name;
  if (name !== undefined && name !== target.name) {
    throw invalidRequest(
      `item.name '${String(name)}' does not match the name '${target.name}' in the URL`,
      'invalidParameterFormat',
    );
  }
  // A session by item id exists to replace that file; by path the default is fail.
  const behavior = conflictBehaviorOf(ctx, item, path.length === 0 ? 'replace' : 'fail');
  checkUploadPreconditions(ctx, target, behavior);

  const fileSize = optionalSize(item.fileSize);
  if (fileSize !== undefined) {
    // The quota check before any byte is sent; replacing a file only adds the difference.
    const added = fileSize - (behavior === 'replace' ? (target.existing?.size ?? 0) : 0);
    assertQuota(store, drive.id, options.quotaBytes, added, target.existing ? 'replace' : 'create');
  }
  const deferCommit = body.deferCommit ?? false;
  if (typeof deferCommit !== 'boolean') {
    throw invalidRequest('deferCommit must be true or false', 'invalidParameterFormat');
  }
  const description = item.description ?? null;
  if (description !== null && typeof description !== 'string') {
    throw invalidRequest('item.description must be a string', 'invalidParameterFormat');
  }
  const fsInfo = objectField(item, 'fileSystemInfo');

  const session = await uploads.create({
    username: principal.user.username,
    driveId: drive.id,
    parentId: target.parent.id,
    name: target.name,
    targetItemId: path.length === 0 ? (target.existing?.id ?? null) : null,
    conflictBehavior: behavior,
    deferCommit,
    description,
    fsCreatedDateTime: optionalDate('fileSystemInfo.createdDateTime', fsInfo.createdDateTime),
    fsModifiedDateTime: optionalDate(
      'fileSystemInfo.lastModifiedDateTime',
      fsInfo.lastModifiedDateTime,
    ),
    totalSize: fileSize ?? null,
    expiresAt: Date.now() + options.uploadSessionLifetimeSeconds * 1000,
  });
  ctx.log.info(
    { name: target.name, parentId: target.parent.id, fileSize: fileSize ?? null },
    'upload session created',
  );
  sendJson(ctx.res, 200, {
    '@odata.context': `${ctx.emulator.url}/v1.0/$metadata#microsoft.graph.uploadSession`,
    uploadUrl: uploadUrlOf(ctx, session),
    expirationDateTime: new Date(session.expiresAt).toISOString(),
    nextExpectedRanges: nextExpectedRanges(session),
  });
}

/** Two path segments, because the Graph JS SDK reads the first one as an API version. */
export function uploadUrlOf(ctx: RequestContext, session: UploadSession): string {
  return `${ctx.emulator.contentUrl}/upload/${session.token}`;
}

/** Lists the missing range. Fragments arrive in order, so it runs from `received` to the end. */
export function nextExpectedRanges(session: UploadSession): string[] {
  if (session.totalSize === null) {
    return [`${session.received}-`];
  }
  if (session.received >= session.totalSize) {
    return [];
  }
  return [`${session.received}-${session.totalSize - 1}`];
}

function objectField(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = body[key];
  if (value === undefined || value === null) {
    return {};
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest(`${key} must be a JSON object`, 'invalidParameterFormat');
  }
  return value as Record<string, unknown>;
}

function optionalSize(value: unknown): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidRequest(
      `item.fileSize is ${JSON.stringify(value)}; it must be a byte count`,
      'invalidParameterFormat',
    );
  }
  return value;
}

function optionalDate(field: string, value: unknown): string | null {
  return value === undefined || value === null ? null : parseDateTime(field, value);
}
