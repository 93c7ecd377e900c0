import { setTimeout as delay } from 'node:timers/promises';

/** Time and randomness for retries and polling, injectable so tests need no real waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolve after `ms`; reject with an AbortError when the signal fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: async (ms: number, signal?: AbortSignal) => {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  },
  random: () => Math.random(),
});
