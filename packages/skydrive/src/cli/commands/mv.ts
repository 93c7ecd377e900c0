import type { Command } from 'commander';
import type { DriveItem } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';
import { requireItem, resolveTarget } from './target.js';

export interface MvOptions {
  item: string;
  destination: string;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('mv')
    .summary('move or rename an item')
    .description(
      'Move or rename a file or folder. If the destination is an existing folder the item moves into it; otherwise the item is moved and renamed to the destination path (its folder must exist). An existing file is never overwritten.',
    )
    .argument('<item>', 'path or id of the item to move')
    .argument('<dest>', 'existing folder, or the new path')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive mv /Documents/draft.txt /Archive\n  skydrive mv /Documents/draft.txt /Documents/final.txt\n',
    )
    .action((item: string, destination: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => run({ item, destination }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: MvOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const source = await requireItem(drive, options.item);
  if (source.root !== undefined) {
    throw new CliError(`${options.item}: the root folder cannot be moved`);
  }
  const target = await resolveTarget(drive, options.destination, source, context);
  const sourcePath = itemPath(source);
  if (sourcePath !== undefined) {
    const inside = target.path.toLowerCase().startsWith(`${sourcePath.toLowerCase()}/`);
    if (inside) {
      throw new CliError(`${options.item}: a folder cannot be moved into itself (${target.path})`);
    }
  }
  let moved: DriveItem;
  try {
    moved = await drive.move(
      { id: source.id },
      { parent: target.parent, ...(target.name === undefined ? {} : { name: target.name }) },
    );
  } catch (error) {
    throw toCliError(error, { path: options.destination });
  }
  if (context.json) {
    context.printJson(itemJson(moved));
    return;
  }
  context.note(`moved ${sourcePath ?? options.item} -> ${itemPath(moved) ?? target.path}`);
}
