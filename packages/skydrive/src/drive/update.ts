import { SkydriveError } from '../errors.js';
import { itemUrlPath } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { validateName } from './addressing.js';
import { type DriveContext, locate } from './context.js';
import type { ItemRef } from './types.js';

/**
 * Writable metadata of an item. Only the fields present are sent, so fields
 * left out keep their value on the service. Other writable Graph properties
 * may be added as extra keys and are sent as they are.
 */
export interface ItemUpdate {
  name?: string;
  /** OneDrive personal only. An empty string clears it. */
  description?: string;
  /** Client-side times; Graph keeps the item's own times separately. */
  fileSystemInfo?: { createdDateTime?: string; lastModifiedDateTime?: string };
  [property: string]: unknown;
}

export interface UpdateOptions {
  /** Only update when the item's eTag (or cTag) still equals this value; else Graph returns 412. */
  ifMatch?: string;
}

/** Properties the service computes; a PATCH that names them is rejected before sending. */
const READ_ONLY = new Set([
  'id',
  'size',
  'eTag',
  'cTag',
  'createdDateTime',
  'lastModifiedDateTime',
  'createdBy',
  'lastModifiedBy',
  'webUrl',
  'file',
  'folder',
  'root',
  'package',
]);

export async function updateItem(
  context: DriveContext,
  item: ItemRef,
  update: ItemUpdate,
  options: UpdateOptions = {},
): Promise<DriveItem> {
  const body = checkUpdate(update);
  const locator = locate(context, item);
  if (body.name !== undefined && locator.kind === 'path' && locator.path === '/') {
    throw new SkydriveError('INVALID_ARGUMENT', 'the root folder cannot be renamed');
  }
  const headers: Record<string, string> = {};
  if (options.ifMatch !== undefined) {
    headers['if-match'] = options.ifMatch;
  }
  return context.graph.json<DriveItem>({
    method: 'PATCH',
    url: itemUrlPath(locator),
    headers,
    json: body,
  });
}

/** Validate an update and return the PATCH body: only the fields that were given. */
export function checkUpdate(update: ItemUpdate): ItemUpdate {
  if (update === null || typeof update !== 'object' || Array.isArray(update)) {
    throw new SkydriveError('INVALID_ARGUMENT', 'an update must be an object of item properties');
  }
  const body: ItemUpdate = {};
  for (const [key, value] of Object.entries(update)) {
    if (value === undefined) {
      continue;
    }
    if (READ_ONLY.has(key)) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `${key} is computed by the service and cannot be set; writable properties include name, description and fileSystemInfo`,
      );
    }
    body[key] = value;
  }
  if (Object.keys(body).length === 0) {
    throw new SkydriveError('INVALID_ARGUMENT', 'nothing to update: give at least one property');
  }
  if (body.name !== undefined) {
    if (typeof body.name !== 'string') {
      throw new SkydriveError('INVALID_ARGUMENT', 'name must be a string');
    }
    validateName(body.name);
  }
  if (body.description !== undefined && typeof body.description !== 'string') {
    throw new SkydriveError('INVALID_ARGUMENT', 'description must be a string');
  }
  if (body.fileSystemInfo !== undefined) {
    checkFileSystemInfo(body.fileSystemInfo);
  }
  return body;
}

function checkFileSystemInfo(info: unknown): void {
  if (info === null || typeof info !== 'object' || Array.isArray(info)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      'fileSystemInfo must be an object with createdDateTime and/or lastModifiedDateTime',
    );
  }
  for (const [key, value] of Object.entries(info)) {
    if (key !== 'createdDateTime' && key !== 'lastModifiedDateTime') {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `fileSystemInfo.${key} cannot be set; only createdDateTime and lastModifiedDateTime can`,
      );
    }
    if (typeof value !== 'string' || !isIsoTime(value)) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `fileSystemInfo.${key} ${JSON.stringify(value)} must be an ISO 8601 time such as 2026-12-04T20:10:00Z`,
      );
    }
  }
}

/** True for an ISO 8601 date-time with a zone, the form Graph's DateTimeOffset takes. */
export function isIsoTime(value: string): boolean {
  return (
    /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}
