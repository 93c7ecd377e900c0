import { request } from 'undici';
import { type EmulatorOptions, startEmulator } from '../src/index.ts';
import { passwordToken } from './helpers.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read loosely in assertions.
  json: any;
}

/** Sends one raw HTTP request and reads the whole response. */
export async function send(
  url: string,
  method = 'GET',
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  let payload: string | Buffer | undefined;
  const allHeaders = { ...headers };
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    payload = body;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    allHeaders['content-type'] = 'application/json';
  }
  const response = await request(url, {
    method: method as 'GET',
    headers: allHeaders,
    ...(payload === undefined ? {} : { body: payload }),
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  let json: unknown;
  if (String(response.headers['content-type'] ?? '').includes('json') && bytes.length > 0) {
    json = JSON.parse(bytes.toString('utf8'));
  }
  return { status: response.statusCode, headers: response.headers, bytes, json };
}

/** A running emulator with a signed-in user and a Graph helper bound to that user's token. */
export async function startDrive(options: EmulatorOptions = {}) {
  const emu = await startEmulator(options);
  try {
    const { access_token: token } = await passwordToken(emu.url);
    const graph = (method: string, route: string, body?: unknown, headers = {}) =>
      send(`${emu.graphUrl}${route}`, method, body, {
        authorization: `Bearer ${token}`,
        ...headers,
      });
    const put = async (path: string, content: string | Buffer) => {
      const reply = await graph('PUT', `/me/drive/root:${path}:/content`, Buffer.from(content));
      if (reply.status !== 200 && reply.status !== 201) {
        throw new TypeError(`upload of ${path} answered ${reply.status}`);
      }
      return reply.json as { id: string; name: string; size: number };
    };
    const mkdir = async (name: string, parent = 'root') => {
      const reply = await graph('POST', `/me/drive/items/${parent}/children`, {
        name,
        folder: {},
      });
      return reply.json as { id: string; name: string };
    };
    return { emu, token, graph, put, mkdir, close: () => emu.close() };
  } catch (error) {
    await emu.close();
    throw error;
  }
}

export type Drive = Awaited<ReturnType<typeof startDrive>>;

/** Asserts the Graph error shape and returns the error object. */
export function graphError(reply: Reply): {
  code: string;
  message: string;
  innerError: { code?: string };
} {
  return reply.json?.error;
}
