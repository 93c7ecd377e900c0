import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyAttempt,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  resolveRetryPolicy,
} from '../../src/graph/retry.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const context = (retryNumber: number, replayable = true) => ({
  retryNumber,
  replayable,
  nowMs: NOW,
  random: () => 0.5,
});

describe('Retry-After parsing', () => {
  it('reads delta-seconds as milliseconds', () => {
    assert.equal(parseRetryAfter('7', NOW), 7000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
    assert.equal(parseRetryAfter('150100', NOW), 150_100_000);
  });

  it('reads an HTTP-date as the time left until then', () => {
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 12:00:03 GMT', NOW), 3000);
  });

  it('treats a date in the past as no wait', () => {
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', NOW), 0);
  });

  it('ignores missing and unreadable values', () => {
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter(null, NOW), undefined);
    assert.equal(parseRetryAfter('', NOW), undefined);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter('-5', NOW), undefined);
    assert.equal(parseRetryAfter('1.5', NOW), undefined);
  });
});

describe('retry classification', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('honours Retry-After on 429 and 503 without jitter', () => {
    for (const status of [429, 503]) {
      const decision = classifyAttempt(
        { kind: 'response', status, retryAfter: '3' },
        policy,
        context(1),
      );
      assert.deepEqual(
        { retry: decision.retry, delay: decision.retry && decision.delayMs },
        { retry: true, delay: 3000 },
      );
    }
  });

  it('backs off exponentially on 429 without Retry-After', () => {
    const decision = classifyAttempt({ kind: 'response', status: 429 }, policy, context(3));
    assert.equal(decision.retry && decision.delayMs, 2000);
  });

  it('backs off exponentially with jitter on 500, 502 and 504', () => {
    const random = { ...context(2), random: () => 0 };
    for (const status of [500, 502, 504]) {
      const decision = classifyAttempt({ kind: 'response', status }, policy, random);
      // Second retry: 500 ms × 2 = 1000 ms, minus the full 20 % jitter.
      assert.equal(decision.retry && decision.delayMs, 800);
    }
  });

  it('caps the backoff delay', () => {
    const decision = classifyAttempt(
      { kind: 'response', status: 500 },
      resolveRetryPolicy({ limit: 50 }),
      context(30),
    );
    assert.equal(decision.retry && decision.delayMs, policy.maxDelayMs);
  });

  it('retries connection resets and socket errors', () => {
    for (const code of [
      'ECONNRESET',
      'UND_ERR_SOCKET',
      'ECONNREFUSED',
      'UND_ERR_HEADERS_TIMEOUT',
    ]) {
      assert.equal(classifyAttempt({ kind: 'network', code }, policy, context(1)).retry, true);
    }
  });

  it('does not retry client errors or unknown failures', () => {
    for (const status of [400, 401, 403, 404, 409, 412, 416]) {
      assert.equal(classifyAttempt({ kind: 'response', status }, policy, context(1)).retry, false);
    }
    assert.equal(
      classifyAttempt({ kind: 'network', code: 'EACCES' }, policy, context(1)).retry,
      false,
    );
    assert.equal(classifyAttempt({ kind: 'network' }, policy, context(1)).retry, false);
  });

  it('never retries a body that cannot be replayed', () => {
    const decision = classifyAttempt(
      { kind: 'response', status: 503, retryAfter: '1' },
      policy,
      context(1, false),
    );
    assert.equal(decision.retry, false);
    assert.match(decision.reason, /cannot be sent again/);
  });

  it('stops after the retry limit', () => {
    const limited = resolveRetryPolicy({ limit: 2 });
    assert.equal(
      classifyAttempt({ kind: 'response', status: 500 }, limited, context(2)).retry,
      true,
    );
    assert.equal(
      classifyAttempt({ kind: 'response', status: 500 }, limited, context(3)).retry,
      false,
    );
  });

  it('gives up on a Retry-After longer than the cap', () => {
    const decision = classifyAttempt(
      { kind: 'response', status: 429, retryAfter: '150100' },
      policy,
      context(1),
    );
    assert.equal(decision.retry, false);
    assert.match(decision.reason, /exceeds/);
  });

  it('keeps the defaults frozen', () => {
    assert.equal(Object.isFrozen(DEFAULT_RETRY_POLICY), true);
    assert.equal(resolveRetryPolicy({ limit: 1 }).limit, 1);
    assert.equal(DEFAULT_RETRY_POLICY.limit, 4);
  });
});
