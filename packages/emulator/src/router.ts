import { invalidRequest } from './errors.js';

/** Drive named by a Graph URL. */
export type DriveSelector =
  | { kind: 'me' }
  | { kind: 'id'; driveId: string }
  | { kind: 'user'; userId: string };

/** Start of an item address: the root, or an item id (`items/root` is an alias). */
export type ItemBase =
  | { kind: 'root' }
  | { kind: 'id'; itemId: string }
  | { kind: 'special'; name: string };

export type Route =
  | { kind: 'token'; tenant: string }
  | { kind: 'unsupported'; feature: string; auth: boolean }
  | { kind: 'unknown'; path: string; auth: boolean }
  | { kind: 'me' }
  | { kind: 'user'; userId: string }
  | { kind: 'drives' }
  | { kind: 'drive'; drive: DriveSelector }
  /** Drive-level functions: `recent` and `search(q='…')`; `segment` keeps the arguments. */
  | { kind: 'driveFeature'; drive: DriveSelector; feature: 'recent' | 'search'; segment: string }
  | {
      kind: 'item';
      drive: DriveSelector;
      base: ItemBase;
      /** Decoded path segments after `:`, relative to `base`. */
      path: string[];
      /** Decoded segments after the item: `children`, `content`, `copy`, … */
      action: string[];
    };

/** Actions that Graph defines on a driveItem but the emulator does not implement. */
const UNSUPPORTED_ITEM_ACTIONS: Record<string, string> = {
  delta: 'delta',
  search: 'search',
  thumbnails: 'thumbnails',
  versions: 'versions',
  permissions: 'permissions',
  createlink: 'createLink',
  invite: 'invite',
  preview: 'preview',
  restore: 'restore',
  permanentdelete: 'permanentDelete',
  checkin: 'checkin',
  checkout: 'checkout',
  follow: 'follow',
  unfollow: 'unfollow',
  workbook: 'workbook',
  listitem: 'listItem',
  analytics: 'analytics',
  activities: 'activities',
  subscriptions: 'subscriptions',
  getactivitiesbyinterval: 'getActivitiesByInterval',
  validatepermission: 'validatePermission',
  extractsensitivitylabels: 'extractSensitivityLabels',
  assignsensitivitylabel: 'assignSensitivityLabel',
  retentionlabel: 'retentionLabel',
};

/** Drive-level segments that Graph defines but the emulator does not implement. */
const UNSUPPORTED_DRIVE_SEGMENTS: Record<string, string> = {
  sharedwithme: 'sharedWithMe',
  following: 'following',
  bundles: 'bundles',
  list: 'list',
  activities: 'activities',
};

/** Segments implemented on an item. */
export const ITEM_ACTIONS = new Set(['children', 'content', 'copy', 'createuploadsession']);

/**
 * Parses the path of a request by the Graph URL grammar:
 * `/v1.0/{me/drive | drives/{id} | users/{id}/drive}/{root | items/{id}}`,
 * then an optional `:/relative/path`, an optional closing `:`, and
 * `/segment…`. Each segment is percent-decoded exactly once, by RFC 3986
 * rules, so `%23` is `#` and `+` stays `+`.
 */
export function parseRoute(rawPath: string): Route {
  const identity = /^\/([^/]+)\/oauth2\/v2\.0\/([^/]+)\/?$/.exec(rawPath);
  if (identity?.[1] && identity[2]) {
    if (identity[2] === 'token') {
      return { kind: 'token', tenant: decodeSegment(identity[1]) };
    }
    return { kind: 'unsupported', feature: `the ${identity[2]} endpoint`, auth: false };
  }
  if (rawPath !== '/v1.0' && !rawPath.startsWith('/v1.0/')) {
    return { kind: 'unknown', path: rawPath, auth: false };
  }
  return parseGraphPath(rawPath.slice('/v1.0'.length), rawPath);
}

