import { SkydriveError } from '../errors.js';

// OneDrive and SharePoint name rules. The service rejects these names. Some
// clients trimmed such names instead, which can overwrite another file, so
// the library rejects them before any request and never alters a name.

const RESERVED_CHARACTERS = ['"', '*', ':', '<', '>', '?', '/', '\\', '|'];

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

/** Only ASCII whitespace counts; the service accepts a leading ideographic space (U+3000). */
const ASCII_WHITESPACE = /^[ \t\r\n\v\f]|[ \t\r\n\v\f]$/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this rejects
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** The service limit on a whole decoded path, file name included, in characters. */
export const MAX_PATH_LENGTH = 399;

/** Throw SkydriveError 'INVALID_NAME' when OneDrive would reject `name` as an item name. */
export function validateName(name: string): void {
  const problem = nameProblem(name);
  if (problem !== undefined) {
    throw new SkydriveError('INVALID_NAME', `invalid name ${JSON.stringify(name)}: ${problem}`);
  }
}

function nameProblem(name: string): string | undefined {
  if (name === '') {
    return 'a name cannot be empty';
  }
  if (name === '.' || name === '..') {
    return 'a name cannot be "." or ".."';
  }

  // Characters anywhere in the name.
  const reserved = RESERVED_CHARACTERS.find((character) => name.includes(character));
  if (reserved !== undefined) {
    return `a name cannot contain ${JSON.stringify(reserved)} (reserved: " * : < > ? / \\ |)`;
  }
  if (CONTROL_CHARACTER.test(name)) {
    return 'a name cannot contain control characters';
  }
  if (ASCII_WHITESPACE.test(name)) {
    return 'a name cannot begin or end with whitespace';
  }

  // Whole names, prefixes and suffixes.
  if (name.endsWith('.')) {
    return 'a name cannot end with "."';
  }
  if (RESERVED_NAMES.has(name.toLowerCase())) {
    return `${JSON.stringify(name)} is a reserved name`;
  }
  if (name.toLowerCase().includes('_vti_')) {
    return 'a name cannot contain "_vti_"';
  }
  if (name.startsWith('~$')) {
    return 'a name cannot begin with "~$"';
  }
  if (name.length > MAX_PATH_LENGTH) {
    return `a name cannot be longer than ${MAX_PATH_LENGTH} characters`;
  }
  return undefined;
}

/** Validate every segment of a normalised drive path, and the path's total length. */
export function validatePath(path: string): void {
  for (const segment of path.split('/')) {
    if (segment !== '') {
      validateName(segment);
    }
  }
  if (path.length > MAX_PATH_LENGTH) {
    throw new SkydriveError(
      'INVALID_NAME',
      `invalid path ${JSON.stringify(path)}: a path cannot be longer than ${MAX_PATH_LENGTH} characters (it has ${path.length})`,
    );
  }
}
