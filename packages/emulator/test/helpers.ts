import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the emulator package, for spawning `src/bin.ts` through tsx. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Requests an access token with the password grant. */
export async function passwordToken(
  url: string,
  username = 'demo',
  password = 'demo',
): Promise<{ access_token: string; refresh_token: string }> {
  const response = await fetch(`${url}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'tests',
      username,
      password,
      scope: 'Files.ReadWrite offline_access',
    }),
  });
  if (response.status !== 200) {
    throw new HelperError(`token request failed with ${response.status}: ${await response.text()}`);
  }
  return (await response.json()) as { access_token: string; refresh_token: string };
}

class HelperError extends Error {}

/** Creates a minimal Graph client bound to one token, for tests that are not about HTTP details. */
export function graphClient(graphUrl: string, token: string) {
  const send = async (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const init: RequestInit = {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
      redirect: 'manual',
    };
    if (body instanceof Uint8Array || typeof body === 'string') {
      init.body = body;
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return fetch(`${graphUrl}${route}`, init);
  };
  return {
    send,
    async json<T = Record<string, unknown>>(
      method: string,
      route: string,
      body?: unknown,
    ): Promise<T> {
      const response = await send(method, route, body);
      const text = await response.text();
      if (response.status >= 400) {
        throw new HelperError(`${method} ${route} failed with ${response.status}: ${text}`);
      }
      return JSON.parse(text) as T;
    },
  };
}

/** Spawns `skydrive-emulator` from source; resolves with the child and the URL it printed. */
export function spawnEmulator(
  args: string[],
): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin.ts', ...args], {
    cwd: packageRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new HelperError(`emulator did not print its URL within 20 s; stderr: ${stderr}`));
    }, 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[0], stderr: () => stderr });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new HelperError(`emulator exited with ${code} before listening; stderr: ${stderr}`));
    });
  });
}

/** Waits for a child process to exit and returns its exit code and signal. */
export function waitForExit(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** Polls `condition` every 20 ms until it holds; gives up after `timeoutMs`. */
export async function waitUntil(
  condition: () => Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new HelperError(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
