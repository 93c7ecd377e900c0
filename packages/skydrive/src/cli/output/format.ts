import type { DriveItem } from '../../index.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Binary size for people: '0 B', '1023 B', '1.2 KiB', '12.3 MiB'. */
export function humanSize(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) {
    return '-';
  }
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  if (unit === 0) {
    return `${value} B`;
  }
  // 1023.95 KiB would print as '1024.0 KiB'; move it to the next unit instead.
  if (Number(value.toFixed(1)) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Widest output of humanSize below 1 PiB, e.g. '1023.9 MiB'; used for column alignment. */
export const SIZE_COLUMN_WIDTH = 10;

/** UTC ISO 8601 to the minute, e.g. '2026-12-04T20:10Z'; '-' when the time is unknown. */
export function minuteTime(iso: string | undefined): string {
  if (iso === undefined) {
    return '-'.padEnd(17);
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '-'.padEnd(17);
  }
  return `${date.toISOString().slice(0, 16)}Z`;
}

/** Second-precision UTC time for `info`. */
export function secondTime(iso: string | undefined): string | undefined {
  if (iso === undefined) {
    return undefined;
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19)}Z`;
}

export type ItemType = 'file' | 'folder' | 'package' | 'remote' | 'unknown';

/**
 * Classify an item by its facets. A driveItem may carry `file`, `folder`,
 * `package` (OneNote notebooks: neither file nor folder) or `remoteItem`
 * (shared from another drive), so no facet is assumed.
 */
export function itemType(item: DriveItem): ItemType {
  if (item.folder !== undefined || item.root !== undefined) {
    return 'folder';
  }
  if (item.file !== undefined) {
    return 'file';
  }
  if (item.package !== undefined) {
    return 'package';
  }
  if (item.remoteItem !== undefined) {
    return 'remote';
  }
  return 'unknown';
}

/** True for items that have children: folders, the root and packages. */
export function isContainer(item: DriveItem): boolean {
  const type = itemType(item);
  return type === 'folder' || type === 'package';
}

/** Name as listed: folders end in '/'. */
export function displayName(name: string, item: DriveItem): string {
  return itemType(item) === 'folder' && !name.endsWith('/') ? `${name}/` : name;
}

/**
 * Build the absolute drive path of an item from its parentReference.path
 * ('/drive/root:/docs', percent-encoded on Graph) and its name.
 */
export function itemPath(item: DriveItem): string | undefined {
  if (item.root !== undefined) {
    return '/';
  }
  const parent = item.parentReference?.path;
  if (parent === undefined || item.name === undefined) {
    return undefined;
  }
  const marker = parent.indexOf('root:');
  if (marker < 0) {
    return undefined;
  }
  let folder = parent.slice(marker + 'root:'.length);
  try {
    folder = decodeURIComponent(folder);
  } catch {
    // Some services return the path unencoded; a stray '%' then is a literal.
  }
  return `${folder.replace(/\/+$/, '')}/${item.name}`;
}

/** Left-aligned `key: value` lines with the values in one column. */
export function keyValueLines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(0, ...present.map(([key]) => key.length + 1));
  return present.map(([key, value]) => `${`${key}:`.padEnd(width)}  ${value}\n`).join('');
}
