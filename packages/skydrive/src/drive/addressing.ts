import { SkydriveError } from '../errors.js';
import { parseSpecialRef, type SpecialFolderName } from './special.js';
import type { Addressing, ItemRef } from './types.js';

export { validateName, validatePath } from './names.js';

export type ParsedItemRef =
  | { kind: 'id'; id: string }
  | { kind: 'path'; path: string }
  | { kind: 'special'; name: SpecialFolderName; path: string };

/** Personal item ids look like '0123456789abc!123'. */
const PERSONAL_ID = /^[0-9A-Fa-f]{1,16}![0-9A-Za-z._-]+$/;
/** Business item ids are 34 characters starting with '01'. */
const BUSINESS_ID = /^01[A-Z0-9]{32}$/;
const ID_PREFIX = 'id:';

/** True when a string has the shape of a personal or business item id. */
export function looksLikeItemId(value: string): boolean {
  return PERSONAL_ID.test(value) || BUSINESS_ID.test(value);
}

/**
 * Read an item reference. A string is a path unless it starts with 'id:' or,
 * with addressing 'auto', has the shape of an item id; 'path' and 'id' force
 * one reading.
 */
export function parseItemRef(input: ItemRef, addressing: Addressing = 'auto'): ParsedItemRef {
  if (typeof input === 'object' && input !== null) {
    if ('id' in input && typeof input.id === 'string') {
      return { kind: 'id', id: requireId(input.id) };
    }
    if ('path' in input && typeof input.path === 'string') {
      return { kind: 'path', path: normalisePath(input.path) };
    }
  }
  if (typeof input !== 'string') {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      'an item must be a path string, { id } or { path }',
    );
  }
  const special = parseSpecialRef(input);
  if (special !== undefined) {
    return { kind: 'special', name: special.name, path: normalisePath(special.path) };
  }
  if (input.startsWith(ID_PREFIX)) {
    return { kind: 'id', id: requireId(input.slice(ID_PREFIX.length)) };
  }
  if (addressing === 'id') {
    return { kind: 'id', id: requireId(input) };
  }
  if (addressing === 'auto' && looksLikeItemId(input)) {
    return { kind: 'id', id: input };
  }
  return { kind: 'path', path: normalisePath(input) };
}

function requireId(id: string): string {
  if (id === '' || id.includes('/')) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `invalid item id ${JSON.stringify(id)}: an id is not empty and has no "/"`,
    );
  }
  return id;
}

/**
 * Normalise a drive path: leading '/', no empty segments, no trailing '/'.
 * '' and '/' are the root. '.' and '..' are refused rather than resolved,
 * because a drive path is never relative.
 */
export function normalisePath(path: string): string {
  const segments = path.split('/').filter((segment) => segment !== '');
  for (const segment of segments) {
    if (segment === '.' || segment === '..') {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `invalid path ${JSON.stringify(path)}: drive paths are absolute and cannot contain "." or ".."`,
      );
    }
  }
  return `/${segments.join('/')}`;
}

/** Join drive path parts into one normalised absolute path. */
export function joinRemotePath(...parts: string[]): string {
  return normalisePath(parts.join('/'));
}

/** Return the parent of a normalised path. The root's parent is the root. */
export function parentPath(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/** Return the last segment of a normalised path, or '' for the root. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
