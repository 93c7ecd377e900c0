import type { Stats } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { debuglog } from 'node:util';
import { QuickXorHash } from '@skydrive/quickxorhash';
import type { DriveContext } from '../drive/context.js';
import type { ConflictBehavior, TransferReport, UploadOptions } from '../drive/types.js';
import { GraphError, SkydriveError } from '../errors.js';
import type { DriveItem } from '../graph/wire.js';
import {
  checkFragmentSize,
  DEFAULT_FRAGMENT_BYTES,
  type Fragment,
  FragmentReader,
} from './fragments.js';
import { verifyContent } from './hash.js';
import { defaultStateDir, ResumeStore, type UploadRecord } from './resume-state.js';
import {
  cancelSession,
  createSession,
  findTarget,
  querySession,
  type SessionState,
  sendFragment,
} from './session-requests.js';
import type { UploadTarget } from './upload.js';

const log = debuglog('skydrive');

/** New sessions started after the service lost one (404), before giving up. */
const MAX_SESSION_RESTARTS = 3;

type SessionUploadOptions = UploadOptions & { conflict: ConflictBehavior };

/** State of one upload: the session in use and the bytes the server confirmed, hashed in order. */
interface Progress {
  uploadUrl: string;
  expirationDateTime?: string;
  /** Bytes 0 to offset are on the server and in `hash`. */
  offset: number;
  hash: QuickXorHash;
  resumedFrom: number | null;
  bytesSent: number;
}

/**
 * Upload a file through an upload session: fragments in order, read one
 * ahead, without Authorization. The session URL and the hash state are saved
 * after every fragment, so a later run on the same unchanged file continues
 * from the server's offset.
 */
