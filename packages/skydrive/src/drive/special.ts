import { SkydriveError } from '../errors.js';

/**
 * Special folders that OneDrive personal serves under `/me/drive/special/{name}`.
 * The service creates such a folder on first use; `approot` is the app's own folder.
 */
export const SPECIAL_FOLDER_NAMES = [
  'documents',
  'photos',
  'cameraroll',
  'approot',
  'music',
] as const;

export type SpecialFolderName = (typeof SPECIAL_FOLDER_NAMES)[number];

const SPECIAL_PREFIX = 'special:';

/**
 * Read 'special:documents' or 'special:documents/sub/a.txt'. Returns undefined
 * for any other string. A name outside SPECIAL_FOLDER_NAMES is an error, since a
 * drive path can never start with 'special:' (':' is reserved in OneDrive names).
 */
export function parseSpecialRef(
  input: string,
): { name: SpecialFolderName; path: string } | undefined {
  if (!input.toLowerCase().startsWith(SPECIAL_PREFIX)) {
    return undefined;
  }
  const rest = input.slice(SPECIAL_PREFIX.length);
  const cut = rest.indexOf('/');
  const name = (cut < 0 ? rest : rest.slice(0, cut)).toLowerCase();
  if (!isSpecialFolderName(name)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `unknown special folder ${JSON.stringify(input)}: use special:NAME with NAME one of ${SPECIAL_FOLDER_NAMES.join(', ')}`,
    );
  }
  return { name, path: cut < 0 ? '/' : rest.slice(cut) };
}

export function isSpecialFolderName(name: string): name is SpecialFolderName {
  return (SPECIAL_FOLDER_NAMES as readonly string[]).includes(name);
}
