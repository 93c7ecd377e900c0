import { request } from 'undici';
import type { EmulatorOptions, RunningEmulator } from '../src/options.ts';
import { startEmulator } from '../src/server.ts';
import { passwordToken } from './helpers.ts';

/** 320 KiB, the unit every non-final fragment must be a multiple of. */
export const UNIT = 320 * 1024;

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface Harness {
  emulator: RunningEmulator;
  token: string;
  /** Sends a Graph request with the bearer token. */
  graph(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Reply>;
  /** Creates an upload session by path and returns its uploadUrl. */
  createSession(path: string, body?: unknown): Promise<string>;
  close(): Promise<void>;
}

/** Sends one request and reads the whole reply. */
export async function send(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<Reply> {
  const response = await request(url, {
    method: method as 'GET',
    headers: options.headers ?? {},
    body: options.body ?? null,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    text,
    json<T>() {
      return JSON.parse(text) as T;
    },
  };
}

/** Sends one fragment to an upload URL, with Content-Range and without Authorization. */
export function putFragment(
  uploadUrl: string,
  data: Uint8Array,
  start: number,
  total: number,
  headers: Record<string, string> = {},
): Promise<Reply> {
  return send('PUT', uploadUrl, {
    headers: {
      'content-range': `bytes ${start}-${start + data.byteLength - 1}/${total}`,
      ...headers,
    },
    body: data,
  });
}

export async function startHarness(options: EmulatorOptions = {}): Promise<Harness> {
  const emulator = await startEmulator({ port: 0, ...options });
  const token = (await passwordToken(emulator.url)).access_token;
  const graph = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const all: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
    let payload: Uint8Array | string | undefined;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      payload = body;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      all['content-type'] = 'application/json';
    }
    return send(method, `${emulator.graphUrl}${path}`, {
      headers: all,
      ...(payload === undefined ? {} : { body: payload }),
    });
  };
  return {
    emulator,
    token,
    graph,
    async createSession(path, body = {}) {
      const reply = await graph('POST', `/me/drive/root:${path}:/createUploadSession`, body);
      if (reply.status !== 200) {
        throw new HarnessError(`createUploadSession failed with ${reply.status}: ${reply.text}`);
      }
      return reply.json<{ uploadUrl: string }>().uploadUrl;
    },
    close: () => emulator.close(),
  };
}

class HarnessError extends Error {}

/** Deterministic bytes, so a failing comparison is reproducible. */
export function patternBytes(length: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) {
    bytes[i] = (i * 31 + seed) & 0xff;
  }
  return bytes;
}

/** Reads the inner error code of a Graph error reply. */
export function innerCode(reply: Reply): string | undefined {
  return reply.json<{ error: { innerError?: { code?: string } } }>().error.innerError?.code;
}

export function errorCode(reply: Reply): string {
  return reply.json<{ error: { code: string } }>().error.code;
}
