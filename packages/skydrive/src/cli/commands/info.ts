import type { Command } from 'commander';
import type { DriveItem } from '../../index.js';
import type { CommandContext } from '../context.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { humanSize, itemPath, itemType, keyValueLines, secondTime } from '../output/format.js';
import { itemJson } from '../output/json.js';

export interface InfoOptions {
  item: string;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('info')
    .summary("print an item's metadata")
    .description(
      "Print an item's name, path, type, size, times, id and content hashes. The item is a path, or an id with 'id:' or -i.",
    )
    .argument('<item>', 'path or id of the item')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive info /Documents/report.pdf\n  skydrive --json info id:0123456789ABCDEF!101\n',
    )
    .action((item: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => run({ item }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: InfoOptions, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  let item: DriveItem;
  try {
    item = await drive.info(options.item);
  } catch (error) {
    throw toCliError(error, { path: options.item });
  }
  if (context.json) {
    context.printJson(itemJson(item));
    return;
  }
  context.print(formatInfo(item).trimEnd());
}

export function formatInfo(item: DriveItem): string {
  const size =
    item.size === undefined
      ? undefined
      : `${humanSize(item.size)} (${item.size} byte${item.size === 1 ? '' : 's'})`;
  return keyValueLines([
    ['name', item.root !== undefined ? '/' : item.name],
    ['path', itemPath(item)],
    ['type', itemType(item)],
    ['package type', item.package?.type],
    ['special folder', item.specialFolder?.name],
    ['description', item.description],
    ['size', size],
    ['children', item.folder?.childCount?.toString()],
    ['modified', secondTime(item.lastModifiedDateTime)],
    ['created', secondTime(item.createdDateTime)],
    ['mime type', item.file?.mimeType],
    ['quickXorHash', item.file?.hashes?.quickXorHash],
    ['sha1Hash', item.file?.hashes?.sha1Hash],
    ['id', item.id],
    ['eTag', item.eTag],
    ['web URL', item.webUrl],
  ]);
}
