import { RESPONSE_TIMEOUT } from '../http/send.js';

/** Retry policy for failed requests. Delays are in milliseconds. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  limit: number;
  /** Statuses that are retried when the request body can be replayed. @default [429, 500, 502, 503, 504] */
  statuses: readonly number[];
  /** Statuses whose Retry-After header is honoured. @default [429, 503] */
  retryAfterStatuses: readonly number[];
  /** Delay before the first backoff retry. @default 500 */
  minDelayMs: number;
  /** Upper bound of one backoff delay. @default 30_000 */
  maxDelayMs: number;
  /** Growth of the backoff delay per attempt. @default 2 */
  factor: number;
  /** Fraction of the backoff delay that is randomised (0 = none, 1 = full). @default 0.2 */
  jitter: number;
  /**
   * Longest Retry-After wait that is honoured; a longer one ends the retries
   * so the caller can tell the user instead of hanging. @default 120_000
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  limit: 4,
  statuses: Object.freeze([429, 500, 502, 503, 504]),
  retryAfterStatuses: Object.freeze([429, 503]),
  minDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  jitter: 0.2,
  maxRetryAfterMs: 120_000,
});

export function resolveRetryPolicy(overrides?: Partial<RetryPolicy>): Readonly<RetryPolicy> {
  return Object.freeze({ ...DEFAULT_RETRY_POLICY, ...overrides });
}

/** Socket-level failures worth another attempt: the request may never have reached the server. */
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  RESPONSE_TIMEOUT,
]);

/** Reason given for outcomes that no policy retries, such as a 404. */
export const NOT_RETRYABLE = 'not retryable';

/** Outcome of one attempt: a response status or a network error code. */
export type AttemptOutcome =
  | { kind: 'response'; status: number; retryAfter?: string | null }
  | { kind: 'network'; code?: string };

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; reason: string };

export interface RetryContext {
  /** 1 for the first retry, 2 for the second, … */
  retryNumber: number;
  /** False when the request body was a stream that has been consumed. */
  replayable: boolean;
  /** Current time in ms since the epoch; used for HTTP-date Retry-After values. */
  nowMs: number;
  /** A number in [0, 1); injected so tests are deterministic. */
  random: () => number;
}

/** Decide whether an attempt is retried, and after how long. */
export function classifyAttempt(
  outcome: AttemptOutcome,
  policy: Readonly<RetryPolicy>,
  context: RetryContext,
): RetryDecision {
  const cause = describeOutcome(outcome);
  if (cause === undefined) {
    return { retry: false, reason: NOT_RETRYABLE };
  }
  if (!context.replayable) {
    return { retry: false, reason: `${cause}; the request body cannot be sent again` };
  }
  if (context.retryNumber > policy.limit) {
    return { retry: false, reason: `${cause}; gave up after ${policy.limit} retries` };
  }
  if (outcome.kind === 'response' && policy.retryAfterStatuses.includes(outcome.status)) {
    const waitMs = parseRetryAfter(outcome.retryAfter, context.nowMs);
    if (waitMs !== undefined) {
      if (waitMs > policy.maxRetryAfterMs) {
        return {
          retry: false,
          reason: `${cause}; Retry-After of ${waitMs} ms exceeds the ${policy.maxRetryAfterMs} ms limit`,
        };
      }
      // The server sent the wait time, so jitter would only make the retry early or late.
      return { retry: true, delayMs: waitMs, reason: `${cause}; server asked to wait` };
    }
  }
  return { retry: true, delayMs: backoffDelay(policy, context), reason: cause };
}

function describeOutcome(outcome: AttemptOutcome): string | undefined {
  if (outcome.kind === 'network') {
    if (outcome.code !== undefined && RETRYABLE_NETWORK_CODES.has(outcome.code)) {
      return `connection failed (${outcome.code})`;
    }
    return undefined;
  }
  switch (outcome.status) {
    case 429:
      return '429 throttled';
    case 500:
      return '500 server error';
    case 502:
      return '502 bad gateway';
    case 503:
      return '503 service unavailable or throttled';
    case 504:
      return '504 gateway timeout';
    default:
      return undefined;
  }
}

function backoffDelay(policy: Readonly<RetryPolicy>, context: RetryContext): number {
  const base = Math.min(
    policy.maxDelayMs,
    policy.minDelayMs * policy.factor ** (context.retryNumber - 1),
  );
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + spread * 2 * context.random()));
}

/**
 * Parse a Retry-After header: delta-seconds or an HTTP-date. Returns the wait in
 * ms (never negative), or undefined when the header is missing or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed === '') {
    return undefined;
  }
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  // Every HTTP-date form starts with the day name; Date.parse alone accepts '-5' or '1.5'.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/i.test(trimmed)) {
    return undefined;
  }
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) {
    return undefined;
  }
  return Math.max(0, dateMs - nowMs);
}
