import { invalidName } from '../errors.js';

/**
 * OneDrive naming rules. Personal drives reserve `/ \ * < > ? : |`. Microsoft's
 * support article "Restrictions and limitations in OneDrive and SharePoint"
 * adds `"`, leading or trailing spaces, reserved device and system names,
 * `_vti_` anywhere and the `~$` prefix. Folder names may not end in `.`, and
 * the whole decoded path must stay under 400 characters.
 */
const RESERVED_CHARACTERS = /["*:<>?/\\|]/;
const RESERVED_NAMES = new Set([
  '.lock',
  'con',
  'prn',
  'aux',
  'nul',
  'desktop.ini',
  ...Array.from({ length: 10 }, (_, n) => `com${n}`),
  ...Array.from({ length: 10 }, (_, n) => `lpt${n}`),
]);

/** Longest decoded path, in characters, that OneDrive accepts (the limit is exclusive). */
export const MAX_PATH_CHARACTERS = 400;

/** Throws a 400 Graph error when `name` breaks a naming rule. */
export function validateName(name: string, kind: 'file' | 'folder'): void {
  if (name.length === 0) {
    throw invalidName('the name is empty');
  }
  // Path syntax, not names: a client could create an item that no path can address.
  if (name === '.' || name === '..') {
    throw invalidName(`the name '${name}' is reserved`);
  }
  const reserved = RESERVED_CHARACTERS.exec(name);
  if (reserved) {
    throw invalidName(`the name '${name}' contains the invalid character '${reserved[0]}'`);
  }
  if (hasControlCharacter(name)) {
    throw invalidName(`the name '${name}' contains a control character`);
  }
  // Only ASCII space counts: OneDrive accepts a leading ideographic space (U+3000).
  if (name.startsWith(' ')) {
    throw invalidName(`the name '${name}' has an invalid leading space`);
  }
  if (name.endsWith(' ')) {
    throw invalidName(`the name '${name}' has an invalid trailing space`);
  }
  if (kind === 'folder' && name.endsWith('.')) {
    throw invalidName(`the folder name '${name}' has an invalid trailing '.'`);
  }
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    throw invalidName(`the name '${name}' is reserved`);
  }
  if (name.toLowerCase().includes('_vti_')) {
    throw invalidName(`the name '${name}' contains the reserved sequence '_vti_'`);
  }
  if (name.startsWith('~$')) {
    throw invalidName(`the name '${name}' starts with the reserved prefix '~$'`);
  }
}

function hasControlCharacter(name: string): boolean {
  for (let index = 0; index < name.length; index++) {
    const code = name.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) {
      return true;
    }
  }
  return false;
}

/**
 * Yields the names a `rename` conflict behaviour tries, in order: `report 1.txt`,
 * `report 2.txt`, … for files and `Folder 1`, `Folder 2`, … for folders.
 */
export function* renameCandidates(name: string, isFolder: boolean): Generator<string> {
  const dot = isFolder ? -1 : name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const extension = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; ; n++) {
    yield `${stem} ${n}${extension}`;
  }
}
