import type { Command } from 'commander';
import type { Quota } from '../../index.js';
import type { CommandContext } from '../context.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { humanSize, keyValueLines } from '../output/format.js';
import { quotaJson } from '../output/json.js';

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('quota')
    .summary("show the drive's storage quota")
    .description(
      'Print total, used, remaining and deleted (recycle bin) space and the quota state: normal, nearing (under 10% left), critical (under 1% left) or exceeded. Fields the service leaves out are not shown.',
    )
    .addHelpText('after', '\nExamples:\n  skydrive quota\n  skydrive --json quota\n')
    .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => run(context)));
  return addGlobalOptions(command);
}

export async function run(context: CommandContext): Promise<void> {
  const drive = await context.drive();
  let quota: Quota;
  try {
    quota = await drive.quota();
  } catch (error) {
    throw toCliError(error);
  }
  if (context.json) {
    context.printJson(quotaJson(quota));
    return;
  }
  context.print(formatQuota(quota).trimEnd());
}

export function formatQuota(quota: Quota): string {
  const share = (bytes: number | undefined) =>
    bytes === undefined
      ? undefined
      : quota.total !== undefined && quota.total > 0
        ? `${humanSize(bytes)} (${((bytes / quota.total) * 100).toFixed(1)}%)`
        : humanSize(bytes);
  return keyValueLines([
    ['total', quota.total === undefined ? undefined : humanSize(quota.total)],
    ['used', share(quota.used)],
    ['remaining', share(quota.remaining)],
    ['deleted', share(quota.deleted)],
    ['state', quota.state],
    ['files', quota.fileCount?.toString()],
  ]);
}
