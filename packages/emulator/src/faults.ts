import { setTimeout as delay } from 'node:timers/promises';
import type { RequestContext } from './context.js';
import { GraphError, graphErrorBody, invalidRequest } from './errors.js';
import { sendJson } from './http.js';
import { newSecret } from './ids.js';

export type FaultListener = 'api' | 'content' | 'any';

export type FaultAction =
  | { type: 'status'; status: number; retryAfter?: string; code?: string }
  | { type: 'reset' }
  | { type: 'delay'; ms: number }
  | { type: 'reset-after-body' }
  | { type: 'expire-upload-session' }
  | { type: 'truncate-body'; bytes: number }
  | { type: 'corrupt-body' };

/** One injected fault, as `GET /_emulator/faults` lists it. */
export interface Fault {
  id: string;
  method: string | undefined;
  path: string | undefined;
  listener: FaultListener;
  /** Matching requests still to be hit; the fault is removed at 0. */
  remaining: number;
  fault: FaultAction;
}

/** Maximum delay of a fault, so a mistyped value cannot hang a test run. */
const MAX_DELAY_MS = 120_000;

/** Faults waiting for matching requests, oldest first; the first match wins. */
export class FaultRegistry {
  private readonly faults: Array<Fault & { pattern: RegExp | undefined }> = [];

  /** Validates a `POST /_emulator/faults` body and registers the fault. */
  add(body: Record<string, unknown>): Fault {
    const method = optionalString(body, 'method')?.toUpperCase();
    const path = optionalString(body, 'path');
    let pattern: RegExp | undefined;
    if (path !== undefined) {
      try {
        pattern = new RegExp(path);
      } catch {
        throw invalidRequest(`path ${JSON.stringify(path)} is not a valid regular expression`);
      }
    }
    const listener = body.listener ?? 'any';
    if (listener !== 'api' && listener !== 'content' && listener !== 'any') {
      throw invalidRequest('listener must be api, content or any');
    }
    const count = body.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw invalidRequest('count must be a positive integer');
    }
    const fault: Fault = {
      id: newSecret(12),
      method,
      path,
      listener,
      remaining: count,
      fault: parseAction(body.fault),
    };
    this.faults.push({ ...fault, pattern });
    return fault;
  }

  list(): Fault[] {
    return this.faults.map(({ pattern: _pattern, ...fault }) => ({ ...fault }));
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** Takes one hit of the first fault matching the request, removing the fault when it is used up. */
  take(ctx: RequestContext, listener: 'api' | 'content'): FaultAction | undefined {
    const method = ctx.req.method ?? 'GET';
    const index = this.faults.findIndex(
      (fault) =>
        (fault.listener === 'any' || fault.listener === listener) &&
        (fault.method === undefined || fault.method === method) &&
        (fault.pattern === undefined || fault.pattern.test(ctx.rawPath)),
    );
    const fault = this.faults[index];
    if (!fault) {
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining <= 0) {
      this.faults.splice(index, 1);
    }
    return fault.fault;
  }
}

function parseAction(value: unknown): FaultAction {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('fault must be an object with a type');
  }
  const fault = value as Record<string, unknown>;
  switch (fault.type) {
    case 'status': {
      const status = fault.status;
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
        throw invalidRequest('fault.status must be an HTTP error status from 400 to 599');
      }
      const action: FaultAction = { type: 'status', status };
      const retryAfter = optionalString(fault, 'retryAfter', 'fault.');
      const code = optionalString(fault, 'code', 'fault.');
      if (retryAfter !== undefined) {
        action.retryAfter = retryAfter;
      }
      if (code !== undefined) {
        action.code = code;
      }
      return action;
    }
    case 'delay': {
      const ms = fault.ms;
      if (typeof ms !== 'number' || !(ms >= 0) || ms > MAX_DELAY_MS) {
        throw invalidRequest(`fault.ms must be a number of milliseconds from 0 to ${MAX_DELAY_MS}`);
      }
      return { type: 'delay', ms };
    }
    case 'truncate-body': {
      const bytes = fault.bytes;
      if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 0) {
        throw invalidRequest('fault.bytes must be a byte count');
      }
      return { type: 'truncate-body', bytes };
    }
    case 'reset':
    case 'reset-after-body':
    case 'expire-upload-session':
    case 'corrupt-body':
      return { type: fault.type };
    default:
      throw invalidRequest(
        'fault.type must be status, reset, delay, reset-after-body, expire-upload-session, truncate-body or corrupt-body',
      );
  }
}

