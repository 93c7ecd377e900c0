import type { Command } from 'commander';
import type { DriveItem } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError, describeError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { isContainer, itemPath } from '../output/format.js';

export interface RmOptions {
  items: string[];
  recursive: boolean;
  /** Skip the recycle bin. */
  permanent?: boolean;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('rm')
    .summary('delete items')
    .description(
      'Delete files and folders; OneDrive moves them to its recycle bin. A folder that is not empty needs -r. Every item is checked first: if one is missing or is a non-empty folder without -r, nothing is deleted.',
    )
    .argument('<item...>', 'paths or ids of the items to delete')
    .option('-r, --recursive', 'delete folders with everything in them')
    .option('--permanent', 'delete for good instead of moving to the recycle bin; cannot be undone')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive rm /Documents/old.txt\n  skydrive rm -r /Backup/2019\n  skydrive rm --permanent /Documents/secret.txt\n',
    )
    .action(
      (items: string[], options: { recursive?: boolean; permanent?: boolean }, cmd: Command) =>
        invoke(cmd, (context) =>
          run(
            { items, recursive: options.recursive === true, permanent: options.permanent === true },
            context,
          ),
        ),
    );
  return addGlobalOptions(command);
}

export async function run(options: RmOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();

  // 1. Check every item before deleting any.
  const found: Array<{ typed: string; item: DriveItem }> = [];
  const problems: string[] = [];
  for (const typed of options.items) {
    let item: DriveItem;
    try {
      item = await drive.info(typed);
    } catch (error) {
      const cliError = toCliError(error, { path: typed });
      if (cliError.exitCode !== 1) {
        throw cliError;
      }
      problems.push(describeError(cliError));
      continue;
    }
    if (item.root !== undefined) {
      problems.push(`${typed}: the root folder cannot be deleted; delete the items inside it`);
    } else if (isContainer(item) && (item.folder?.childCount ?? 1) > 0 && !options.recursive) {
      problems.push(`${typed}: folder is not empty; use rm -r to delete it with everything in it`);
    } else {
      found.push({ typed, item });
    }
  }
  if (problems.length > 0) {
    throw new CliError(`${problems.join('\nskydrive: ')}\nskydrive: nothing was deleted`);
  }

  // 2. Delete, guarded by the eTag read above so a changed item is not removed unseen.
  for (const { typed, item } of found) {
    try {
      await drive.remove(
        { id: item.id },
        options.permanent === true
          ? { permanent: true }
          : item.eTag === undefined
            ? {}
            : { ifMatch: item.eTag },
      );
    } catch (error) {
      throw toCliError(error, { path: typed });
    }
    const removedPath = itemPath(item) ?? typed;
    if (context.json) {
      context.printJson(
        options.permanent === true
          ? { path: removedPath, id: item.id, removed: true, permanent: true }
          : { path: removedPath, id: item.id, removed: true },
      );
    } else {
      context.note(
        `${options.permanent === true ? 'permanently removed' : 'removed'} ${removedPath}`,
      );
    }
  }
}
