import { CommanderError } from 'commander';
import { GraphError, SkydriveError } from '../index.js';
import { CliError, describeError, type ErrorSubject } from './errors.js';

/** The process exit codes of the skydrive command; scripts rely on these values. */
export const ExitCode = {
  success: 0,
  failure: 1,
  usage: 2,
  notSignedIn: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Rows of `skydrive help exit-codes`, in order. */
export const EXIT_CODE_TABLE: ReadonlyArray<{ code: ExitCodeValue; meaning: string }> = [
  { code: ExitCode.success, meaning: 'success' },
  { code: ExitCode.failure, meaning: 'failure: the operation or one of its files failed' },
  {
    code: ExitCode.usage,
    meaning: 'usage error (unknown command or option, bad value) or cancelled',
  },
  {
    code: ExitCode.notSignedIn,
    meaning: 'not signed in, or the service rejected the token (HTTP 401)',
  },
];

/** Commander codes that mean help or the version was printed on request. */
const COMMANDER_SUCCESS = new Set(['commander.helpDisplayed', 'commander.version']);

/** Map any error thrown while running a command to the exit code for it. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof CliError) {
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    return COMMANDER_SUCCESS.has(error.code) ? ExitCode.success : ExitCode.usage;
  }
  if (error instanceof GraphError) {
    return error.status === 401 ? ExitCode.notSignedIn : ExitCode.failure;
  }
  if (error instanceof SkydriveError) {
    if (error.code === 'NOT_SIGNED_IN') {
      return ExitCode.notSignedIn;
    }
    if (error.code === 'ABORTED') {
      return ExitCode.usage;
    }
  }
  return ExitCode.failure;
}

/** Format the table that `skydrive help exit-codes` prints. */
export function formatExitCodeTable(): string {
  const lines = ['exit codes of skydrive:'];
  for (const row of EXIT_CODE_TABLE) {
    lines.push(`  ${row.code}  ${row.meaning}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Wrap any error as a CliError whose message names the subject and whose exit code is mapped here. */
export function toCliError(error: unknown, subject: ErrorSubject = {}): CliError {
  if (error instanceof CliError) {
    return error;
  }
  return new CliError(describeError(error, subject), exitCodeFor(error), { cause: error });
}
