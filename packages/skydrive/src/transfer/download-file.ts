import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { debuglog } from 'node:util';
import { QuickXorHash } from '@skydrive/quickxorhash';
import type { DriveContext } from '../drive/context.js';
import type { DownloadOptions, DownloadResult } from '../drive/types.js';
import { GraphError, SkydriveError } from '../errors.js';
import type { DriveItem } from '../graph/wire.js';
import { type HttpResponse, headerValue } from '../http/send.js';
import { BatchWriter } from './batch-writer.js';
import { verifyContent } from './hash.js';
import { type DownloadRecord, defaultStateDir, ResumeStore } from './resume-state.js';

const log = debuglog('skydrive');

/** Range requests after a broken body, per download, before the error is passed on. */
const MAX_RESUMES = 5;

/** Downloads up to this size (4 MiB) keep no resume record, in bytes. */
const RECORD_THRESHOLD_BYTES = 4 * 1024 * 1024;

/** Bytes hashed per read when a partial file from an earlier run is re-hashed. */
const REHASH_CHUNK_BYTES = 4 * 1024 * 1024;

/** Opens the content with an optional Range header value; supplied by download.ts. */
export type OpenContent = (rangeHeader: string | undefined) => Promise<HttpResponse>;

type Range = { start: number; end?: number };

/** State of one download into `<file>.partial`: the bytes written, their hash and the expected ETag. */
interface PartialFile {
  handle: FileHandle;
  /** Bytes written so far, counted from the start of the requested range. */
  written: number;
  /** Bytes received in this run. */
  received: number;
  hash: QuickXorHash;
  /** Strong ETag of the content being written; undefined until the first response, or when it had none. */
  eTag: string | undefined;
}

/**
 * Download to `<destination>.partial` and rename when complete and verified.
 * A body that breaks off is continued with a Range request. The response must
 * be 206, start at the expected byte and carry the same strong ETag, or else
 * the download starts again from byte 0. A partial file from an
 * earlier run is continued the same way when its saved record matches.
 */
export async function downloadToFile(
  _context: DriveContext,
  item: DriveItem,
  destination: string,
  options: DownloadOptions,
  openContent: OpenContent,
): Promise<DownloadResult> {
  const partialPath = `${destination}.partial`;
  const range = options.range;
  // Small files start over cheaply, so they leave no record behind.
  const store =
    range !== undefined ||
    options.resume === false ||
    options.stateDir === false ||
    (item.size ?? 0) <= RECORD_THRESHOLD_BYTES
      ? undefined
      : new ResumeStore(options.stateDir ?? defaultStateDir());
  const recordFile = store?.fileFor('downloads', path.resolve(destination), item.id);

  const handle = await openPartial(partialPath).catch((error: unknown) => {
    throw localWriteError(destination, error);
  });
  const partial: PartialFile = {
    handle,
    written: 0,
    received: 0,
    hash: new QuickXorHash(),
    eTag: undefined,
  };
  let keepPartial = false;
  try {
    const resumedFrom = await reuseEarlierRun(store, recordFile, item, partialPath, partial);
    let resumes = 0;
    for (;;) {
      const start = (range?.start ?? 0) + partial.written;
      const header =
        start === 0 && range === undefined ? undefined : `bytes=${start}-${range?.end ?? ''}`;
      const response = await openContent(header);
      try {
        await acceptResponse(response, partial, start);
      } catch (error) {
        if (!(error instanceof RestartError) || resumes >= MAX_RESUMES) {
          throw error;
        }
        resumes += 1;
        await restart(partial);
        continue;
      }
      if (store !== undefined && recordFile !== undefined && partial.eTag !== undefined) {
        const record: Omit<DownloadRecord, 'version'> = {
          localPath: path.resolve(destination),
          itemId: item.id,
          eTag: partial.eTag,
          size: item.size ?? 0,
        };
        await store.save(recordFile, record);
      }
      const broken = await copyInto(response, partial, range, options);
      if (broken === undefined) {
        break;
      }
      resumes += 1;
      if (partial.eTag === undefined || resumes > MAX_RESUMES) {
        throw new SkydriveError(
          'NETWORK_ERROR',
          `download ${item.name ?? item.id} failed after ${partial.written} bytes: ${broken.message}; try again`,
          { cause: broken },
        );
      }
      log('download %s: body broke off at byte %d; resuming', item.name ?? item.id, start);
    }
    await handle.sync();
    keepPartial = true;
    const result = finish(item, partial, range, destination, partialPath);
    await handle.close();
    await rename(partialPath, destination);
    if (recordFile !== undefined) {
      await store?.remove(recordFile);
    }
    return { ...result, resumedFrom };
  } catch (error) {
    await handle.close().catch(() => undefined);
    // After an interruption the partial file and its record wait for the next run.
    // A hash mismatch keeps the bytes for inspection but never resumes them.
    const resumable = isInterruption(error) && partial.eTag !== undefined;
    if (!resumable && recordFile !== undefined) {
      await store?.remove(recordFile);
    }
    if (!resumable && !keepPartial) {
      await rm(partialPath, { force: true });
    }
    throw localWriteError(destination, error);
  }
}

