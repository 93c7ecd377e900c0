import exifReader from 'exif-reader';
import sharp from 'sharp';
import type { Emulator } from '../context.js';
import type { ItemRecord } from '../store/types.js';
import { readRecord } from './records.js';

/** Largest image the emulator decodes for facets and thumbnails, in bytes. */
export const IMAGE_SOURCE_LIMIT = 64 * 1024 * 1024;

const MEDIA_KIND = 'media';
const IMAGE_TYPES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/heic',
  'image/heif',
]);
const IMAGE_EXTENSIONS = new Set([
  'jpg',
  'jpeg',
  'png',
  'gif',
  'webp',
  'tif',
  'tiff',
  'heic',
  'heif',
]);

/** Facts read from an image's bytes, stored by content address. */
export interface MediaInfo {
  image?: { width: number; height: number };
  photo?: Record<string, unknown>;
}

export function isImageFile(item: ItemRecord): boolean {
  if (item.isFolder || item.blobKey === null || item.size > IMAGE_SOURCE_LIMIT) {
    return false;
  }
  if (item.mimeType !== null && IMAGE_TYPES.has(item.mimeType)) {
    return true;
  }
  const dot = item.name.lastIndexOf('.');
  return dot !== -1 && IMAGE_EXTENSIONS.has(item.name.slice(dot + 1).toLowerCase());
}

export async function readBlob(emulator: Emulator, item: ItemRecord): Promise<Buffer> {
  const chunks: Buffer[] = [];
  if (item.blobKey === null || item.size === 0) {
    return Buffer.alloc(0);
  }
  for await (const chunk of emulator.blobs.read(item.blobKey)) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const pending = new Map<string, Promise<MediaInfo>>();

/**
 * Reads width, height and EXIF of an image once per content address and
 * stores the result. Bytes that do not decode give an empty result, so a
 * file named `.jpg` that is not an image simply has no image facet.
 */
export function analyzeImage(emulator: Emulator, item: ItemRecord): Promise<MediaInfo> {
  const key = item.blobKey ?? '';
  const stored = readRecord<MediaInfo>(emulator.store, MEDIA_KIND, key);
  if (stored) {
    return Promise.resolve(stored);
  }
  let running = pending.get(key);
  if (!running) {
    running = (async () => {
      const info = await decodeMedia(await readBlob(emulator, item));
      try {
        emulator.store.putRecord(MEDIA_KIND, key, info);
      } catch (error) {
        // The store may have closed while the image was decoded; the result is only a cache.
        emulator.log.debug({ err: error }, 'image facts not stored');
      }
      return info;
    })().finally(() => pending.delete(key));
    pending.set(key, running);
  }
  return running;
}

async function decodeMedia(bytes: Buffer): Promise<MediaInfo> {
  try {
    const metadata = await sharp(bytes).metadata();
    if (!metadata.width || !metadata.height) {
      return {};
    }
    // EXIF orientations 5–8 rotate by 90°, so the displayed width is the stored height.
    const turned = (metadata.orientation ?? 1) >= 5;
    const info: MediaInfo = {
      image: turned
        ? { width: metadata.height, height: metadata.width }
        : { width: metadata.width, height: metadata.height },
    };
    if (metadata.exif) {
      const photo = photoFacet(metadata.exif);
      if (photo) {
        info.photo = photo;
      }
    }
    return info;
  } catch {
    return {};
  }
}

function photoFacet(exif: Buffer): Record<string, unknown> | undefined {
  let tags: ReturnType<typeof exifReader>;
  try {
    tags = exifReader(exif);
  } catch {
    return undefined;
  }
  const image = (tags.Image ?? {}) as Record<string, unknown>;
  const photo = (tags.Photo ?? {}) as Record<string, unknown>;
  const facet: Record<string, unknown> = {};
  const taken = photo.DateTimeOriginal ?? image.DateTime;
  if (taken instanceof Date && !Number.isNaN(taken.getTime())) {
    facet.takenDateTime = taken.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  if (typeof image.Make === 'string') {
    facet.cameraMake = image.Make.trim();
  }
  if (typeof image.Model === 'string') {
    facet.cameraModel = image.Model.trim();
  }
  if (typeof photo.FNumber === 'number') {
    facet.fNumber = photo.FNumber;
  }
  if (typeof photo.ExposureTime === 'number' && photo.ExposureTime > 0) {
    // Graph splits the exposure time into a fraction, such as 1/250 s.
    if (photo.ExposureTime < 1) {
      facet.exposureNumerator = 1;
      facet.exposureDenominator = Math.round(1 / photo.ExposureTime);
    } else {
      facet.exposureNumerator = photo.ExposureTime;
      facet.exposureDenominator = 1;
    }
  }
  if (typeof photo.FocalLength === 'number') {
    facet.focalLength = photo.FocalLength;
  }
  const iso = photo.ISOSpeedRatings ?? photo.PhotographicSensitivity;
  if (typeof iso === 'number') {
    facet.iso = iso;
  } else if (Array.isArray(iso) && typeof iso[0] === 'number') {
    facet.iso = iso[0];
  }
  return Object.keys(facet).length > 0 ? facet : undefined;
}

/**
 * Returns the image and photo facets already known for an item. The first read of
 * a new image starts the analysis in the background, so the facets show up
 * on a later read (and at once after thumbnails were requested).
 */
export function knownMediaFacets(emulator: Emulator, item: ItemRecord): MediaInfo {
  if (!isImageFile(item)) {
    return {};
  }
  const stored = readRecord<MediaInfo>(emulator.store, MEDIA_KIND, item.blobKey ?? '');
  if (stored) {
    return stored;
  }
  analyzeImage(emulator, item).catch((error: unknown) => {
    emulator.log.debug({ err: error, itemId: item.id }, 'image analysis failed');
  });
  return {};
}
