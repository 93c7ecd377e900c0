import type { Command } from 'commander';
import { CliError } from '../errors.js';
import type { Invoke } from '../global-options.js';

/** Commands of the older skydrive tool that Graph v1.0 cannot serve. */
const REMOVED = ['comments', 'comment-add', 'comment-delete'];

/**
 * Register the old comment commands so they fail with a reason instead of a
 * "did you mean". Graph v1.0 has no comments on drive items.
 */
export function register(program: Command, invoke: Invoke): Command[] {
  return REMOVED.map((name) =>
    program
      .command(name, { hidden: true })
      .description('not available: Microsoft Graph has no comments on drive items')
      .argument('[args...]')
      .allowUnknownOption()
      .allowExcessArguments()
      .action((_args: string[], _options: unknown, cmd: Command) =>
        invoke(cmd, async () => {
          throw new CliError(
            `${name}: not available, because Microsoft Graph v1.0 has no API for comments on drive items; use the comments in Office documents, or share the item with a link`,
          );
        }),
      ),
  );
}