function parseGraphPath(rest: string, rawPath: string): Route {
  const colon = rest.indexOf(':');
  const prefix = splitSegments(colon === -1 ? rest : rest.slice(0, colon));
  const unknown: Route = { kind: 'unknown', path: rawPath, auth: true };

  const selected = selectDrive(prefix);
  if (!selected) {
    if (colon === -1 && prefix.length === 1 && prefix[0] === 'me') {
      return { kind: 'me' };
    }
    if (colon === -1 && prefix.length === 2 && prefix[0] === 'me' && prefix[1] === 'drives') {
      return { kind: 'drives' };
    }
    if (colon === -1 && prefix.length === 2 && prefix[0] === 'users' && prefix[1]) {
      return { kind: 'user', userId: prefix[1] };
    }
    return unknown;
  }

  const { drive, remaining } = selected;
  if (remaining.length === 0) {
    return colon === -1 ? { kind: 'drive', drive } : unknown;
  }

  const head = remaining[0] ?? '';
  const feature = actionName(head);
  if ((feature === 'recent' || feature === 'search') && remaining.length === 1 && colon === -1) {
    return { kind: 'driveFeature', drive, feature, segment: head };
  }
  const unsupportedDrive = UNSUPPORTED_DRIVE_SEGMENTS[actionName(head)];
  if (unsupportedDrive) {
    return { kind: 'unsupported', feature: unsupportedDrive, auth: true };
  }

  let base: ItemBase;
  let afterBase: string[];
  if (head === 'root') {
    base = { kind: 'root' };
    afterBase = remaining.slice(1);
  } else if (head === 'special' && remaining[1] !== undefined) {
    base = { kind: 'special', name: remaining[1] };
    afterBase = remaining.slice(2);
  } else if (head === 'items' && remaining[1] !== undefined) {
    base = remaining[1] === 'root' ? { kind: 'root' } : { kind: 'id', itemId: remaining[1] };
    afterBase = remaining.slice(2);
  } else {
    return unknown;
  }

  if (colon === -1) {
    return { kind: 'item', drive, base, path: [], action: afterBase };
  }
  // A path may only follow the item itself: `root:/a` or `items/{id}:/a`.
  if (afterBase.length > 0) {
    return unknown;
  }
  const pathPart = rest.slice(colon + 1);
  const close = pathPart.indexOf(':');
  const path = splitSegments(close === -1 ? pathPart : pathPart.slice(0, close));
  const action = close === -1 ? [] : splitSegments(pathPart.slice(close + 1));
  return { kind: 'item', drive, base, path, action };
}

function selectDrive(
  segments: string[],
): { drive: DriveSelector; remaining: string[] } | undefined {
  const [first, second, third] = segments;
  if (first === 'me' && second === 'drive') {
    return { drive: { kind: 'me' }, remaining: segments.slice(2) };
  }
  // The OneDrive direct API and the docs' examples use a bare `/drive`.
  if (first === 'drive') {
    return { drive: { kind: 'me' }, remaining: segments.slice(1) };
  }
  if (first === 'drives' && second !== undefined) {
    return { drive: { kind: 'id', driveId: second }, remaining: segments.slice(2) };
  }
  if (first === 'users' && second !== undefined && third === 'drive') {
    return { drive: { kind: 'user', userId: second }, remaining: segments.slice(3) };
  }
  return undefined;
}

/** Name of an action segment without the `microsoft.graph.` namespace or OData arguments. */
export function actionName(segment: string): string {
  const bare = segment.startsWith('microsoft.graph.')
    ? segment.slice('microsoft.graph.'.length)
    : segment;
  const paren = bare.indexOf('(');
  return (paren === -1 ? bare : bare.slice(0, paren)).toLowerCase();
}

/** Feature name when `segment` is a known but unimplemented item action. */
export function unsupportedItemAction(segment: string): string | undefined {
  return UNSUPPORTED_ITEM_ACTIONS[actionName(segment)];
}

function splitSegments(raw: string): string[] {
  return raw
    .split('/')
    .filter((segment) => segment.length > 0)
    .map(decodeSegment);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest(`the path segment '${segment}' has malformed percent-encoding`);
  }
}
