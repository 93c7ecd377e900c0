import type { Command } from 'commander';
import { usageError } from '../errors.js';
import { formatExitCodeTable } from '../exit-codes.js';
import type { Invoke } from '../global-options.js';

export function register(program: Command, invoke: Invoke): Command {
  return program
    .command('help')
    .summary('show help for a command, or the exit codes')
    .description("Show the help of a command, or with 'exit-codes' the table of exit codes.")
    .argument('[topic]', "a command name or 'exit-codes'")
    .addHelpText('after', '\nExamples:\n  skydrive help put\n  skydrive help exit-codes\n')
    .action((topic: string | undefined, _options: unknown, cmd: Command) =>
      invoke(cmd, async (context) => {
        if (topic === undefined) {
          program.outputHelp();
          return;
        }
        if (topic === 'exit-codes') {
          context.print(formatExitCodeTable().trimEnd());
          return;
        }
        const command = program.commands.find((candidate) => candidate.name() === topic);
        if (command === undefined) {
          throw usageError(`unknown help topic '${topic}'; run: skydrive help`);
        }
        command.outputHelp();
      }),
    );
}
