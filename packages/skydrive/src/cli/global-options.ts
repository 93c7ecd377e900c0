import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CommandContext, GlobalOptions } from './context.js';

/** Runs a command's action with its context; set up once by `main`. */
export type Invoke = (
  command: Command,
  action: (context: CommandContext) => Promise<void>,
) => Promise<void>;

/**
 * Add the global options to a command, so they work both before and after
 * the command name. `skipShort` leaves out short flags the command uses
 * itself (mkdir's -p means --parents there; --path stays available).
 */
export function addGlobalOptions(command: Command, skipShort: string[] = []): Command {
  const short = (flag: string, long: string) =>
    skipShort.includes(flag) ? long : `${flag}, ${long}`;
  const options = [
    new Option('--profile <name>', 'profile for config and saved token (env SKYDRIVE_PROFILE)'),
    new Option(
      '--endpoint <url>',
      'Graph base URL with its version, e.g. http://127.0.0.1:8080/v1.0 (env SKYDRIVE_ENDPOINT)',
    ),
    new Option(
      '--config <file>',
      'config file (env SKYDRIVE_CONFIG; default $XDG_CONFIG_HOME/skydrive/config.yaml)',
    ),
    new Option('--json', 'print JSON (NDJSON for lists and per-file results)'),
    new Option('--debug', 'print each HTTP request (method, URL, status, request-id) on stderr'),
    new Option(short('-q', '--quiet'), 'print no confirmations and no progress'),
    new Option('--no-progress', 'draw no progress bars'),
    new Option(short('-p', '--path'), 'read item arguments as paths, never as ids'),
    new Option(short('-i', '--id'), 'read item arguments as item ids'),
  ];
  for (const option of options) {
    command.addOption(option.helpGroup('Global options:'));
  }
  return command;
}

/**
 * Merge global option values from the program down to the command: a value
 * given later on the command line (closer to the command) wins.
 */
export function mergedGlobalOptions(command: Command): GlobalOptions {
  const chain: Command[] = [];
  for (let current: Command | null = command; current !== null; current = current.parent) {
    chain.unshift(current);
  }
  const merged: GlobalOptions = {};
  for (const level of chain) {
    const values = level.opts() as Record<string, unknown>;
    for (const key of ['profile', 'endpoint', 'config'] as const) {
      if (typeof values[key] === 'string') {
        merged[key] = values[key] as string;
      }
    }
    for (const key of ['json', 'debug', 'quiet', 'path', 'id'] as const) {
      if (values[key] === true) {
        merged[key] = true;
      }
    }
    // --no-progress sets progress=false; its default true on other levels must not undo it.
    if (values.progress === false) {
      merged.progress = false;
    }
  }
  return merged;
}

/** Parse a positive integer option value, e.g. --top. */
export function positiveInteger(name: string, max: number): (value: string) => number {
  return (value: string) => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1 || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return parsed;
  };
}

/** Return `{ signal }` for library calls when the process can be cancelled, else nothing. */
export function signalOption(context: CommandContext): { signal?: AbortSignal } {
  const signal = context.deps.signal;
  return signal === undefined ? {} : { signal };
}
