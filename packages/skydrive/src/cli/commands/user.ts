import type { Command } from 'commander';
import type { User } from '../../index.js';
import type { CommandContext } from '../context.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { keyValueLines } from '../output/format.js';
import { userJson } from '../output/json.js';

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('user')
    .summary('show the signed-in user')
    .description("Print the signed-in user's display name, sign-in name, mail and id (Graph /me).")
    .addHelpText('after', '\nExamples:\n  skydrive user\n')
    .action((_options: unknown, cmd: Command) => invoke(cmd, (context) => run(context)));
  return addGlobalOptions(command);
}

export async function run(context: CommandContext): Promise<void> {
  const drive = await context.drive();
  let user: User;
  try {
    user = await drive.user();
  } catch (error) {
    throw toCliError(error);
  }
  if (context.json) {
    context.printJson(userJson(user));
    return;
  }
  context.print(
    keyValueLines([
      ['name', user.displayName],
      ['sign-in name', user.userPrincipalName],
      ['mail', user.mail ?? undefined],
      ['id', user.id],
    ]).trimEnd(),
  );
}
