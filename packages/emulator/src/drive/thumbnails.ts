import { createHmac, randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { RequestContext } from '../context.js';
import { invalidRequest, itemNotFound, methodNotAllowed } from '../errors.js';
import { sendEmpty, sendJson } from '../http.js';
import type { ItemRecord } from '../store/types.js';
import { analyzeImage, isImageFile, readBlob } from './media.js';

/** Maximum edge in pixels of each standard size; square sizes are cropped to edge × edge. */
const STANDARD_SIZES: Readonly<Record<string, { edge: number; square: boolean }>> = {
  small: { edge: 96, square: false },
  medium: { edge: 176, square: false },
  large: { edge: 800, square: false },
  smallSquare: { edge: 96, square: true },
  mediumSquare: { edge: 176, square: true },
  largeSquare: { edge: 800, square: true },
};
const DEFAULT_SET = ['small', 'medium', 'large'];
/** Largest edge of a custom `c{w}x{h}` thumbnail. */
const MAX_CUSTOM_EDGE = 2048;
/** Thumbnails kept in memory; the oldest is dropped first. */
const CACHE_ENTRIES = 500;

interface Thumbnail {
  bytes: Buffer;
  width: number;
  height: number;
}

const cache = new Map<string, Thumbnail>();
/** Signs thumbnail URLs so that a URL cannot be forged to read another blob. */
const urlSecret = randomBytes(32);

interface SizeSpec {
  width: number;
  height: number;
  fit: 'inside' | 'cover';
}

function parseSize(name: string): SizeSpec | undefined {
  const standard = STANDARD_SIZES[name];
  if (standard) {
    return {
      width: standard.edge,
      height: standard.edge,
      fit: standard.square ? 'cover' : 'inside',
    };
  }
  const custom = /^c(\d{1,4})x(\d{1,4})(_Crop)?$/.exec(name);
  if (!custom) {
    return undefined;
  }
  const width = Number(custom[1]);
  const height = Number(custom[2]);
  if (width < 1 || height < 1 || width > MAX_CUSTOM_EDGE || height > MAX_CUSTOM_EDGE) {
    return undefined;
  }
  return { width, height, fit: custom[3] ? 'cover' : 'inside' };
}

function cacheKey(item: ItemRecord, size: string): string {
  return `${item.blobKey}:${size}`;
}

function urlToken(key: string): string {
  return createHmac('sha256', urlSecret).update(key).digest('base64url');
}

const byToken = new Map<string, string>();

/** Generates (or reuses) one thumbnail; images are never enlarged past their own size. */
async function thumbnailOf(
  ctx: RequestContext,
  item: ItemRecord,
  size: string,
  spec: SizeSpec,
): Promise<Thumbnail> {
  const key = cacheKey(item, size);
  const cached = cache.get(key);
  if (cached) {
    return cached;
  }
  const source = await readBlob(ctx.emulator, item);
  const { data, info } = await sharp(source, { animated: false })
    .rotate()
    .resize({ width: spec.width, height: spec.height, fit: spec.fit, withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  const thumbnail = { bytes: data, width: info.width, height: info.height };
  cache.set(key, thumbnail);
  byToken.set(urlToken(key), key);
  while (cache.size > CACHE_ENTRIES) {
    const oldest = cache.keys().next().value as string;
    cache.delete(oldest);
    byToken.delete(urlToken(oldest));
  }
  return thumbnail;
}

function thumbnailJson(ctx: RequestContext, item: ItemRecord, size: string, thumbnail: Thumbnail) {
  return {
    width: thumbnail.width,
    height: thumbnail.height,
    url: `${ctx.emulator.contentUrl}/thumbnails/${urlToken(cacheKey(item, size))}`,
  };
}

/**
 * `…/thumbnails`, `…/thumbnails/{set}`, `…/thumbnails/{set}/{size}` and
 * `…/thumbnails/{set}/{size}/content` (302). Only set `0` exists; files that
 * are not images have an empty list.
 */
export async function handleThumbnails(
  ctx: RequestContext,
  item: ItemRecord,
  rest: string[],
): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    throw methodNotAllowed(method, 'thumbnails');
  }
  const image = isImageFile(item) && (await analyzeImage(ctx.emulator, item)).image !== undefined;
  const [setId, size, action, ...extra] = rest;
  if (setId === undefined) {
    if (!image) {
      sendJson(ctx.res, 200, { value: [] });
      return;
    }
    sendJson(ctx.res, 200, { value: [await thumbnailSet(ctx, item)] });
    return;
  }
  if (setId !== '0' || !image) {
    throw itemNotFound(`item ${item.id} has no thumbnail set ${setId}`);
  }
  if (size === undefined) {
    sendJson(ctx.res, 200, await thumbnailSet(ctx, item));
    return;
  }
  const spec = parseSize(size);
  if (!spec) {
    throw invalidRequest(
      `'${size}' is not a thumbnail size; use small, medium, large, their Square forms, c{w}x{h} or c{w}x{h}_Crop`,
    );
  }
  const thumbnail = await thumbnailOf(ctx, item, size, spec);
  const json = thumbnailJson(ctx, item, size, thumbnail);
  if (action === undefined) {
    sendJson(ctx.res, 200, json);
    return;
  }
  if (action === 'content' && extra.length === 0) {
    sendEmpty(ctx.res, 302, { Location: json.url });
    return;
  }
  throw invalidRequest(`'${action}' is not a property of a thumbnail`);
}

/** Set `0` with the standard sizes, or only the sizes named in `$select`. */
async function thumbnailSet(
  ctx: RequestContext,
  item: ItemRecord,
): Promise<Record<string, unknown>> {
  const selectRaw = ctx.query.get('$select') ?? ctx.query.get('select');
  const sizes =
    selectRaw === null
      ? DEFAULT_SET
      : selectRaw
          .split(',')
          .map((name) => name.trim())
          .filter((name) => name !== 'id' && name !== '');
  const set: Record<string, unknown> = { id: '0' };
  for (const size of sizes) {
    const spec = parseSize(size);
    if (!spec) {
      throw invalidRequest(`'${size}' is not a thumbnail size`);
    }
    set[size] = thumbnailJson(ctx, item, size, await thumbnailOf(ctx, item, size, spec));
  }
  return set;
}

/**
 * Serves `GET /thumbnails/{token}` on the content listener with the JPEG bytes.
 * The URL is signed and needs no Authorization. It stops working when the emulator
 * restarts or drops the thumbnail from its cache, so clients request the thumbnails again.
 */
export function handleThumbnailContent(ctx: RequestContext, token: string): void {
  const key = byToken.get(token);
  const thumbnail = key === undefined ? undefined : cache.get(key);
  if (!thumbnail) {
    throw itemNotFound('the thumbnail URL is unknown or has expired; request the thumbnails again');
  }
  ctx.res.writeHead(200, {
    'Content-Type': 'image/jpeg',
    'Content-Length': thumbnail.bytes.length,
    'Cache-Control': 'public, max-age=3600',
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : thumbnail.bytes);
}
