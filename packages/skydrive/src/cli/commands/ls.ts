import type { Command } from 'commander';
import type { ListEntry } from '../../index.js';
import type { CommandContext } from '../context.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, positiveInteger } from '../global-options.js';
import {
  displayName,
  humanSize,
  isContainer,
  itemPath,
  itemType,
  minuteTime,
  SIZE_COLUMN_WIDTH,
} from '../output/format.js';
import { itemJson } from '../output/json.js';

export interface LsOptions {
  folder: string;
  long: boolean;
  recursive: boolean;
  /** Print at most this many entries. */
  top?: number;
}

/** Graph serves at most 1000 children per page. */
const MAX_PAGE_SIZE = 1000;

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('ls')
    .summary('list a folder')
    .description(
      'List the items in a folder (default: the root). Folders end in "/". With -l, print type, size, modified time (UTC) and name in aligned columns; with -r, list every subfolder too, with paths relative to the folder.',
    )
    .argument('[folder]', 'folder to list', '/')
    .option('-l, --long', 'print type, size and modified time')
    .option('-r, --recursive', 'list subfolders too')
    .option('--top <n>', 'print at most N entries', positiveInteger('--top', 1_000_000))
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive ls -l /Documents\n  skydrive --json ls -r /Photos\n',
    )
    .action(
      (
        folder: string,
        options: { long?: boolean; recursive?: boolean; top?: number },
        cmd: Command,
      ) =>
        invoke(cmd, (context) =>
          run(
            {
              folder,
              long: options.long === true,
              recursive: options.recursive === true,
              top: options.top,
            },
            context,
          ),
        ),
    );
  return addGlobalOptions(command);
}

export async function run(options: LsOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const subject = { path: options.folder };

  // Check the argument first: listing a file prints that one file, as ls does.
  let base: string;
  try {
    const item = await drive.info(options.folder);
    if (!isContainer(item)) {
      printEntry(
        { ...item, path: itemPath(item) ?? options.folder },
        item.name ?? options.folder,
        options,
        context,
      );
      return;
    }
    base = itemPath(item) ?? '/';
  } catch (error) {
    throw toCliError(error, subject);
  }

  const listOptions: { recursive: boolean; top?: number; limit?: number } = {
    recursive: options.recursive,
  };
  if (options.top !== undefined) {
    listOptions.limit = options.top;
    listOptions.top = Math.min(options.top, MAX_PAGE_SIZE);
  }
  try {
    for await (const entry of drive.list(options.folder, listOptions)) {
      const label = options.recursive ? relativePath(base, entry) : (entry.name ?? entry.path);
      printEntry(entry, label, options, context);
    }
  } catch (error) {
    throw toCliError(error, subject);
  }
}

function printEntry(
  entry: ListEntry,
  label: string,
  options: LsOptions,
  context: CommandContext,
): void {
  if (context.json) {
    context.printJson(itemJson(entry, entry.path));
    return;
  }
  const name = displayName(label, entry);
  if (!options.long) {
    context.print(name);
    return;
  }
  context.print(longLine(entry, name));
}

/** Fixed-width columns, so lines can stream without reading the whole listing first. */
export function longLine(entry: ListEntry, name: string): string {
  const type = itemType(entry).padEnd(7);
  const size = humanSize(entry.size).padStart(SIZE_COLUMN_WIDTH);
  return `${type} ${size}  ${minuteTime(entry.lastModifiedDateTime)}  ${name}`;
}

/** Path of an entry below the listed folder, e.g. 'sub/a.txt' under '/docs'. */
export function relativePath(base: string, entry: ListEntry): string {
  const prefix = base === '/' ? '/' : `${base}/`;
  // Drive paths are case-insensitive, so '/DOCS' lists the entries of '/docs'.
  return entry.path.toLowerCase().startsWith(prefix.toLowerCase())
    ? entry.path.slice(prefix.length)
    : entry.path;
}
