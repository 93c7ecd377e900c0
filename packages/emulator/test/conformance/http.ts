/** Raw HTTP senders for the conformance tests; every request stays on 127.0.0.1. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { type Agent, request } from 'undici';

/** One HTTP exchange with the body read in full. */
export class Reply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    readonly body: Buffer,
  ) {}

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }

  text(): string {
    return this.body.toString('utf8');
  }

  json<T>(): T {
    assert.ok(this.body.length > 0, `expected a JSON body with status ${this.status}, got none`);
    return JSON.parse(this.text()) as T;
  }
}

export interface SendOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Sends one request to a loopback URL and reads the whole body. Redirects are
 * never followed, so 302 and 303 responses reach the test unchanged.
 */
export async function send(
  dispatcher: Agent,
  method: Method,
  url: string,
  options: SendOptions = {},
): Promise<Reply> {
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, `request URL must stay on loopback: ${url}`);
  const response = await request(url, {
    method,
    headers: options.headers ?? {},
    body: options.body,
    dispatcher,
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  return new Reply(response.statusCode, response.headers, body);
}

/**
 * Sends a request whose path goes on the wire byte for byte. WHATWG URL parsing
 * (undici, fetch) resolves `..` and `%2E%2E` segments before sending, so
 * traversal cases need node:http with a raw path.
 */
export function sendRawPath(
  origin: string,
  method: Method,
  rawPath: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  const { hostname, port } = new URL(origin);
  assert.equal(hostname, '127.0.0.1', `request host must be loopback: ${origin}`);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: hostname, port, method, path: rawPath, headers },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => {
          resolve(new Reply(incoming.statusCode ?? 0, incoming.headers, Buffer.concat(chunks)));
        });
        incoming.on('error', reject);
      },
    );
    outgoing.setTimeout(15_000, () =>
      outgoing.destroy(new Error(`no response to ${method} ${rawPath}`)),
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
