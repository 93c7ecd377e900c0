import type { Readable } from 'node:stream';
import { debuglog } from 'node:util';
import type { Dispatcher } from 'undici';
import type { RequestEvent } from '../drive/types.js';
import { SkydriveError } from '../errors.js';
import {
  type HttpMethod,
  type HttpResponse,
  headerValue,
  RESPONSE_TIMEOUT,
  ResponseTimeoutError,
  send,
} from '../http/send.js';
import { type Clock, systemClock } from './clock.js';
import { graphErrorFrom } from './error-body.js';
import { redactText, redactUrl } from './redact.js';
import { type AttemptOutcome, classifyAttempt, NOT_RETRYABLE, type RetryPolicy } from './retry.js';

const log = debuglog('skydrive');

/** Graph's throttling guidance recommends tagging traffic this way, because tagged traffic is throttled later. */
const USER_AGENT = 'NONISV|skydrive|skydrive/0.1';

/** Error bodies longer than this are cut before parsing, in bytes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface GraphClientOptions {
  /** Graph base URL with version, e.g. 'https://graph.microsoft.com/v1.0'. */
  endpoint: string;
  /**
   * Returns the access token for the next request. After a 401 it is called
   * with `forceRefresh`, and the request is sent once more if the token changed.
   */
  token: (options?: { forceRefresh?: boolean }) => Promise<string>;
  dispatcher: Dispatcher;
  retry: Readonly<RetryPolicy>;
  onRequest?: (event: RequestEvent) => void;
  clock?: Clock;
  /** Maximum time per attempt until the response headers arrive, in ms. */
  responseTimeoutMs?: number;
  /**
   * Replace a dispatcher that keeps a request queued after undici ignored its abort.
   * Without it, such a request stays queued until the dispatcher is destroyed.
   */
  replaceDispatcher?: (stuck: Dispatcher) => Dispatcher;
}

export interface GraphRequest {
  method: HttpMethod;
  /** A path under the endpoint ('/me/drive/root') or an absolute URL (nextLink, download, monitor). */
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON; replayable. */
  json?: unknown;
  /** Produces the body for one attempt; a stream must be fresh on every call. */
  body?: () => string | Buffer | Readable;
  /** False when `body` cannot produce the same bytes twice; then the request is never retried. @default true */
  replayable?: boolean;
  /** Send the bearer token. Even when true it goes only to the Graph origin. @default true */
  auth?: boolean;
  /** Non-2xx statuses handed back instead of thrown, such as 302 for a download. */
  accept?: readonly number[];
  signal?: AbortSignal;
}

/** Sends Graph requests: resolves URLs, adds the token, retries by policy and raises GraphError. */
export class GraphClient {
  readonly endpoint: string;
  readonly origin: string;
  private readonly options: GraphClientOptions;
  private readonly clock: Clock;
  private dispatcher: Dispatcher;

