import type { Command } from 'commander';
import type { RecentResult } from '../../index.js';
import type { CommandContext } from '../context.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, positiveInteger } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';
import { longLine } from './ls.js';

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('recent')
    .summary('list recently modified files')
    .description(
      "List recently modified files, newest first, with type, size, modified time (UTC) and path. Graph's recent list is deprecated and returns nothing since November 2026; when it fails or is empty, the whole drive is listed with delta and sorted by modified time instead (--debug says which was used).",
    )
    .option('--top <n>', 'print at most N files (default 100)', positiveInteger('--top', 10_000))
    .addHelpText('after', '\nExamples:\n  skydrive recent\n  skydrive --json recent --top 10\n')
    .action((options: { top?: number }, cmd: Command) =>
      invoke(cmd, (context) => run(options.top ?? 100, context)),
    );
  return addGlobalOptions(command);
}

export async function run(top: number, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  let result: RecentResult;
  try {
    result = await drive.recent({ limit: top });
  } catch (error) {
    throw toCliError(error);
  }
  if (context.options.debug === true) {
    context.deps.stderr.write(
      result.source === 'recent'
        ? 'debug: recent: listed by GET /me/drive/recent\n'
        : `debug: recent: ${result.fallbackReason ?? 'no result'}; listed by delta over the whole drive, sorted by lastModifiedDateTime\n`,
    );
  }
  for (const item of result.items) {
    const path = item.path ?? itemPath(item) ?? item.name ?? `id:${item.id}`;
    if (context.json) {
      context.printJson(itemJson(item, path));
    } else {
      context.print(longLine({ ...item, path }, path));
    }
  }
}
