import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { SkydriveError } from '../errors.js';
import type { Thumbnail, ThumbnailSet } from '../graph/sharing-wire.js';
import { encodeSegment, itemUrlPath, queryString } from '../graph/url.js';
import type { Collection } from '../graph/wire.js';
import { headerValue } from '../http/send.js';
import { type DriveContext, locate } from './context.js';
import type { ItemRef } from './types.js';

export interface ThumbnailOptions {
  /** Size names to ask for (Graph `$select`); default: small, medium and large. */
  sizes?: string[];
}

export interface ThumbnailDownload {
  /** Bytes written. */
  bytes: number;
  /** Content type the service sent, e.g. 'image/jpeg'. */
  contentType?: string;
}

/**
 * Standard sizes: small, medium, large (96, 176 and 800 pixels on the longest
 * side) and their square crops; custom sizes are c{width}x{height}, which fits
 * the image in the box, and c{width}x{height}_Crop, which fills it.
 */
const SIZE_PATTERN = /^(?:(?:small|medium|large)(?:Square)?|c[1-9]\d{0,4}x[1-9]\d{0,4}(?:_Crop)?)$/;

export function checkThumbnailSize(size: string): string {
  if (!SIZE_PATTERN.test(size)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `thumbnail size ${JSON.stringify(size)} must be small, medium, large, smallSquare, mediumSquare, largeSquare or cWIDTHxHEIGHT (e.g. c300x400, c300x400_Crop)`,
    );
  }
  return size;
}

/** Thumbnail sets of an item; a file the service cannot render has none. */
export async function listThumbnails(
  context: DriveContext,
  item: ItemRef,
  options: ThumbnailOptions = {},
): Promise<ThumbnailSet[]> {
  const select = options.sizes?.map(checkThumbnailSize).join(',');
  const url = `${itemUrlPath(locate(context, item), 'thumbnails')}${queryString({ $select: select })}`;
  const page = await context.graph.json<Collection<ThumbnailSet>>({ method: 'GET', url });
  return page.value ?? [];
}

/** Get one thumbnail of the item's own set ('0'): its size and pre-authenticated URL. */
export async function getThumbnail(
  context: DriveContext,
  item: ItemRef,
  size: string,
): Promise<Thumbnail> {
  return context.graph.json<Thumbnail>({
    method: 'GET',
    url: itemUrlPath(
      locate(context, item),
      `thumbnails/0/${encodeSegment(checkThumbnailSize(size))}`,
    ),
  });
}

/**
 * Download one thumbnail into a local file (written through '<file>.partial')
 * or a stream. Graph redirects the content request with 302 to a
 * pre-authenticated URL, which is fetched without the bearer token.
 */
export async function downloadThumbnail(
  context: DriveContext,
  item: ItemRef,
  size: string,
  destination: string | NodeJS.WritableStream,
): Promise<ThumbnailDownload> {
  const contentUrl = itemUrlPath(
    locate(context, item),
    `thumbnails/0/${encodeSegment(checkThumbnailSize(size))}/content`,
  );
  let response = await context.graph.request({
    method: 'GET',
    url: contentUrl,
    accept: [302, 303, 307],
  });
  if (response.status >= 300) {
    await response.body.dump();
    const location = headerValue(response.headers, 'location');
    if (location === undefined) {
      throw new SkydriveError(
        'PROTOCOL_ERROR',
        `thumbnail ${size}: the server answered ${response.status} without a Location header`,
      );
    }
    const target = new URL(location, context.graph.absolute(contentUrl)).toString();
    response = await context.graph.request({ method: 'GET', url: target, auth: false });
  }

  let bytes = 0;
  response.body.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  const contentType = headerValue(response.headers, 'content-type');
  if (typeof destination !== 'string') {
    await pipeline(response.body, destination, { end: false });
    return { bytes, ...(contentType === undefined ? {} : { contentType }) };
  }
  const partial = `${destination}.partial`;
  try {
    await pipeline(response.body, createWriteStream(partial));
    await rename(partial, destination);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return { bytes, ...(contentType === undefined ? {} : { contentType }) };
}