export async function uploadInSession(
  context: DriveContext,
  localFile: string,
  stats: Stats,
  target: UploadTarget,
  options: SessionUploadOptions,
): Promise<{ item: DriveItem; report: TransferReport }> {
  const fragmentSize = checkFragmentSize(options.fragmentSize ?? DEFAULT_FRAGMENT_BYTES);
  const absolute = path.resolve(localFile);
  const store =
    options.stateDir === false ? undefined : new ResumeStore(options.stateDir ?? defaultStateDir());
  const remote = `${context.graph.endpoint}\n${JSON.stringify(target.parent)}\n${target.name}`;
  const recordFile = store?.fileFor('uploads', absolute, remote);
  const save = async (progress: Progress): Promise<void> => {
    if (store === undefined || recordFile === undefined) {
      return;
    }
    const record: Omit<UploadRecord, 'version'> = {
      localPath: absolute,
      size: stats.size,
      mtimeMs: stats.mtimeMs,
      target: remote,
      uploadUrl: progress.uploadUrl,
      expirationDateTime: progress.expirationDateTime,
      offset: progress.offset,
      hash: progress.hash.state(),
    };
    await store.save(recordFile, record);
  };

  let handle: FileHandle;
  try {
    handle = await open(localFile, 'r');
  } catch (error) {
    throw new SkydriveError('LOCAL_FILE_NOT_FOUND', `cannot read ${localFile}`, { cause: error });
  }
  let progress: Progress | undefined;
  try {
    const reader = new FragmentReader(handle, stats.size, fragmentSize);
    progress = await resumeSaved(context, store, recordFile, absolute, stats, reader, options);
    if (progress === undefined) {
      progress = await startSession(context, target, stats.size, options);
    }
    await save(progress);
    options.onProgress?.(progress.offset);

    const item = await sendAll(context, target, stats.size, reader, progress, save, options);
    await requireUnchanged(localFile, stats);
    const check = verifyContent(item, { hash: progress.hash, size: stats.size }, localFile);
    if (!check.ok) {
      throw new SkydriveError(
        'HASH_MISMATCH',
        `upload ${localFile}: the uploaded copy does not match the local file: ${check.reason}; upload it again`,
      );
    }
    if (recordFile !== undefined) {
      await store?.remove(recordFile);
    }
    return {
      item,
      report: {
        bytesTransferred: progress.bytesSent,
        resumedFrom: progress.resumedFrom,
        quickXorHash: progress.hash.digest(),
        verifiedBy: check.method,
      },
    };
  } catch (error) {
    if (progress !== undefined && !canResumeAfter(error)) {
      await cancelSession(context, progress.uploadUrl);
      if (recordFile !== undefined) {
        await store?.remove(recordFile);
      }
    }
    throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Tell whether a session should be kept for a later run: yes after interruptions a
 * retry can fix (cancel, network, timeout, 5xx, throttling). Any other failure cancels it.
 */
function canResumeAfter(error: unknown): boolean {
  if (error instanceof GraphError) {
    return error.status >= 500 || error.status === 429;
  }
  if (error instanceof SkydriveError) {
    return error.code === 'ABORTED' || error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT';
  }
  return false;
}

async function startSession(
  context: DriveContext,
  target: UploadTarget,
  size: number,
  options: SessionUploadOptions,
): Promise<Progress> {
  const session = await createSession(context, target, size, options.conflict, options.signal);
  return {
    ...session,
    offset: 0,
    hash: new QuickXorHash(),
    resumedFrom: null,
    bytesSent: 0,
  };
}

/**
 * Continue a saved session when the record matches the file (path, size,
 * mtime) and the server still has the session. A changed file or a gone
 * session drops the record, and the upload starts over.
 */
async function resumeSaved(
  context: DriveContext,
  store: ResumeStore | undefined,
  recordFile: string | undefined,
  absolute: string,
  stats: Stats,
  reader: FragmentReader,
  options: SessionUploadOptions,
): Promise<Progress | undefined> {
  if (store === undefined || recordFile === undefined) {
    return undefined;
  }
  const record = await store.load<UploadRecord>(recordFile);
  if (record === undefined) {
    return undefined;
  }

  if (
    record.localPath !== absolute ||
    record.size !== stats.size ||
    record.mtimeMs !== stats.mtimeMs
  ) {
    log('upload %s: the file changed since the saved session; starting over', absolute);
    await cancelSession(context, record.uploadUrl);
    await store.remove(recordFile);
    return undefined;
  }
  const state = await querySession(context, record.uploadUrl, options.signal);
  if (state.kind !== 'open') {
    log('upload %s: the saved session is gone; starting over', absolute);
    await store.remove(recordFile);
    return undefined;
  }

  let hash: QuickXorHash;
  let hashed: number;
  try {
    hash = new QuickXorHash(record.hash);
    hashed = hash.length === record.offset ? record.offset : 0;
  } catch {
    hash = new QuickXorHash();
    hashed = 0;
  }
  if (state.offset < hashed) {
    hash = new QuickXorHash();
    hashed = 0;
  }
  // The server may be ahead of the record when the process died between its response and the save.
  const progress: Progress = {
    uploadUrl: record.uploadUrl,
    expirationDateTime: state.expirationDateTime,
    offset: hashed,
    hash,
    resumedFrom: state.offset > 0 ? state.offset : null,
    bytesSent: 0,
  };
  await advance(progress, state.offset, undefined, reader);
  log('upload %s: resuming the saved session at byte %d', absolute, state.offset);
  return progress;
}

/** Send fragments until the server commits the file, following the session's own account of its bytes. */
async function sendAll(
  context: DriveContext,
  target: UploadTarget,
  size: number,
  reader: FragmentReader,
  progress: Progress,
  save: (progress: Progress) => Promise<void>,
  options: SessionUploadOptions,
): Promise<DriveItem> {
  let restarts = 0;
  for (;;) {
    if (progress.offset >= size) {
      // Every byte is on the server but no item came back: the commit response was lost.
      const item = await findCommitted(context, target, progress, size, options);
      if (item !== undefined) {
        return item;
      }
      throw new SkydriveError(
        'PROTOCOL_ERROR',
        `upload ${target.name}: the session holds all ${size} bytes but did not create the file`,
      );
    }

    const fragment = await reader.next(progress.offset);
    const state = await sendFragment(
      context,
      progress.uploadUrl,
      fragment,
      size,
      (bytes, attemptBytes) => {
        progress.bytesSent += bytes;
        options.onProgress?.(fragment.start + attemptBytes);
      },
      options.signal,
    );
    const outcome = await follow(context, target, size, reader, progress, fragment, state, options);
    if (outcome !== undefined) {
      return outcome;
    }
    if (state.kind === 'gone') {
      restarts += 1;
      if (restarts > MAX_SESSION_RESTARTS) {
        throw new SkydriveError(
          'PROTOCOL_ERROR',
          `upload ${target.name}: the upload session was lost ${restarts} times; try again later`,
        );
      }
      // Every later fragment goes to the new session; the old one no longer exists.
      log(
        'upload %s: the session is gone at byte %d; starting a new one',
        target.name,
        progress.offset,
      );
      Object.assign(progress, await startSession(context, target, size, options), {
        bytesSent: progress.bytesSent,
      });
      options.onProgress?.(0);
    }
    await save(progress);
  }
}

/** Apply a fragment's outcome. Returns the item when the upload is finished. */
async function follow(
  context: DriveContext,
  target: UploadTarget,
  size: number,
  reader: FragmentReader,
  progress: Progress,
  fragment: Fragment,
  state: SessionState,
  options: SessionUploadOptions,
): Promise<DriveItem | undefined> {
  if (state.kind === 'complete') {
    await advance(progress, size, fragment, reader);
    options.onProgress?.(size);
    return state.item;
  }
  if (state.kind === 'gone') {
    if (fragment.end + 1 === size) {
      // The last fragment may have committed the file before the session vanished.
      await advance(progress, size, fragment, reader);
      return findCommitted(context, target, progress, size, options);
    }
    return undefined;
  }
  progress.expirationDateTime = state.expirationDateTime ?? progress.expirationDateTime;
  await advance(progress, Math.min(state.offset, size), fragment, reader);
  options.onProgress?.(progress.offset);
  return undefined;
}

/** Return the target item when its content equals the bytes hashed so far, else undefined. */
async function findCommitted(
  context: DriveContext,
  target: UploadTarget,
  progress: Progress,
  size: number,
  options: SessionUploadOptions,
): Promise<DriveItem | undefined> {
  const item = await findTarget(context, target, options.signal);
  if (item === undefined || item.size !== size) {
    return undefined;
  }
  const check = verifyContent(item, { hash: progress.hash, size }, target.name);
  return check.ok && check.method === 'quickXorHash' ? item : undefined;
}

/**
 * Move the confirmed offset to `to`, hashing the bytes in between from the
 * fragment in memory or, when the server went elsewhere, from the file.
 * Moving back restarts the hash from byte 0.
 */
async function advance(
  progress: Progress,
  to: number,
  fragment: Fragment | undefined,
  reader: FragmentReader,
): Promise<void> {
  if (to < progress.offset) {
    progress.hash = new QuickXorHash();
    progress.offset = 0;
  }
  while (progress.offset < to) {
    const at = progress.offset;
    if (fragment !== undefined && at >= fragment.start && at <= fragment.end) {
      const stop = Math.min(to, fragment.end + 1);
      progress.hash.update(fragment.bytes.subarray(at - fragment.start, stop - fragment.start));
      progress.offset = stop;
    } else {
      const length = Math.min(to - at, DEFAULT_FRAGMENT_BYTES);
      progress.hash.update(await reader.readRange(at, length));
      progress.offset = at + length;
    }
  }
}

async function requireUnchanged(localFile: string, before: Stats): Promise<void> {
  const after = await stat(localFile).catch(() => undefined);
  if (after === undefined || after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new SkydriveError(
      'HASH_MISMATCH',
      `upload ${localFile}: the file changed while it was uploading; upload it again`,
    );
  }
}
