import { SkydriveError } from '../errors.js';

/**
 * Percent-encode one path segment as UTF-8. Graph decodes path segments by
 * RFC 3986 rules, so '#' (else read as a fragment), '%', ' ', ':' (the path
 * delimiter of `root:/…:`) and '+' (read as a space by some front ends) must
 * all be escaped. encodeURIComponent escapes all of them.
 */
export function encodeSegment(segment: string): string {
  try {
    return encodeURIComponent(segment);
  } catch (error) {
    throw new SkydriveError(
      'INVALID_NAME',
      `invalid name ${JSON.stringify(segment)}: it contains an unpaired UTF-16 surrogate`,
      { cause: error },
    );
  }
}

/** Encode a normalised drive path ('/a/b') segment by segment, keeping the '/' separators. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === '' ? '' : encodeSegment(segment)))
    .join('/');
}

/** Item address for the URL builder: an id or a normalised drive path. */
export type ItemLocator =
  | { kind: 'id'; id: string }
  | { kind: 'path'; path: string /* normalised, starts with '/' */ }
  | {
      kind: 'special';
      name: string;
      path: string /* below the special folder; '/' is the folder */;
    };

/**
 * Build the drive-relative URL path of an item, optionally followed by a segment
 * such as 'children' or 'content'. Built as a string: passing a raw name
 * through `new URL()` would move everything after '#' into the fragment.
 *
 *   { path: '/a b' }, 'content' → '/me/drive/root:/a%20b:/content'
 *   { id: 'X!1' }, 'children'   → '/me/drive/items/X!1/children'
 */
export function itemUrlPath(item: ItemLocator, action?: string): string {
  const tail = action === undefined ? '' : `/${action}`;
  if (item.kind === 'id') {
    return `/me/drive/items/${encodeSegment(item.id)}${tail}`;
  }
  if (item.kind === 'special') {
    const folder = `/me/drive/special/${encodeSegment(item.name)}`;
    if (item.path === '/') {
      return `${folder}${tail}`;
    }
    return action === undefined
      ? `${folder}:${encodePath(item.path)}`
      : `${folder}:${encodePath(item.path)}:${tail}`;
  }
  if (item.path === '/') {
    return `/me/drive/root${tail}`;
  }
  const encoded = `/me/drive/root:${encodePath(item.path)}`;
  return action === undefined ? encoded : `${encoded}:${tail}`;
}

/**
 * URL path of a child, by name, under a parent given by id or path: the form
 * used to upload a new file, e.g. '/me/drive/items/P!1:/a%23b.txt:/content'.
 */
export function childUrlPath(parent: ItemLocator, name: string, action?: string): string {
  if (parent.kind === 'path' || parent.kind === 'special') {
    const childPath = parent.path === '/' ? `/${name}` : `${parent.path}/${name}`;
    return itemUrlPath({ ...parent, path: childPath }, action);
  }
  const base = `/me/drive/items/${encodeSegment(parent.id)}:/${encodeSegment(name)}`;
  return action === undefined ? base : `${base}:/${action}`;
}

/** Build a query string from defined values, keeping '$' and '@' readable in the names. */
export function queryString(params: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) {
      parts.push(`${name}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
