import type { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import { SkydriveError } from '../errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL, already encoded. */
  url: string;
  headers?: Record<string, string>;
  /** A string or Buffer, or a fresh stream for this attempt. */
  body?: string | Buffer | Readable;
  signal?: AbortSignal;
  /** Maximum time from the start until the response headers arrive, in ms. */
  responseTimeoutMs?: number;
}

/** Retry code of a `ResponseTimeoutError`. */
export const RESPONSE_TIMEOUT = 'SKYDRIVE_RESPONSE_TIMEOUT';

/**
 * Time allowed for undici to settle a request after its signal fired, in ms.
 * undici 7 ignores the signal while it reconnects to a proxy that keeps closing
 * the CONNECT tunnel, and it reconnects without end, so the wait is bounded here.
 */
const ABORT_GRACE_MS = 1_000;

/** Error raised when the response headers did not arrive within `responseTimeoutMs`. */
export class ResponseTimeoutError extends SkydriveError {
  /** True when undici ignored the abort: the request may still be queued in its dispatcher. */
  readonly stuck: boolean;

  constructor(timeoutMs: number | undefined, stuck: boolean, cause?: unknown) {
    super('TIMEOUT', `no response headers within ${timeoutMs} ms`, { cause });
    this.name = 'ResponseTimeoutError';
    this.stuck = stuck;
  }
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Must be consumed or dumped, or the socket is not returned to the pool. */
  body: Readable & { dump(options?: { limit: number }): Promise<void>; text(): Promise<string> };
}

/** Send one HTTP request. Redirects are not followed, so callers decide where credentials go. */
export async function send(dispatcher: Dispatcher, req: HttpRequest): Promise<HttpResponse> {
  const deadline = new AbortController();
  const timer =
    req.responseTimeoutMs === undefined
      ? undefined
      : setTimeout(() => deadline.abort(), req.responseTimeoutMs);
  const signal =
    req.signal === undefined ? deadline.signal : AbortSignal.any([req.signal, deadline.signal]);

  let graceTimer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const ignoredAbort = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      graceTimer = setTimeout(() => {
        reject(
          req.signal?.aborted
            ? new SkydriveError('ABORTED', `${req.method} request aborted`)
            : new ResponseTimeoutError(req.responseTimeoutMs, true),
        );
      }, ABORT_GRACE_MS);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

  const pending = request(req.url, {
    dispatcher,
    method: req.method,
    headers: req.headers,
    body: req.body,
    signal,
  });
  try {
    const response = await Promise.race([pending, ignoredAbort]);
    return {
      status: response.statusCode,
      headers: response.headers,
      body: response.body,
    };
  } catch (error) {
    if (error instanceof SkydriveError) {
      // undici keeps the request queued, and nothing awaits its eventual failure.
      pending.catch(() => undefined);
      throw error;
    }
    if (deadline.signal.aborted && !req.signal?.aborted) {
      throw new ResponseTimeoutError(req.responseTimeoutMs, false, error);
    }
    throw error;
  } finally {
    // Once the headers are in, the body is bounded by undici's bodyTimeout instead.
    clearTimeout(timer);
    clearTimeout(graceTimer);
    // The listener references `req` and so its body. A long-lived caller signal
    // would otherwise keep every request body (each upload fragment) alive.
    if (onAbort !== undefined) {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** Return the first value of a response header. */
export function headerValue(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
