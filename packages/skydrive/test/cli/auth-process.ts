// Run the built CLI as a child process whose output a test can watch while it runs,
// for sign-in commands that wait for a browser or an approval.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { type CliResult, cliBin } from './harness.ts';

export interface LiveCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolve with the first match of `pattern` in stdout or stderr; reject when the process ends first. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpMatchArray>;
  /** Resolve when the process exits. */
  done: Promise<CliResult>;
}

export function startCli(
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): LiveCli {
  const child = spawn(process.execPath, [cliBin, ...args], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  const watchers: Array<() => void> = [];
  const notify = () => {
    for (const watcher of [...watchers]) watcher();
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
    notify();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
    notify();
  });
  child.stdin.end();
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout: output.stdout, stderr: output.stderr });
      notify();
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });

  return {
    child,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    done,
    waitFor: (stream, pattern) =>
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = output[stream].match(pattern);
          if (match !== null) {
            watchers.splice(watchers.indexOf(check), 1);
            resolve(match);
          } else if (exited || child.exitCode !== null) {
            watchers.splice(watchers.indexOf(check), 1);
            reject(
              new Error(
                `the CLI exited before printing ${pattern} on ${stream}; stdout: ${output.stdout} stderr: ${output.stderr}`,
              ),
            );
          }
        };
        watchers.push(check);
        check();
      }),
  };
}