  constructor(options: GraphClientOptions) {
    this.dispatcher = options.dispatcher;
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.origin = originOf(this.endpoint);
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  /** Return the URL with credentials removed, for messages and logs. */
  redact(url: string): string {
    return redactUrl(url, this.origin);
  }

  absolute(url: string): string {
    return /^https?:\/\//i.test(url) ? url : `${this.endpoint}${url}`;
  }

  /** Send with retries; the caller must consume or dump the returned body. */
  async request(req: GraphRequest): Promise<HttpResponse> {
    const url = this.absolute(req.url);
    const shownUrl = this.redact(url);
    const replayable = req.replayable ?? true;
    let refreshedAfter401 = false;

    for (let attempt = 1; ; attempt++) {
      const started = this.clock.now();
      const event: RequestEvent = { method: req.method, url: shownUrl, attempt, durationMs: 0 };
      let outcome: AttemptOutcome;
      let response: HttpResponse | undefined;
      let failure: unknown;
      const headers = await this.headersFor(url, req);

      try {
        response = await send(this.dispatcher, {
          method: req.method,
          url,
          headers,
          body: bodyFor(req),
          signal: req.signal,
          responseTimeoutMs: this.options.responseTimeoutMs,
        });
        event.status = response.status;
        event.requestId = requestIdOf(response);
        outcome = {
          kind: 'response',
          status: response.status,
          retryAfter: headerValue(response.headers, 'retry-after'),
        };
      } catch (error) {
        failure = error;
        event.error = describeNetworkError(error);
        outcome = { kind: 'network', code: errorCode(error) };
        if (
          error instanceof ResponseTimeoutError &&
          error.stuck &&
          this.options.replaceDispatcher
        ) {
          log('%s %s: the connection pool ignored an abort; replacing it', req.method, shownUrl);
          this.dispatcher = this.options.replaceDispatcher(this.dispatcher);
        }
      }
      event.durationMs = this.clock.now() - started;

      if (response !== undefined && isAccepted(response.status, req.accept)) {
        this.report(event);
        return response;
      }
      if (req.signal?.aborted) {
        this.report(event);
        await response?.body.dump().catch(() => undefined);
        throw abortedError(req.method, shownUrl, req.signal.reason);
      }

      // An access token can expire mid-command: refresh once, then send the same request again.
      if (
        response?.status === 401 &&
        !refreshedAfter401 &&
        (replayable || req.body === undefined) &&
        headers.authorization !== undefined
      ) {
        refreshedAfter401 = true;
        this.report(event);
        const fresh = await this.options.token({ forceRefresh: true });
        if (`Bearer ${fresh}` !== headers.authorization) {
          log('%s %s: 401; retry %d with a refreshed access token', req.method, shownUrl, attempt);
          await response.body.dump().catch(() => undefined);
          continue;
        }
        // The provider has no other token: the 401 is final, and its event is reported.
        throw graphErrorFrom({
          status: response.status,
          method: req.method,
          url: shownUrl,
          requestId: event.requestId,
          bodyText: await readLimited(response),
        });
      }

      const decision = classifyAttempt(outcome, this.options.retry, {
        retryNumber: attempt,
        replayable: replayable || req.body === undefined,
        nowMs: this.clock.now(),
        random: this.clock.random,
      });
      if (decision.retry) {
        event.retryInMs = decision.delayMs;
        this.report(event);
        log(
          '%s %s: %s; retry %d in %d ms',
          req.method,
          shownUrl,
          decision.reason,
          attempt,
          decision.delayMs,
        );
        await response?.body.dump().catch(() => undefined);
        await this.sleep(decision.delayMs, req, shownUrl);
        continue;
      }

      this.report(event);
      if (response === undefined) {
        throw networkError(req.method, shownUrl, failure);
      }
      throw graphErrorFrom({
        status: response.status,
        method: req.method,
        url: shownUrl,
        requestId: event.requestId,
        bodyText: await readLimited(response),
        retryNote: decision.reason === NOT_RETRYABLE ? undefined : decision.reason,
      });
    }
  }

  /** Send and parse the JSON response body. An empty body returns an empty object. */
  async json<T>(req: GraphRequest): Promise<T> {
    const response = await this.request(req);
    const text = await response.body.text();
    if (text.trim() === '') {
      return {} as T;
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new SkydriveError(
        'PROTOCOL_ERROR',
        `${req.method} ${this.redact(this.absolute(req.url))} answered ${response.status} with a body that is not JSON`,
        { cause: error },
      );
    }
  }

  private async headersFor(url: string, req: GraphRequest): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...req.headers };
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
    }
    // The token goes to the configured Graph origin and nowhere else: download,
    // upload and monitor URLs are pre-authenticated and reject or leak it.
    if ((req.auth ?? true) && originOf(url) === this.origin) {
      headers.authorization = `Bearer ${await this.options.token()}`;
    }
    return headers;
  }

  private async sleep(ms: number, req: GraphRequest, shownUrl: string): Promise<void> {
    try {
      await this.clock.sleep(ms, req.signal);
    } catch (error) {
      throw abortedError(req.method, shownUrl, error);
    }
  }

  private report(event: RequestEvent): void {
    log(
      '%s %s -> %s (attempt %d, %d ms%s)',
      event.method,
      event.url,
      event.status ?? event.error,
      event.attempt,
      event.durationMs,
      event.requestId === undefined ? '' : `, request-id ${event.requestId}`,
    );
    try {
      this.options.onRequest?.(event);
    } catch (error) {
      // A failing observer must not change the outcome of the request.
      log('onRequest callback failed: %s', error instanceof Error ? error.message : String(error));
    }
  }
}

function bodyFor(req: GraphRequest): string | Buffer | Readable | undefined {
  if (req.json !== undefined) {
    return JSON.stringify(req.json);
  }
  return req.body?.();
}

function isAccepted(status: number, accept: readonly number[] | undefined): boolean {
  return (status >= 200 && status < 300) || (accept?.includes(status) ?? false);
}

export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

function requestIdOf(response: HttpResponse): string | undefined {
  return (
    headerValue(response.headers, 'request-id') ??
    headerValue(response.headers, 'client-request-id')
  );
}

function errorCode(error: unknown): string | undefined {
  if (error instanceof ResponseTimeoutError) {
    return RESPONSE_TIMEOUT;
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    return code;
  }
  const causeCode = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

function describeNetworkError(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? redactText(error.message) : String(error);
  return code === undefined ? message : `${code}: ${message}`;
}

const TIMEOUT_CODES = new Set([
  RESPONSE_TIMEOUT,
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

function networkError(method: string, url: string, error: unknown): SkydriveError {
  if (error instanceof SkydriveError && !(error instanceof ResponseTimeoutError)) {
    return error;
  }
  if ((error as { name?: string } | null)?.name === 'AbortError') {
    return abortedError(method, url, error);
  }
  const code = errorCode(error);
  const what = describeNetworkError(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new SkydriveError('TIMEOUT', `${method} ${url} timed out (${what})`, { cause: error });
  }
  return new SkydriveError(
    'NETWORK_ERROR',
    `${method} ${url} failed: ${what}; check the network and the endpoint`,
    { cause: error },
  );
}

function abortedError(method: string, url: string, cause: unknown): SkydriveError {
  return new SkydriveError('ABORTED', `${method} ${url} was aborted`, { cause });
}

async function readLimited(response: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buffer);
      size += buffer.length;
      if (size >= MAX_ERROR_BODY_BYTES) {
        response.body.destroy();
        break;
      }
    }
  } catch {
    // A body cut short still tells us the status; the code chain is best effort.
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}
