import { GraphError, SkydriveError } from '../index.js';

/**
 * An error the CLI reports as it is: `message` is the whole line after
 * "skydrive: " and `exitCode` is the process exit code.
 */
export class CliError extends Error {
  readonly exitCode: 0 | 1 | 2 | 4;

  constructor(message: string, exitCode: 0 | 1 | 2 | 4 = 1, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Create a usage error (exit code 2) for a bad flag value or argument combination. */
export function usageError(message: string): CliError {
  return new CliError(message, 2);
}

/** Subject of an error message: a drive or local path as the user typed it, and command-specific next steps. */
export interface ErrorSubject {
  /** Shown first, e.g. '/docs/a.txt' or './a.txt'. */
  path?: string;
  /** Next step when the item already exists (Graph 409 nameAlreadyExists). */
  conflictHint?: string;
  /** The whole reason and next step when the item was not found (Graph 404). */
  notFound?: string;
}

const SIGN_IN_HINT = 'run: skydrive auth login, or set SKYDRIVE_TOKEN';
/** Next step when a saved sign-in expired or was rejected. */
const SIGN_IN_AGAIN_HINT = 'sign in again: skydrive auth login';

/**
 * Next step after a 401. SKYDRIVE_TOKEN wins over a saved sign-in, so while it is set,
 * signing in again changes nothing: the variable itself must change.
 */
function rejectedTokenHint(): string {
  const fromEnv = process.env.SKYDRIVE_TOKEN;
  return fromEnv === undefined || fromEnv === ''
    ? SIGN_IN_HINT
    : 'the token comes from SKYDRIVE_TOKEN: set a valid one, or unset it to use the saved sign-in (skydrive auth login)';
}

/** Return the parent of a drive path as typed, for "check the path with: skydrive ls <parent>". */
export function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  const cut = trimmed.lastIndexOf('/');
  return cut <= 0 ? '/' : trimmed.slice(0, cut);
}

/**
 * Build the message for a failure: `<path>: <reason>; <next step>`, lowercase,
 * without the "skydrive: " prefix. Callers pass the path the user typed.
 */
export function describeError(error: unknown, subject: ErrorSubject = {}): string {
  const prefix = subject.path === undefined ? '' : `${subject.path}: `;
  if (error instanceof CliError) {
    return error.message;
  }
  if (error instanceof GraphError) {
    // A rejected token is about the session, not about the item being worked on.
    const about = error.status === 401 ? '' : prefix;
    return about + describeGraphError(error, subject);
  }
  if (error instanceof SkydriveError) {
    return describeLibraryError(error, subject, prefix);
  }
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOENT') {
    return `${prefix}no such local file or folder; check the path`;
  }
  if (errno === 'EACCES' || errno === 'EPERM') {
    return `${prefix}permission denied on a local file; check its permissions`;
  }
  if (errno === 'ENOSPC') {
    return `${prefix}no space left on the local disk; free some space and try again`;
  }
  return prefix + lowerFirst(error instanceof Error ? error.message : String(error));
}

function describeGraphError(error: GraphError, subject: ErrorSubject): string {
  const status = `${error.status}${error.graphCode === '' ? '' : ` ${error.graphCode}`}`;
  const requestId = error.requestId === undefined ? '' : `, request-id ${error.requestId}`;
  const inner = error.innerCodes.length === 0 ? '' : ` (${error.innerCodes.join(', ')})`;
  switch (error.status) {
    case 400:
      return `rejected by the service (${status}${inner}): ${lowerFirst(error.message)}; check the name and the arguments`;
    case 401:
      return `the service rejected the access token (${status}); ${rejectedTokenHint()}`;
    case 403:
      return `access denied (${status}); check that the token grants Files.ReadWrite`;
    case 404:
      if (subject.notFound !== undefined) {
        return subject.notFound;
      }
      return subject.path === undefined
        ? 'not found; check the path'
        : `not found; check the path with: skydrive ls ${parentOf(subject.path)}`;
    case 409:
      if (error.graphCode === 'nameAlreadyExists' || error.graphCode === '') {
        return `already exists (${status}); ${subject.conflictHint ?? 'remove it first or choose another name'}`;
      }
      return `rejected by the service (${status}${inner}): ${lowerFirst(error.message)}`;
    case 412:
      return `changed on the service since it was read (${status}); read it again and retry`;
    case 416:
      return `the requested byte range is outside the file (${status}); check --range against the size from: skydrive info`;
    case 423:
      return `locked by another user or application (${status}); try again later`;
    case 429:
    case 503:
      return `the service is throttling requests (${status}${requestId}) and the retries ran out; try again later`;
    case 507:
      return `the drive is full (${status}); check the space with: skydrive quota`;
    default:
      if (error.status >= 500) {
        return `service error (${status}${requestId}); try again later`;
      }
      return `request failed (${error.method} ${status}${requestId}): ${lowerFirst(error.message)}`;
  }
}

function describeLibraryError(error: SkydriveError, subject: ErrorSubject, prefix: string): string {
  const reason = lowerFirst(error.message);
  switch (error.code) {
    case 'NOT_SIGNED_IN':
      return /expired|rejected|signed out/i.test(error.message)
        ? `not signed in: ${withoutHint(reason)}; ${SIGN_IN_AGAIN_HINT}`
        : `not signed in; ${SIGN_IN_HINT}`;
    case 'INVALID_NAME':
      return `${prefix}${reason}; rename it and try again`;
    case 'LOCAL_FILE_NOT_FOUND':
      return `${prefix}no such local file or folder; check the path`;
    case 'NOT_A_FOLDER':
      return `${prefix}not a folder; give a folder path`;
    case 'NOT_A_FILE':
      return `${prefix}not a file; use -r to download a folder`;
    case 'HASH_MISMATCH':
      return `${prefix}the content hash did not match after the transfer: ${reason}; try again`;
    case 'COPY_FAILED':
      return `${prefix}copy failed on the service: ${reason}`;
    case 'TIMEOUT':
      return `${prefix}timed out: ${withoutHint(reason)}; try again or check the network`;
    case 'NETWORK_ERROR':
      return `cannot reach the service: ${withoutHint(reason)}; check --endpoint (or SKYDRIVE_ENDPOINT) and the network`;
    case 'ABORTED':
      return `${prefix}cancelled`;
    default:
      if (subject.path !== undefined && reason.includes(subject.path)) {
        return reason;
      }
      return prefix + reason;
  }
}

/** Drop a library message's own "; next step" clause when the CLI gives a more specific one. */
function withoutHint(message: string): string {
  const cut = message.indexOf('; ');
  return cut < 0 ? message : message.slice(0, cut);
}

function lowerFirst(text: string): string {
  // Keep acronyms such as "HTTP" or "URL" as they are.
  if (/^[A-Z][a-z]/.test(text)) {
    return text.charAt(0).toLowerCase() + text.slice(1);
  }
  return text;
}