function optionalString(
  body: Record<string, unknown>,
  key: string,
  prefix = '',
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw invalidRequest(`${prefix}${key} must be a string`);
  }
  return value;
}

/** Default Graph code for an injected status. */
function codeOf(status: number): string {
  switch (status) {
    case 401:
      return 'unauthenticated';
    case 404:
      return 'itemNotFound';
    case 429:
      return 'activityLimitReached';
    case 503:
      return 'serviceNotAvailable';
    case 507:
      return 'quotaLimitReached';
    default:
      return status >= 500 ? 'generalException' : 'invalidRequest';
  }
}

/**
 * Runs the fault-injection stage. It returns true when the fault produced the
 * whole outcome (a response or a dropped connection), so the request stops
 * here. It returns false when the request goes on to its handler, possibly
 * with its response rigged to misbehave.
 */
export async function applyFault(
  ctx: RequestContext,
  listener: 'api' | 'content',
): Promise<boolean> {
  const fault = ctx.emulator.faults.take(ctx, listener);
  if (!fault) {
    return false;
  }
  ctx.log.info({ fault: fault.type, method: ctx.req.method, path: ctx.logPath }, 'injecting fault');
  switch (fault.type) {
    case 'status': {
      const error = new GraphError(
        fault.status,
        fault.code ?? codeOf(fault.status),
        'injected fault',
        {
          headers: fault.retryAfter === undefined ? {} : { 'Retry-After': fault.retryAfter },
        },
      );
      // Drain the body, so the client sees the response and not a reset.
      ctx.req.resume();
      sendJson(
        ctx.res,
        error.status,
        graphErrorBody(error, ctx.requestId, ctx.clientRequestId),
        error.headers,
      );
      return true;
    }
    case 'reset':
      ctx.req.socket.destroy();
      return true;
    case 'delay':
      await delay(fault.ms);
      return false;
    case 'reset-after-body':
      dropResponse(ctx);
      return false;
    case 'expire-upload-session': {
      const token = /^\/upload\/([A-Za-z0-9_-]+)\/?$/.exec(ctx.rawPath)?.[1];
      if (token === undefined) {
        await ctx.emulator.uploads.expireAll();
      } else {
        await ctx.emulator.uploads.delete(token);
      }
      return false;
    }
    case 'truncate-body':
      limitBody(ctx, fault.bytes);
      return false;
    case 'corrupt-body':
      corruptBody(ctx);
      return false;
  }
}

/** Lets the handler consume and store the request, then closes the socket instead of sending the response. */
function dropResponse(ctx: RequestContext): void {
  const { res } = ctx;
  res.writeHead = (() => res) as typeof res.writeHead;
  res.write = (() => true) as typeof res.write;
  res.end = (() => {
    ctx.req.socket.destroy();
    return res;
  }) as typeof res.end;
}

/** Sends the headers as the handler set them, then only `limit` body bytes, then closes the socket. */
function limitBody(ctx: RequestContext, limit: number): void {
  const { res } = ctx;
  const write = res.write.bind(res);
  let sent = 0;
  const cut = () => {
    res.flushHeaders();
    setImmediate(() => ctx.req.socket.destroy());
  };
  res.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const room = Math.max(0, limit - sent);
    if (room > 0) {
      write(buffer.subarray(0, room));
      sent += Math.min(room, buffer.byteLength);
    }
    if (sent >= limit) {
      cut();
      return false;
    }
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown) => {
    if (Buffer.isBuffer(chunk) || typeof chunk === 'string') {
      res.write(chunk);
    }
    cut();
    return res;
  }) as typeof res.end;
}

/** Flips the bits of the first body byte sent, so the content no longer matches its hashes. */
function corruptBody(ctx: RequestContext): void {
  const { res } = ctx;
  const write = res.write.bind(res) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  const end = res.end.bind(res) as (chunk?: unknown, ...rest: unknown[]) => typeof res;
  let done = false;
  const flip = (chunk: unknown): unknown => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (done || !Buffer.isBuffer(bytes) || bytes.byteLength === 0) {
      return chunk;
    }
    done = true;
    const copy = Buffer.from(bytes);
    copy[0] = (copy[0] ?? 0) ^ 0xff;
    return copy;
  };
  res.write = ((chunk: Buffer, ...rest: unknown[]) =>
    write(flip(chunk) as Buffer, ...rest)) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => end(flip(chunk), ...rest)) as typeof res.end;
}
