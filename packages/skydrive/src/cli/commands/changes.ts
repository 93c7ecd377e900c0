import type { Command } from 'commander';
import type { ChangeFeed, ChangesOptions, Drive, DriveItem } from '../../index.js';
import type { CommandContext } from '../context.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath, itemType } from '../output/format.js';
import { itemJson } from '../output/json.js';

export interface ChangesCommandOptions {
  folder: string;
  /** A token from an earlier run, a deltaLink URL, or 'latest'. */
  since?: string;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('changes')
    .summary('list changes since a token')
    .description(
      "List the items changed below a folder (default: the whole drive) since --since TOKEN, then a last line 'next token: …' to pass as --since next time. Without --since every item is listed; with --since latest none are, and only the token is printed. Each line shows 'changed' or 'deleted', the type and the path (only the name when the item's folder cannot be read, e.g. because it was deleted too). An item may appear more than once; its last line is its current state. When the service rejects an old token, the listing restarts from scratch and a notice says so on stderr. With --json each change is one JSON object per line and the last line is {\"nextToken\": …}.",
    )
    .argument('[folder]', 'folder to track', '/')
    .option('--since <token>', "token from an earlier run, or 'latest'")
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive changes --since latest\n  skydrive changes --since "$(cat token.txt)"\n  skydrive --json changes /Documents\n',
    )
    .action((folder: string, options: { since?: string }, cmd: Command) =>
      invoke(cmd, (context) => run({ folder, since: options.since }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: ChangesCommandOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const feedOptions: ChangesOptions = {
    folder: options.folder,
    onResync: (event) =>
      context.warn(
        `the change token is no longer valid (410 ${event.graphCode || 'resyncRequired'}); listing every item again, so compare them with your copy`,
      ),
  };
  if (options.since !== undefined) {
    feedOptions.since = options.since;
  }
  const changed: DriveItem[] = [];
  let feed: ChangeFeed;
  try {
    feed = drive.changes(feedOptions);
    for await (const item of feed) {
      changed.push(item);
    }
  } catch (error) {
    throw toCliError(error, options.folder === '/' ? {} : { path: options.folder });
  }

  const paths = await resolvePaths(drive, changed);
  for (const item of changed) {
    const path = paths.get(item.id) ?? null;
    if (context.json) {
      context.printJson({
        ...itemJson(item, path ?? undefined),
        deleted: item.deleted !== undefined,
      });
    } else {
      context.print(changeLine(item, path));
    }
  }
  if (context.json) {
    context.printJson({ nextToken: feed.nextToken ?? null, resynced: feed.resynced });
  } else {
    context.print(`next token: ${feed.nextToken ?? ''}`);
  }
}

/**
 * Work out drive paths. Delta never sends parentReference.path, so paths are
 * built from the folders in the same round. A parent outside the round is
 * looked up once by id, and an item whose parent cannot be read gets no path.
 */
async function resolvePaths(drive: Drive, changed: DriveItem[]): Promise<Map<string, string>> {
  const byId = new Map<string, DriveItem>();
  for (const item of changed) {
    byId.set(item.id, item);
  }
  const paths = new Map<string, string>();
  const pathOf = async (item: DriveItem, depth: number): Promise<string | undefined> => {
    const known = paths.get(item.id);
    if (known !== undefined || depth > MAX_DEPTH) {
      return known;
    }
    let path: string | undefined;
    if (item.root !== undefined) {
      path = '/';
    } else if (item.parentReference?.path !== undefined && item.deleted === undefined) {
      path = itemPath(item);
    } else {
      const parent = await parentOf(item);
      const parentPath = parent === undefined ? undefined : await pathOf(parent, depth + 1);
      if (parentPath !== undefined && item.name !== undefined) {
        path = parentPath === '/' ? `/${item.name}` : `${parentPath}/${item.name}`;
      }
    }
    if (path !== undefined) {
      paths.set(item.id, path);
    }
    return path;
  };
  const looked = new Set<string>();
  const parentOf = async (item: DriveItem): Promise<DriveItem | undefined> => {
    const parentId = item.parentReference?.id;
    if (parentId === undefined) {
      return undefined;
    }
    const inRound = byId.get(parentId);
    if (inRound !== undefined || looked.has(parentId)) {
      return inRound;
    }
    looked.add(parentId);
    try {
      const parent = await drive.info({ id: parentId });
      byId.set(parentId, parent);
      return parent;
    } catch {
      // A parent deleted in the same round cannot be read; the item keeps its name only.
      return undefined;
    }
  };
  for (const item of changed) {
    await pathOf(item, 0);
  }
  return paths;
}

/** Folder depth at which path building stops, so a cycle in bad data cannot recurse forever. */
const MAX_DEPTH = 1000;

export function changeLine(item: DriveItem, path: string | null): string {
  const state = item.deleted === undefined ? 'changed' : 'deleted';
  const type =
    item.deleted !== undefined && item.folder === undefined && item.file === undefined
      ? 'item'
      : itemType(item);
  const label = path ?? item.name ?? `id:${item.id}`;
  return `${state}  ${type.padEnd(7)}  ${label}`;
}
