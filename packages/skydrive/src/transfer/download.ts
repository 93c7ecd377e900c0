import { once } from 'node:events';
import { QuickXorHash } from '@skydrive/quickxorhash';
import type { DriveContext } from '../drive/context.js';
import { describe, locate } from '../drive/context.js';
import { getItem } from '../drive/items.js';
import type { DownloadOptions, DownloadResult, ItemRef } from '../drive/types.js';
import { SkydriveError } from '../errors.js';
import { itemUrlPath } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { type HttpResponse, headerValue } from '../http/send.js';
import { downloadToFile } from './download-file.js';
import { verifyContent } from './hash.js';

type Range = { start: number; end?: number };

export async function downloadItem(
  context: DriveContext,
  item: ItemRef,
  destination: string | NodeJS.WritableStream,
  options: DownloadOptions,
): Promise<DownloadResult> {
  checkRange(options.range);
  const locator = locate(context, item);
  const metadata = await getItem(context, locator, options.signal);
  requireFile(metadata, describe(locator));
  return downloadKnownItem(context, metadata, destination, options);
}

function checkRange(range: Range | undefined): void {
  if (range === undefined) {
    return;
  }
  const { start, end } = range;
  if (
    !Number.isInteger(start) ||
    start < 0 ||
    (end !== undefined && (!Number.isInteger(end) || end < start))
  ) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `range ${start}-${end ?? ''} is invalid: start must be a whole number ≥ 0 and end (inclusive) ≥ start`,
    );
  }
}

export function requireFile(item: DriveItem, subject: string): void {
  if (item.file !== undefined) {
    return;
  }
  const kind =
    item.package !== undefined
      ? `a ${item.package.type ?? ''} package (such as a OneNote notebook) with no content of its own`
      : 'a folder; download folders with downloadFolder';
  throw new SkydriveError('NOT_A_FILE', `${subject} is ${kind}`);
}

/** Download an item whose metadata is already known. */
export async function downloadKnownItem(
  context: DriveContext,
  item: DriveItem,
  destination: string | NodeJS.WritableStream,
  options: DownloadOptions,
): Promise<DownloadResult> {
  const hash = new QuickXorHash();
  const subject = `download ${item.name ?? item.id}`;

  if (typeof destination !== 'string') {
    const range = options.range;
    const header = range === undefined ? undefined : `bytes=${range.start}-${range.end ?? ''}`;
    const response = await openContent(context, item, options, header);
    const bytes = await copyBody(response, destination, hash, sliceFor(response, options), options);
    return finish(item, hash, bytes, options.range, subject);
  }

  return downloadToFile(context, item, destination, options, (rangeHeader) =>
    openContent(context, item, options, rangeHeader),
  );
}

/** Return the range to cut out locally when the server ignored the Range header and sent the whole file. */
function sliceFor(response: HttpResponse, options: DownloadOptions): Range | undefined {
  return response.status === 206 ? undefined : options.range;
}

/**
 * Open the content stream. GET /content returns 302 to a pre-authenticated URL. The redirect is
 * followed by hand so the bearer token is never sent there, and the Range
 * header goes to that URL, which is where Graph serves ranges.
 */
async function openContent(
  context: DriveContext,
  item: DriveItem,
  options: DownloadOptions,
  rangeHeader: string | undefined,
): Promise<HttpResponse> {
  const first = await context.graph.request({
    method: 'GET',
    url: itemUrlPath({ kind: 'id', id: item.id }, 'content'),
    accept: [302, 303, 307],
    signal: options.signal,
  });
  if (first.status < 300) {
    return first;
  }
  await first.body.dump();
  const location = headerValue(first.headers, 'location');
  if (location === undefined) {
    throw new SkydriveError(
      'PROTOCOL_ERROR',
      `download ${item.name ?? item.id}: the server answered ${first.status} without a Location header`,
    );
  }
  const target = new URL(
    location,
    context.graph.absolute(itemUrlPath({ kind: 'id', id: item.id }, 'content')),
  ).toString();
  return context.graph.request({
    method: 'GET',
    url: target,
    auth: false,
    headers: rangeHeader === undefined ? {} : { range: rangeHeader },
    signal: options.signal,
  });
}

/**
 * Stream the body into the sink, hashing as it goes. `slice` is applied when
 * the server ignored the Range header and sent the whole file.
 */
async function copyBody(
  response: HttpResponse,
  sink: NodeJS.WritableStream,
  hash: QuickXorHash,
  slice: Range | undefined,
  options: DownloadOptions,
): Promise<number> {
  let position = 0;
  let written = 0;
  const end = slice?.end === undefined ? Number.POSITIVE_INFINITY : slice.end + 1;
  const start = slice?.start ?? 0;
  try {
    for await (const raw of response.body) {
      const chunk = raw as Buffer;
      const from = Math.max(0, start - position);
      const to = Math.min(chunk.length, end - position);
      position += chunk.length;
      if (to <= from) {
        if (position >= end) {
          break;
        }
        continue;
      }
      const part = from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
      hash.update(part);
      written += part.length;
      options.onProgress?.(written);
      if (!sink.write(part)) {
        await once(sink as NodeJS.EventEmitter, 'drain');
      }
      if (position >= end) {
        break;
      }
    }
  } catch (error) {
    if (options.signal?.aborted) {
      throw new SkydriveError('ABORTED', 'download aborted', { cause: error });
    }
    throw new SkydriveError(
      'NETWORK_ERROR',
      `download failed after ${written} bytes: ${(error as Error).message}; try again`,
      { cause: error },
    );
  } finally {
    response.body.destroy();
  }
  return written;
}

function finish(
  item: DriveItem,
  hash: QuickXorHash,
  bytes: number,
  range: Range | undefined,
  subject: string,
): DownloadResult {
  if (range !== undefined) {
    return { item, bytes, verified: false, bytesTransferred: bytes };
  }
  const check = verifyContent(item, { hash, size: bytes }, subject);
  if (!check.ok) {
    throw new SkydriveError(
      'HASH_MISMATCH',
      `${subject}: the received bytes do not match the item: ${check.reason}; download it again`,
    );
  }
  return {
    item,
    bytes,
    verified: check.method !== 'none',
    bytesTransferred: bytes,
    quickXorHash: hash.digest(),
    verifiedBy: check.method,
  };
}
