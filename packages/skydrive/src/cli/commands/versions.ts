import type { Command } from 'commander';
import type { DriveItem, DriveItemVersion } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { humanSize, itemPath, minuteTime, SIZE_COLUMN_WIDTH } from '../output/format.js';
import { requireItem } from './target.js';

export function register(program: Command, invoke: Invoke): Command {
  const versions = program
    .command('versions')
    .helpCommand(false)
    .summary("list a file's versions, or restore one")
    .description(
      "List the versions of a file, newest first: id, size, modified time (UTC) and who made it. The first is the current content. 'versions restore' makes an earlier version current again; all versions are kept.",
    )
    .argument('<item>', 'path or id of the file')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive versions /Documents/report.docx\n  skydrive versions restore /Documents/report.docx 2.0\n',
    )
    .action((item: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => runList(item, context)),
    );
  addGlobalOptions(versions);

  const restore = versions
    .command('restore')
    .summary('make an earlier version current')
    .description(
      "Make an earlier version of a file its current content. The service adds it as a new version and keeps the others. Version ids come from 'skydrive versions <item>'.",
    )
    .argument('<item>', 'path or id of the file')
    .argument('<version-id>', 'version id, e.g. 2.0')
    .addHelpText('after', '\nExamples:\n  skydrive versions restore /Documents/report.docx 2.0\n')
    .action((item: string, versionId: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => runRestore(item, versionId, context)),
    );
  addGlobalOptions(restore);
  return versions;
}

async function requireFile(context: CommandContext, typed: string): Promise<DriveItem> {
  const item = await requireItem(await context.drive(), typed);
  if (item.file === undefined) {
    throw new CliError(`${typed}: not a file; only files have versions`);
  }
  return item;
}

export async function runList(typed: string, context: CommandContext): Promise<void> {
  const item = await requireFile(context, typed);
  let versions: DriveItemVersion[];
  try {
    versions = await (await context.drive()).versions({ id: item.id });
  } catch (error) {
    throw toCliError(error, { path: typed });
  }
  versions.forEach((version, index) => {
    if (context.json) {
      context.printJson(versionJson(version, index === 0));
      return;
    }
    const size = humanSize(version.size).padStart(SIZE_COLUMN_WIDTH);
    const by = version.lastModifiedBy?.user?.displayName ?? '-';
    const current = index === 0 ? '  (current)' : '';
    context.print(
      `${version.id.padEnd(6)} ${size}  ${minuteTime(version.lastModifiedDateTime)}  ${by}${current}`,
    );
  });
}

export async function runRestore(
  typed: string,
  versionId: string,
  context: CommandContext,
): Promise<void> {
  const item = await requireFile(context, typed);
  try {
    await (await context.drive()).restoreVersion({ id: item.id }, versionId);
  } catch (error) {
    throw toCliError(error, {
      path: typed,
      notFound: `no version ${versionId}; list the versions with: skydrive versions ${typed}`,
    });
  }
  const where = itemPath(item) ?? typed;
  if (context.json) {
    context.printJson({ path: where, id: item.id, version: versionId, restored: true });
  } else {
    context.note(`restored version ${versionId} of ${where}`);
  }
}

export function versionJson(version: DriveItemVersion, current: boolean): Record<string, unknown> {
  return {
    id: version.id,
    size: version.size ?? null,
    modified: version.lastModifiedDateTime ?? null,
    modifiedBy: version.lastModifiedBy?.user?.displayName ?? null,
    current,
  };
}
