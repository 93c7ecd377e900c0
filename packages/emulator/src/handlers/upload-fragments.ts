import { open } from 'node:fs/promises';
import type { RequestContext } from '../context.js';
import {
  GraphError,
  invalidRequest,
  methodNotAllowed,
  nameAlreadyExists,
  unauthenticated,
} from '../errors.js';
import { headerValue, sendEmpty, sendJson } from '../http.js';
import { eTagOf, toDriveItem } from '../model/item-json.js';
import { requireItem } from '../model/tree.js';
import {
  fragmentInProgress,
  fragmentLengthMismatch,
  fragmentOutOfOrder,
  fragmentOverlap,
  invalidFragmentLength,
  uploadSessionNotFound,
} from '../upload/errors.js';
import { type UploadSession, updateHashes } from '../upload/session-store.js';
import { commitUpload, type UploadTarget } from './content.js';
import { nextExpectedRanges } from './upload-session.js';

/** Every fragment but the last must be a multiple of 320 KiB. */
export const FRAGMENT_UNIT_BYTES = 320 * 1024;
/** Each fragment request must be smaller than 60 MiB. */
export const MAX_FRAGMENT_BYTES = 60 * 1024 * 1024;

/**
 * Requests to `{contentUrl}/upload/{token}`: `PUT` a fragment, `GET` the
 * session state, `DELETE` to cancel, and `POST` with an empty body to commit
 * a session created with `deferCommit`.
 */
export async function handleUploadUrl(ctx: RequestContext, token: string): Promise<void> {
  const { uploads, options } = ctx.emulator;
  // The URL is pre-authenticated. OneDrive personal accepts a bearer token on it, but business accounts have returned 401.
  if (options.strictUploadAuth && headerValue(ctx.req, 'authorization') !== undefined) {
    throw unauthenticated('upload URLs must be requested without an Authorization header');
  }
  const session = await uploads.find(token);
  if (!session) {
    throw uploadSessionNotFound();
  }
  switch (ctx.req.method) {
    case 'PUT':
      return receiveFragment(ctx, session);
    case 'GET':
      sendJson(ctx.res, 200, sessionStatus(session));
      return;
    case 'DELETE':
      await uploads.delete(session.token);
      ctx.log.info({ name: session.name }, 'upload session cancelled');
      sendEmpty(ctx.res, 204);
      return;
    case 'POST':
      return commitDeferred(ctx, session);
    default:
      throw methodNotAllowed(ctx.req.method ?? '?', 'an upload URL');
  }
}

function sessionStatus(session: UploadSession) {
  return {
    expirationDateTime: new Date(session.expiresAt).toISOString(),
    nextExpectedRanges: nextExpectedRanges(session),
  };
}

interface FragmentRange {
  start: number;
  end: number;
  total: number;
}

async function receiveFragment(ctx: RequestContext, session: UploadSession): Promise<void> {
  const { uploads, options } = ctx.emulator;
  const range = parseContentRange(headerValue(ctx.req, 'content-range'));
  const length = range.end - range.start + 1;
  checkContentLength(ctx, length);
  if (session.totalSize !== null && range.total !== session.totalSize) {
    throw fragmentLengthMismatch(range.total, session.totalSize);
  }
  if (range.end >= range.total) {
    throw invalidRequest(
      `Content-Range ends at byte ${range.end}, past the last byte ${range.total - 1} of the file`,
    );
  }
  if (range.start < session.received) {
    throw fragmentOverlap(range.start, session.received);
  }
  if (range.start > session.received) {
    throw fragmentOutOfOrder(range.start, session.received);
  }
  if (options.strictUploadAuth) {
    checkStrictFragmentSize(length, range);
  }
  if (uploads.busy.has(session.token)) {
    throw fragmentInProgress();
  }

  uploads.busy.add(session.token);
  try {
    await writeFragment(ctx, session, range, length);
  } finally {
    uploads.busy.delete(session.token);
  }
  session.totalSize = range.total;
  session.received = range.end + 1;
  // Each accepted fragment extends the session, as OneDrive does.
  session.expiresAt = Date.now() + options.uploadSessionLifetimeSeconds * 1000;
  await uploads.save(session);

  if (session.received < range.total || session.deferCommit) {
    sendJson(ctx.res, 202, sessionStatus(session));
    return;
  }
  await commitSession(ctx, session);
}

/**
 * Streams the body into the data file at its offset. A body that ends early
 * (the client aborted) leaves the session where it was: the file is
 * truncated back and the running hashes are dropped.
 */
