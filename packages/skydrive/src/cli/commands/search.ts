import type { Command } from 'commander';
import type { DriveItem } from '../../index.js';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, positiveInteger } from '../global-options.js';
import { displayName, itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';
import { longLine } from './ls.js';

export interface SearchCommandOptions {
  text: string;
  folder: string;
  long: boolean;
  top?: number;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('search')
    .summary('find items by name or content')
    .description(
      'Find items below a folder (default: the whole drive) whose name, description or text content matches the text, and print their paths. The service decides how text matches; it ignores case.',
    )
    .argument('<text>', 'text to look for')
    .argument('[folder]', 'folder to search in', '/')
    .option('-l, --long', 'print type, size and modified time')
    .option('--top <n>', 'print at most N results', positiveInteger('--top', 1_000_000))
    .addHelpText(
      'after',
      "\nExamples:\n  skydrive search invoice\n  skydrive search -l 'quarterly report' /Documents\n  skydrive --json search budget\n",
    )
    .action(
      (text: string, folder: string, options: { long?: boolean; top?: number }, cmd: Command) =>
        invoke(cmd, (context) =>
          run({ text, folder, long: options.long === true, top: options.top }, context),
        ),
    );
  return addGlobalOptions(command);
}

export async function run(options: SearchCommandOptions, context: CommandContext): Promise<void> {
  if (options.text.trim() === '') {
    throw usageError('the search text is empty; give a word or phrase to look for');
  }
  const drive = await context.drive();
  const searchOptions: { folder: string; limit?: number; top?: number } = {
    folder: options.folder,
  };
  if (options.top !== undefined) {
    searchOptions.limit = options.top;
    searchOptions.top = Math.min(options.top, 1000);
  }
  try {
    for await (const item of drive.search(options.text, searchOptions)) {
      printResult(item, options, context);
    }
  } catch (error) {
    throw toCliError(error, options.folder === '/' ? {} : { path: options.folder });
  }
}

function printResult(
  item: DriveItem,
  options: SearchCommandOptions,
  context: CommandContext,
): void {
  const path = itemPath(item) ?? item.name ?? `id:${item.id}`;
  if (context.json) {
    context.printJson(itemJson(item, path));
    return;
  }
  const name = displayName(path, item);
  context.print(options.long ? longLine({ ...item, path }, name) : name);
}
