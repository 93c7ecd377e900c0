import { InvalidArgumentError } from 'commander';
import { isIsoTime } from '../index.js';
import { usageError } from './errors.js';

/** Parse an option that takes one of a fixed set of words, e.g. -t view|edit|embed. */
export function oneOf<T extends string>(name: string, allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  };
}

const DURATION_UNITS_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Read an expiry: an ISO 8601 date ('2027-01-31', midnight UTC), a date-time
 * with a zone, or a duration from now ('30m', '12h', '7d'). Returns the UTC
 * time in the form Graph documents, yyyy-MM-ddTHH:mm:ssZ.
 */
export function parseExpiry(value: string, now: Date, flag = '--expires'): string {
  const duration = /^(\d{1,6})([mhd])$/.exec(value);
  let time: number;
  if (duration?.[1] !== undefined && duration[2] !== undefined) {
    time = now.getTime() + Number(duration[1]) * (DURATION_UNITS_MS[duration[2]] ?? 0);
  } else if (/^\d{4}-\d\d-\d\d$/.test(value) || isIsoTime(value)) {
    time = Date.parse(/^\d{4}-\d\d-\d\d$/.test(value) ? `${value}T00:00:00Z` : value);
  } else {
    time = Number.NaN;
  }
  if (Number.isNaN(time)) {
    throw usageError(
      `${flag} ${JSON.stringify(value)} is invalid: expected a date (2027-01-31), a UTC time (2027-01-31T12:00:00Z) or a duration (30m, 12h, 7d)`,
    );
  }
  if (time <= now.getTime()) {
    throw usageError(
      `${flag} ${JSON.stringify(value)} is in the past; give a later time or a duration such as 7d`,
    );
  }
  return `${new Date(time).toISOString().slice(0, 19)}Z`;
}
