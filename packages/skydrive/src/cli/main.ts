import { CommanderError } from 'commander';
import { CommandContext } from './context.js';
import type { CliDeps } from './deps.js';
import { describeError } from './errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import type { Invoke } from './global-options.js';
import { mergedGlobalOptions } from './global-options.js';
import { buildProgram } from './program.js';

/**
 * Run the skydrive command line. `argv` is in process.argv form (node, script,
 * arguments…). Returns the exit code instead of exiting, so output can flush
 * and tests can call it in-process.
 */
export async function main(argv: string[], deps: CliDeps): Promise<number> {
  let exitCode: number = ExitCode.success;

  const invoke: Invoke = async (command, action) => {
    let context: CommandContext | undefined;
    try {
      context = new CommandContext(deps, mergedGlobalOptions(command));
      await action(context);
    } catch (error) {
      deps.stderr.write(`skydrive: ${describeError(error)}\n`);
      exitCode = exitCodeFor(error);
    } finally {
      await context?.close().catch(() => undefined);
    }
  };

  const program = buildProgram(deps, invoke);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the usage error or the help text.
      return exitCodeFor(error);
    }
    deps.stderr.write(`skydrive: ${describeError(error)}\n`);
    return exitCodeFor(error);
  }
  return exitCode;
}
