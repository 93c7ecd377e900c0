import { debuglog } from 'node:util';
import type { DriveContext } from '../drive/context.js';
import type { ConflictBehavior } from '../drive/types.js';
import { SkydriveError } from '../errors.js';
import { childUrlPath } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import type { HttpResponse } from '../http/send.js';
import { type Fragment, firstExpectedOffset, sliceStream } from './fragments.js';
import type { UploadTarget } from './upload.js';

const log = debuglog('skydrive');

/** Graph's uploadSession resource, as createUploadSession and a status GET return it. */
export interface UploadSessionWire {
  uploadUrl?: string;
  expirationDateTime?: string;
  /** Zero-based inclusive ranges such as '26-' or '12345-55232'. */
  nextExpectedRanges?: string[];
}

/** State of an upload session after a request. */
export type SessionState =
  | { kind: 'open'; offset: number; expirationDateTime?: string }
  /** The session is gone: expired, cancelled, or consumed by a commit. */
  | { kind: 'gone' }
  | { kind: 'complete'; item: DriveItem };

/** Create an upload session for `target`; the bearer token goes only on this POST. */
export async function createSession(
  context: DriveContext,
  target: UploadTarget,
  size: number,
  conflict: ConflictBehavior,
  signal: AbortSignal | undefined,
): Promise<{ uploadUrl: string; expirationDateTime?: string }> {
  const session = await context.graph.json<UploadSessionWire>({
    method: 'POST',
    url: childUrlPath(target.parent, target.name, 'createUploadSession'),
    // fileSize lets the service reject a file over quota before any byte is sent.
    json: { item: { '@microsoft.graph.conflictBehavior': conflict, fileSize: size } },
    signal,
  });
  if (typeof session.uploadUrl !== 'string' || session.uploadUrl === '') {
    throw new SkydriveError(
      'PROTOCOL_ERROR',
      `createUploadSession for ${target.name} answered without an uploadUrl`,
    );
  }
  return { uploadUrl: session.uploadUrl, expirationDateTime: session.expirationDateTime };
}

/**
 * Ask the session which bytes it still expects. The uploadUrl is
 * pre-authenticated, so no Authorization header is sent to it.
 */
export async function querySession(
  context: DriveContext,
  uploadUrl: string,
  signal: AbortSignal | undefined,
): Promise<SessionState> {
  const response = await context.graph.request({
    method: 'GET',
    url: uploadUrl,
    auth: false,
    accept: [404],
    signal,
  });
  if (response.status === 404) {
    await response.body.dump();
    return { kind: 'gone' };
  }
  const session = await readJson<UploadSessionWire>(response, 'upload session status');
  const offset = firstExpectedOffset(session.nextExpectedRanges);
  if (offset === undefined) {
    throw new SkydriveError(
      'PROTOCOL_ERROR',
      `the upload session status has no readable nextExpectedRanges (${JSON.stringify(session.nextExpectedRanges)})`,
    );
  }
  return { kind: 'open', offset, expirationDateTime: session.expirationDateTime };
}

/**
 * Send one fragment. After a 5xx status or a reset, the client's retry
 * policy sends the same bytes again. A retry of a fragment the server already
 * stored gets 416, and then the session status gives the next offset.
 */
export async function sendFragment(
  context: DriveContext,
  uploadUrl: string,
  fragment: Fragment,
  size: number,
  /** Called per slice with the bytes just sent and the bytes of this attempt so far. */
  onSent: (bytes: number, attemptBytes: number) => void,
  signal: AbortSignal | undefined,
): Promise<SessionState> {
  const response = await context.graph.request({
    method: 'PUT',
    url: uploadUrl,
    auth: false,
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(fragment.bytes.length),
      'content-range': `bytes ${fragment.start}-${fragment.end}/${size}`,
    },
    body: () => {
      let previous = 0;
      return sliceStream(fragment.bytes, (sent) => {
        onSent(sent - previous, sent);
        previous = sent;
      });
    },
    accept: [404, 416],
    signal,
  });

  if (response.status === 404) {
    await response.body.dump();
    return { kind: 'gone' };
  }
  if (response.status === 416) {
    await response.body.dump();
    log('fragment %d-%d: 416, asking the session where it is', fragment.start, fragment.end);
    return querySession(context, uploadUrl, signal);
  }
  if (response.status === 200 || response.status === 201) {
    return { kind: 'complete', item: await readJson<DriveItem>(response, 'upload commit') };
  }
  const session = await readJson<UploadSessionWire>(response, 'fragment response');
  const offset = firstExpectedOffset(session.nextExpectedRanges);
  if (offset === undefined) {
    // Some service versions returned 202 without the ranges; the status GET returns them.
    return querySession(context, uploadUrl, signal);
  }
  return { kind: 'open', offset, expirationDateTime: session.expirationDateTime };
}

/** Cancel a session so the service drops its bytes. Failures are logged, because the session expires anyway. */
export async function cancelSession(context: DriveContext, uploadUrl: string): Promise<void> {
  try {
    const response = await context.graph.request({
      method: 'DELETE',
      url: uploadUrl,
      auth: false,
      accept: [404],
    });
    await response.body.dump();
  } catch (error) {
    log('cancelling an upload session failed: %s', (error as Error).message);
  }
}

/** Fetch the target item when it exists; used after a commit whose response was lost. */
export async function findTarget(
  context: DriveContext,
  target: UploadTarget,
  signal: AbortSignal | undefined,
): Promise<DriveItem | undefined> {
  const response = await context.graph.request({
    method: 'GET',
    url: childUrlPath(target.parent, target.name),
    accept: [404],
    signal,
  });
  if (response.status === 404) {
    await response.body.dump();
    return undefined;
  }
  return readJson<DriveItem>(response, 'item lookup');
}

async function readJson<T>(response: HttpResponse, what: string): Promise<T> {
  const text = await response.body.text();
  try {
    return (text.trim() === '' ? {} : JSON.parse(text)) as T;
  } catch (error) {
    throw new SkydriveError(
      'PROTOCOL_ERROR',
      `${what} answered ${response.status} with a body that is not JSON`,
      { cause: error },
    );
  }
}