async function writeFragment(
  ctx: RequestContext,
  session: UploadSession,
  range: FragmentRange,
  length: number,
): Promise<void> {
  const { uploads } = ctx.emulator;
  const hashes = await uploads.hashesOf(session);
  const handle = await open(uploads.dataPath(session.token), 'r+');
  let written = 0;
  try {
    for await (const chunk of ctx.req) {
      const buffer = chunk as Buffer;
      await handle.write(buffer, 0, buffer.byteLength, range.start + written);
      updateHashes(hashes, buffer);
      written += buffer.byteLength;
    }
    if (written !== length) {
      throw invalidRequest(
        `the fragment body has ${written} bytes; Content-Range announced ${length}`,
      );
    }
    await handle.sync();
  } catch (error) {
    uploads.forgetHashes(session.token);
    await handle.truncate(session.received).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

async function commitDeferred(ctx: RequestContext, session: UploadSession): Promise<void> {
  if (!session.deferCommit) {
    throw methodNotAllowed('POST', 'an upload URL of a session created without deferCommit');
  }
  if (session.totalSize === null || session.received < session.totalSize) {
    throw new GraphError(
      400,
      'invalidRequest',
      `the upload session still expects bytes ${nextExpectedRanges(session).join(', ')}`,
      { innerCode: 'uploadSessionIncomplete' },
    );
  }
  await commitSession(ctx, session);
}

/**
 * Turns the received bytes into the file: the data file becomes a blob by
 * rename, then the item is created or replaced in one transaction. A name
 * conflict leaves the session and its data in place (409).
 */
async function commitSession(ctx: RequestContext, session: UploadSession): Promise<void> {
  const { store, blobs, uploads } = ctx.emulator;
  const drive = store.getDrive(session.driveId);
  const user = store.getUser(session.username);
  if (!drive || !user) {
    await uploads.delete(session.token);
    throw uploadSessionNotFound();
  }
  const parent = requireItem(store, drive.id, session.parentId);
  const target: UploadTarget = {
    parent,
    name: session.name,
    existing:
      session.targetItemId === null ? undefined : store.getItem(drive.id, session.targetItemId),
  };
  const clash = target.existing ?? store.findChild(drive.id, parent.id, session.name);
  if (clash && (clash.isFolder || session.conflictBehavior === 'fail')) {
    throw nameAlreadyExists(session.name);
  }

  const hashes = await uploads.hashesOf(session);
  const key = hashes.sha256.digest('hex');
  const blob = {
    key,
    size: session.received,
    quickXorHash: hashes.quickXor.digest(),
    sha1Hash: hashes.sha1.digest('hex').toUpperCase(),
    sha256Hash: key.toUpperCase(),
  };
  uploads.forgetHashes(session.token);
  await blobs.adopt(uploads.dataPath(session.token), key);

  const principal = { user, drive };
  let result: ReturnType<typeof commitUpload>;
  try {
    result = store.transaction(() => {
      const committed = commitUpload(ctx, principal, drive, target, session.conflictBehavior, blob);
      const item = { ...committed.item };
      item.fsCreatedDateTime = session.fsCreatedDateTime ?? item.fsCreatedDateTime;
      item.fsModifiedDateTime = session.fsModifiedDateTime ?? item.fsModifiedDateTime;
      item.description = session.description ?? item.description;
      store.updateItem(item);
      return { item, created: committed.created };
    });
  } finally {
    // The bytes now live in the blob store; a failed commit cannot be retried from this session.
    await uploads.delete(session.token);
  }
  ctx.log.info(
    { itemId: result.item.id, name: result.item.name, size: result.item.size },
    'upload session committed',
  );
  sendJson(ctx.res, result.created ? 201 : 200, toDriveItem(ctx.emulator, drive, result.item), {
    ETag: eTagOf(result.item),
  });
}

/** Parses `bytes {start}-{end}/{total}`; a zero-length or reversed range is malformed. */
function parseContentRange(header: string | undefined): FragmentRange {
  if (header === undefined) {
    throw invalidRequest('a fragment needs a Content-Range header such as bytes 0-327679/1048576');
  }
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(header.trim());
  if (!match) {
    throw invalidRequest(
      `Content-Range '${header}' is malformed; it must be bytes {start}-{end}/{total} with end >= start (a 0-byte file cannot use an upload session)`,
    );
  }
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (end < start) {
    throw invalidRequest(`Content-Range '${header}' ends before it starts`);
  }
  return { start, end, total };
}

function checkContentLength(ctx: RequestContext, length: number): void {
  const header = headerValue(ctx.req, 'content-length');
  if (header === undefined) {
    throw new GraphError(411, 'invalidRequest', 'a fragment needs a Content-Length header');
  }
  if (Number(header) !== length) {
    throw invalidRequest(
      `Content-Length ${header} differs from the ${length} bytes named by Content-Range`,
    );
  }
}

function checkStrictFragmentSize(length: number, range: FragmentRange): void {
  if (length >= MAX_FRAGMENT_BYTES) {
    throw invalidFragmentLength(
      `the fragment has ${length} bytes; each fragment must be smaller than ${MAX_FRAGMENT_BYTES} bytes (60 MiB)`,
      'maxFragmentLengthExceeded',
    );
  }
  const isLast = range.end === range.total - 1;
  if (!isLast && length % FRAGMENT_UNIT_BYTES !== 0) {
    throw invalidFragmentLength(
      `the fragment has ${length} bytes; every fragment but the last must be a multiple of ${FRAGMENT_UNIT_BYTES} bytes (320 KiB)`,
    );
  }
}
