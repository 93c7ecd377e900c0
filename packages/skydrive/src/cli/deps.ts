import type { DriveOptions } from '../index.js';
import { Drive } from '../index.js';

/** A writable the CLI prints to; `isTTY` decides whether progress bars are drawn. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** Everything the CLI touches outside itself, so tests can run `main` in-process. */
export interface CliDeps {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Base for relative local paths. */
  cwd: string;
  openDrive: (options: DriveOptions) => Promise<Drive>;
  /** Current time; tests may fix it. */
  now: () => Date;
  /** Aborted when the user cancels (Ctrl-C); transfers stop and the exit code is 2. */
  signal?: AbortSignal;
}

/** Build the dependencies of a real `skydrive` process. */
export function processDeps(signal?: AbortSignal): CliDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    openDrive: (options) => Drive.open(options),
    now: () => new Date(),
    ...(signal === undefined ? {} : { signal }),
  };
}
