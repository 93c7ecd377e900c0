import type { Command } from 'commander';
import { type DriveItem, GraphError, type RestoreOptions } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';

export interface RestoreCommandOptions {
  id: string;
  to?: string;
  name?: string;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('restore')
    .summary('bring an item back from the recycle bin')
    .description(
      "Restore a deleted item by its id (printed by 'rm --json', 'info' or 'changes'), with everything that was deleted together with it. It goes back to its old folder unless --to names another; --name gives it a new name when the old one is taken. OneDrive personal only.",
    )
    .argument('<id>', "id of the deleted item, with or without 'id:'")
    .option('--to <folder>', 'folder to restore into')
    .option('--name <name>', 'new name for the restored item')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive restore id:0123456789ABCDEF!101\n  skydrive restore 0123456789ABCDEF!101 --to /Recovered --name old-report.pdf\n',
    )
    .action((id: string, options: { to?: string; name?: string }, cmd: Command) =>
      invoke(cmd, (context) => run({ id, ...options }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: RestoreCommandOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const id = options.id.startsWith('id:') ? options.id.slice(3) : options.id;
  const restoreOptions: RestoreOptions = {};
  if (options.to !== undefined) {
    restoreOptions.parent = options.to;
  }
  if (options.name !== undefined) {
    restoreOptions.name = options.name;
  }
  let item: DriveItem;
  try {
    item = await drive.restore(id, restoreOptions);
  } catch (error) {
    if (error instanceof GraphError && error.status === 400) {
      throw new CliError(
        `id:${id}: not restored (400 ${error.graphCode}); the item is not in the recycle bin, or the folder it came from is gone (restore it with --to FOLDER)`,
      );
    }
    throw toCliError(error, {
      path: `id:${id}`,
      notFound: 'no item with this id, or it was deleted for good; check the id',
      conflictHint: 'an item with its name exists in the folder; restore it with --name NEW',
    });
  }
  if (context.json) {
    context.printJson(itemJson(item));
    return;
  }
  context.note(`restored ${itemPath(item) ?? item.name ?? `id:${item.id}`}`);
}
