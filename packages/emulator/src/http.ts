import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphError, invalidRequest } from './errors.js';

/** Largest JSON or form body accepted on metadata requests, in bytes. */
const MAX_METADATA_BODY_BYTES = 1024 * 1024;

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

/** Reads a small request body whole; throws 413 past the metadata limit. */
export async function readSmallBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  // An oversized body is read to the end and discarded rather than abandoned: leaving the
  // loop early destroys the request, and the client then sees a reset instead of the 413.
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size <= MAX_METADATA_BODY_BYTES) {
      chunks.push(buffer);
    }
  }
  if (size > MAX_METADATA_BODY_BYTES) {
    throw new GraphError(
      413,
      'invalidRequest',
      `request body of ${size} bytes exceeds the limit of ${MAX_METADATA_BODY_BYTES} bytes`,
    );
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON object body; an empty body reads as `{}`. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readSmallBody(req);
  if (body.byteLength === 0) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidRequest('the request body is not valid JSON', 'invalidParameterFormat');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw invalidRequest('the request body must be a JSON object', 'invalidParameterFormat');
  }
  return parsed as Record<string, unknown>;
}

/** Returns the first value of a header; Node joins repeats of most headers into one string. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