function isInterruption(error: unknown): boolean {
  if (error instanceof GraphError) {
    return error.status >= 500 || error.status === 429;
  }
  return (
    error instanceof SkydriveError &&
    (error.code === 'ABORTED' || error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT')
  );
}

/** Continue the partial file of an earlier run when its record names the same item, ETag and size. */
async function reuseEarlierRun(
  store: ResumeStore | undefined,
  recordFile: string | undefined,
  item: DriveItem,
  partialPath: string,
  partial: PartialFile,
): Promise<number | null> {
  const record =
    store === undefined || recordFile === undefined
      ? undefined
      : await store.load<DownloadRecord>(recordFile);
  const existing = (await stat(partialPath)).size;

  const usable =
    record !== undefined &&
    record.itemId === item.id &&
    record.size === (item.size ?? 0) &&
    existing > 0 &&
    existing < record.size;
  if (!usable) {
    await partial.handle.truncate(0);
    return null;
  }

  // The hash state is not saved with the record, so the bytes on disk are hashed again.
  const buffer = Buffer.allocUnsafe(Math.min(REHASH_CHUNK_BYTES, existing));
  let position = 0;
  while (position < existing) {
    const { bytesRead } = await partial.handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) {
      break;
    }
    partial.hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  partial.written = position;
  partial.eTag = record.eTag;
  log('download %s: continuing a partial file at byte %d', item.name ?? item.id, position);
  return position;
}

/**
 * Check a response against the partial file. A resumed request needs 206,
 * the expected Content-Range start and the same strong ETag. A 200 or any
 * mismatch empties the partial file so the body is written from byte 0.
 */
async function acceptResponse(
  response: HttpResponse,
  partial: PartialFile,
  start: number,
): Promise<void> {
  const eTag = strongETag(headerValue(response.headers, 'etag'));
  if (partial.written > 0) {
    const contentStart = contentRangeStart(headerValue(response.headers, 'content-range'));
    const same =
      response.status === 206 &&
      contentStart === start &&
      eTag !== undefined &&
      eTag === partial.eTag;
    if (same) {
      return;
    }
    log(
      'resume at byte %d rejected (status %d, Content-Range start %s, ETag %s, expected %s); starting over',
      start,
      response.status,
      contentStart,
      eTag,
      partial.eTag,
    );
    if (response.status === 206) {
      // The bytes belong to other content or another offset; ask for the whole range again.
      await response.body.dump().catch(() => undefined);
      throw new RestartError();
    }
    await restart(partial);
  }
  partial.eTag = eTag;
}

async function restart(partial: PartialFile): Promise<void> {
  await partial.handle.truncate(0);
  partial.written = 0;
  partial.hash = new QuickXorHash();
}

/** Open the partial file for positional writes; O_APPEND would make Linux ignore the positions. */
async function openPartial(partialPath: string): Promise<FileHandle> {
  try {
    return await open(partialPath, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
    return open(partialPath, 'w+');
  }
}

class RestartError extends SkydriveError {
  constructor() {
    super('NETWORK_ERROR', 'the resumed response did not continue the same content');
  }
}

/**
 * Append the body to the partial file, hashing as it goes. Returns the error
 * when the body broke off (so the caller can resume), undefined when it ended.
 */
async function copyInto(
  response: HttpResponse,
  partial: PartialFile,
  range: Range | undefined,
  options: DownloadOptions,
): Promise<Error | undefined> {
  // With 200 instead of 206 for a range, the range is cut out of the whole body here.
  const slice = response.status === 206 ? undefined : range;
  const skip = slice?.start ?? 0;
  const stop = slice?.end === undefined ? Number.POSITIVE_INFINITY : slice.end + 1;
  let position = 0;
  const writer = new BatchWriter(partial.handle, partial.written);
  try {
    for await (const raw of response.body) {
      const chunk = raw as Buffer;
      const from = Math.max(0, skip - position);
      const to = Math.min(chunk.length, stop - position);
      position += chunk.length;
      if (to > from) {
        const part = from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
        await writer.add(part);
        partial.hash.update(part);
        partial.written += part.length;
        partial.received += part.length;
        options.onProgress?.(partial.written);
      }
      if (position >= stop) {
        break;
      }
    }
  } catch (error) {
    // Bytes received before the break are kept, so a resume continues after them.
    await writer.flush();
    if (options.signal?.aborted) {
      throw new SkydriveError('ABORTED', 'download aborted', { cause: error });
    }
    if (error instanceof SkydriveError) {
      throw error;
    }
    return error as Error;
  } finally {
    response.body.destroy();
  }
  await writer.flush();
  return undefined;
}

function finish(
  item: DriveItem,
  partial: PartialFile,
  range: Range | undefined,
  destination: string,
  partialPath: string,
): DownloadResult {
  if (range !== undefined) {
    return { item, bytes: partial.written, verified: false, bytesTransferred: partial.received };
  }
  const subject = `download ${item.name ?? item.id}`;
  const check = verifyContent(item, { hash: partial.hash, size: partial.written }, subject);
  if (!check.ok) {
    throw new SkydriveError(
      'HASH_MISMATCH',
      `${subject}: the received bytes do not match the item: ${check.reason}; the bytes are kept in ${partialPath} for inspection and ${destination} was not written`,
    );
  }
  return {
    item,
    bytes: partial.written,
    verified: check.method !== 'none',
    bytesTransferred: partial.received,
    quickXorHash: partial.hash.digest(),
    verifiedBy: check.method,
  };
}

/** Return the ETag when it is strong; a weak one (W/…) cannot guarantee identical bytes. */
function strongETag(value: string | undefined): string | undefined {
  if (value === undefined || value.startsWith('W/')) {
    return undefined;
  }
  return value;
}

function contentRangeStart(value: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(value?.trim() ?? '');
  return match === null ? undefined : Number(match[1]);
}

export function localWriteError(destination: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new SkydriveError(
      'LOCAL_FILE_NOT_FOUND',
      `cannot write ${destination}: its folder does not exist; create it first`,
      { cause: error },
    );
  }
  if (code === 'EISDIR' || code === 'ENOTEMPTY') {
    return new SkydriveError('NOT_A_FILE', `cannot write ${destination}: it is a folder`, {
      cause: error,
    });
  }
  return error;
}
