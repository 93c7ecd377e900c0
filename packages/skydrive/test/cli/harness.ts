// Helpers for CLI tests: run the built CLI as a child process with a private
// HOME and XDG folders, against a server the test started on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const cliBin = path.join(repoRoot, 'packages/skydrive/dist/cli/bin.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Sandbox {
  /** Temporary HOME; XDG_CONFIG_HOME and XDG_STATE_HOME are inside it. */
  home: string;
  /** Working directory for the CLI, inside home. */
  cwd: string;
  env: Record<string, string>;
  run(
    args: string[],
    options?: { stdin?: string; env?: Record<string, string | undefined> },
  ): Promise<CliResult>;
  cleanup(): Promise<void>;
}

/** Create a private HOME for one test file; `env` is the child's whole environment. */
export async function createSandbox(env: Record<string, string> = {}): Promise<Sandbox> {
  if (!existsSync(cliBin)) {
    throw new Error(`${cliBin} is missing; build it first with: npm run build`);
  }
  const home = await mkdtemp(path.join(os.tmpdir(), 'skydrive-cli-test-'));
  const cwd = path.join(home, 'work');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(cwd);
  const baseEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_STATE_HOME: path.join(home, 'state'),
    ...env,
  };
  const sandbox: Sandbox = {
    home,
    cwd,
    env: baseEnv,
    run: (args, options = {}) =>
      runCli(args, { cwd, env: mergeEnv(sandbox.env, options.env), stdin: options.stdin }),
    cleanup: () => rm(home, { recursive: true, force: true }),
  };
  return sandbox;
}

function mergeEnv(
  base: Record<string, string>,
  extra: Record<string, string | undefined> = {},
): Record<string, string> {
  const merged: Record<string, string> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) {
      delete merged[key];
    } else {
      merged[key] = value;
    }
  }
  return merged;
}

/** Run `node bin.js ...args` and collect its output; stdin is closed after `stdin` is written. */
export function runCli(
  args: string[],
  options: { cwd: string; env: Record<string, string>; stdin?: string | undefined },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * Mask the values that change from run to run, and only those:
 * - ISO 8601 UTC times ('2026-12-04T20:10Z', '…:05Z', '…:05.123Z') → <time>
 * - the loopback port of the test's server → 127.0.0.1:<port>
 * - JSON fields id, parentId, eTag and webUrl → "<id>", "<id>", "<etag>", "<url>"
 * - `id:`, `eTag:` and `web URL:` lines of `info` text → <id>, <etag>, <url>
 */
export function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z/g, '<time>')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .replace(/"(id|parentId)":"[^"]*"/g, '"$1":"<id>"')
    .replace(/"eTag":"(?:[^"\\]|\\.)*"/g, '"eTag":"<etag>"')
    .replace(/"webUrl":"[^"]*"/g, '"webUrl":"<url>"')
    .replace(/^(id: +).*$/gm, '$1<id>')
    .replace(/^(eTag: +).*$/gm, '$1<etag>')
    .replace(/^(web URL: +).*$/gm, '$1<url>');
}

/** A server that responds 500 to every request and counts them, to prove a command sent nothing. */
export interface RecordingServer {
  url: string;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request);
    response.writeHead(500, { 'content-type': 'application/json' });
    response.end('{"error":{"code":"generalException","message":"recording server"}}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1.0`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
