import type { Command } from 'commander';
import type { DriveItem } from '../../index.js';
import { validateName } from '../../index.js';
import type { CommandContext } from '../context.js';
import { parentOf, usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';

export interface MkdirOptions {
  path: string;
  parents: boolean;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('mkdir')
    .summary('create a folder')
    .description(
      'Create a folder. Without -p its parent must exist and the folder must not; with -p, missing parents are created and an existing folder is fine.',
    )
    .argument('<path>', 'drive path of the new folder')
    .option('-p, --parents', 'create missing parent folders; no error if the folder exists')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive mkdir /Projects\n  skydrive mkdir -p /Backup/2026/12\n',
    )
    .action((path: string, options: { parents?: boolean }, cmd: Command) =>
      invoke(cmd, (context) => run({ path, parents: options.parents === true }, context)),
    );
  // mkdir's own -p means --parents; the global --path keeps only its long form here.
  return addGlobalOptions(command, ['-p']);
}

export async function run(options: MkdirOptions, context: CommandContext): Promise<void> {
  const segments = options.path.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) {
    throw usageError(
      'mkdir needs a folder path other than the root, e.g. skydrive mkdir /Projects',
    );
  }
  // Names are checked before any request, so a bad name creates no parent folders.
  // 'special:documents/…' starts with a special folder, which is not a name.
  const special = /^special:/i.test(options.path);
  try {
    for (const segment of special ? segments.slice(1) : segments) {
      validateName(segment);
    }
  } catch (error) {
    throw toCliError(error, { path: options.path });
  }

  const drive = await context.drive();
  let folder: DriveItem;
  try {
    folder = await drive.mkdir(options.path, { parents: options.parents });
  } catch (error) {
    throw toCliError(error, {
      path: options.path,
      notFound: `parent folder ${parentOf(options.path)} not found; create the missing folders with: skydrive mkdir -p ${options.path}`,
      conflictHint: 'use mkdir -p to accept an existing folder',
    });
  }
  if (context.json) {
    context.printJson(itemJson(folder));
    return;
  }
  context.note(
    `created folder ${special ? (itemPath(folder) ?? options.path) : `/${segments.join('/')}`}`,
  );
}
