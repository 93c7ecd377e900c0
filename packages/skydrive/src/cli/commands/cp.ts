import type { Command } from 'commander';
import { type DriveItem, GraphError } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';
import { requireItem, resolveTarget } from './target.js';

export interface CpOptions {
  item: string;
  destination: string;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('cp')
    .summary('copy an item on the service')
    .description(
      'Copy a file or folder on the service and wait until the copy is done. If the destination is an existing folder the copy goes into it under the same name; otherwise the destination is the new path (its folder must exist). An existing file is never overwritten.',
    )
    .argument('<item>', 'path or id of the item to copy')
    .argument('<dest>', 'existing folder, or the path of the copy')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive cp /Documents/report.pdf /Archive\n  skydrive cp /Documents/report.pdf /Archive/report-2026.pdf\n',
    )
    .action((item: string, destination: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => run({ item, destination }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: CpOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const source = await requireItem(drive, options.item);
  if (source.root !== undefined) {
    throw new CliError(
      `${options.item}: the root folder cannot be copied; copy the items inside it`,
    );
  }
  const target = await resolveTarget(drive, options.destination, source, context);
  let copy: DriveItem;
  try {
    copy = await drive.copy(
      { id: source.id },
      target.parent,
      target.name === undefined ? {} : { name: target.name },
    );
  } catch (error) {
    // A name conflict is about the destination, every other failure about the source.
    const conflict = error instanceof GraphError && error.status === 409;
    throw toCliError(error, { path: conflict ? target.path : options.item });
  }
  if (context.json) {
    context.printJson(itemJson(copy));
    return;
  }
  context.note(`copied ${itemPath(source) ?? options.item} -> ${itemPath(copy) ?? target.path}`);
}
