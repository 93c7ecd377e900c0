import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { validateName } from '../index.js';
import { describeError } from './errors.js';

/** One local argument of `put`, checked before anything is sent. */
export interface PlannedSource {
  /** As the user typed it, for messages. */
  typed: string;
  /** Absolute local path. */
  absolute: string;
  /** Name it gets in the remote folder. */
  name: string;
  kind: 'file' | 'folder';
  /** Files and bytes below it (the file itself for a file). */
  files: number;
  bytes: number;
}

export interface UploadPlan {
  sources: PlannedSource[];
  /** One message per problem; the upload must not start unless this is empty. */
  problems: string[];
}

/**
 * Check every local argument of an upload: it exists, folders only with -r,
 * every file and folder name is a valid OneDrive name, and no two names that
 * end up in the same remote folder differ only by case. OneDrive matches names
 * case-insensitively, so 'README' and 'readme' would be one item and the
 * second upload would overwrite the first.
 */
export async function planUpload(
  locals: string[],
  options: { recursive: boolean; cwd: string },
): Promise<UploadPlan> {
  const sources: PlannedSource[] = [];
  const problems: string[] = [];

  for (const typed of locals) {
    const absolute = path.resolve(options.cwd, typed);
    let isFolder: boolean;
    let size: number;
    try {
      const stats = await stat(absolute);
      if (!stats.isFile() && !stats.isDirectory()) {
        problems.push(`${typed}: not a regular file or folder; give files or folders`);
        continue;
      }
      isFolder = stats.isDirectory();
      size = stats.size;
    } catch (error) {
      problems.push(describeError(error, { path: typed }));
      continue;
    }
    const name = path.basename(absolute);
    checkName(name, typed, problems);
    if (!isFolder) {
      sources.push({ typed, absolute, name, kind: 'file', files: 1, bytes: size });
      continue;
    }
    if (!options.recursive) {
      problems.push(`${typed}: is a folder; use put -r to upload folders`);
      continue;
    }
    const totals = { files: 0, bytes: 0 };
    await walkFolder(absolute, typed, problems, totals);
    sources.push({ typed, absolute, name, kind: 'folder', ...totals });
  }

  const collisions = findCaseCollisions(sources.map((source) => source.name));
  for (const [first, second] of collisions) {
    const clash =
      first === second
        ? `two sources are named "${first}"`
        : `"${first}" and "${second}" differ only in case`;
    problems.push(
      `${clash} and would go to the same remote folder; OneDrive would keep one item, so upload them separately or rename one`,
    );
  }
  return { sources, problems };
}

async function walkFolder(
  absolute: string,
  typed: string,
  problems: string[],
  totals: { files: number; bytes: number },
): Promise<void> {
  const entries = await readdir(absolute, { withFileTypes: true });
  const names = entries.map((entry) => entry.name).sort();
  for (const [first, second] of findCaseCollisions(names)) {
    problems.push(
      `${typed}: "${first}" and "${second}" differ only in case; OneDrive would keep one item, so rename one of them`,
    );
  }
  for (const name of names) {
    const childAbsolute = path.join(absolute, name);
    const childTyped = path.join(typed, name);
    checkName(name, childTyped, problems);
    let stats: Awaited<ReturnType<typeof stat>>;
    try {
      stats = await stat(childAbsolute);
    } catch (error) {
      problems.push(describeError(error, { path: childTyped }));
      continue;
    }
    if (stats.isDirectory()) {
      await walkFolder(childAbsolute, childTyped, problems, totals);
    } else if (stats.isFile()) {
      totals.files += 1;
      totals.bytes += stats.size;
    }
  }
}

function checkName(name: string, typed: string, problems: string[]): void {
  try {
    validateName(name);
  } catch (error) {
    problems.push(describeError(error, { path: typed }));
  }
}

/** Pairs of names equal under case folding, in input order. */
export function findCaseCollisions(names: string[]): Array<[string, string]> {
  const seen = new Map<string, string>();
  const pairs: Array<[string, string]> = [];
  for (const name of names) {
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, name);
    } else {
      pairs.push([earlier, name]);
    }
  }
  return pairs;
}
