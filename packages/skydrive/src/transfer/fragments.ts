import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { SkydriveError } from '../errors.js';

/** Every fragment of an upload session except the last must be a multiple of this, in bytes (320 KiB). */
export const FRAGMENT_UNIT_BYTES = 320 * 1024;

/** Each fragment request must be smaller than this, in bytes (60 MiB). */
export const FRAGMENT_LIMIT_BYTES = 60 * 1024 * 1024;

/** Default fragment size in bytes: 10 MiB, which is 32 × 320 KiB and the size Graph suggests for fast links. */
export const DEFAULT_FRAGMENT_BYTES = 10 * 1024 * 1024;

/** Slice size of a fragment body, in bytes, so progress moves while one fragment is sent. */
const BODY_SLICE_BYTES = 256 * 1024;

/** Check a fragment size and return it; the message names the rule and the nearest valid sizes. */
export function checkFragmentSize(size: number): number {
  if (
    Number.isSafeInteger(size) &&
    size > 0 &&
    size % FRAGMENT_UNIT_BYTES === 0 &&
    size < FRAGMENT_LIMIT_BYTES
  ) {
    return size;
  }
  const lower = Math.max(1, Math.floor(size / FRAGMENT_UNIT_BYTES)) * FRAGMENT_UNIT_BYTES;
  const largest =
    Math.floor((FRAGMENT_LIMIT_BYTES - 1) / FRAGMENT_UNIT_BYTES) * FRAGMENT_UNIT_BYTES;
  const hint = Math.min(lower, largest);
  throw new SkydriveError(
    'INVALID_ARGUMENT',
    `fragment size ${size} bytes is invalid: it must be a multiple of 320 KiB (327680 bytes) and smaller than 60 MiB, for example ${hint} (${hint / 1024} KiB)`,
  );
}

/**
 * Parse a size typed by a user: bytes, or a number with a KiB, MiB (or K, M)
 * suffix, e.g. '10MiB', '640KiB', '327680'. The result is not yet checked
 * against the fragment rules.
 */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib)?\s*$/i.exec(text);
  if (match === null) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `size ${JSON.stringify(text)} is invalid: give bytes or a number with KiB or MiB, e.g. 10MiB`,
    );
  }
  const unit = (match[2] ?? 'b').toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Math.round(Number(match[1]) * factor);
}

/**
 * Parse the first range of `nextExpectedRanges` ('S-E' or 'S-') and return its
 * start. Only the first range matters because fragments go in order. Returns
 * undefined when the list is missing or unreadable, so the caller asks again.
 */
export function firstExpectedOffset(ranges: unknown): number | undefined {
  if (!Array.isArray(ranges)) {
    return undefined;
  }
  const first = ranges[0];
  if (typeof first !== 'string') {
    return undefined;
  }
  const match = /^\s*(\d+)-(\d*)\s*$/.exec(first);
  const start = Number(match?.[1]);
  return match === null || !Number.isSafeInteger(start) ? undefined : start;
}

/** One fragment read from the local file. */
export interface Fragment {
  start: number;
  /** Inclusive, as in Content-Range. */
  end: number;
  bytes: Buffer;
}

/**
 * Reads fragments in order with one read ahead: while fragment N is sent,
 * fragment N + 1 is read. Two buffers are used in turn, so memory stays at
 * two fragments however large the file is. A fragment's bytes are valid until
 * the next-but-one call to `next`.
 */
export class FragmentReader {
  private readonly handle: FileHandle;
  private readonly size: number;
  private readonly fragmentSize: number;
  private readonly buffers: Buffer[] = [];
  /** Index of the buffer the next read fills. */
  private turn = 0;
  private ahead: { start: number; read: Promise<Fragment> } | undefined;

  constructor(handle: FileHandle, size: number, fragmentSize: number) {
    this.handle = handle;
    this.size = size;
    this.fragmentSize = fragmentSize;
  }

  /** Return the fragment starting at `start`, and start reading the one after it. */
  async next(start: number): Promise<Fragment> {
    let pending: Promise<Fragment>;
    if (this.ahead?.start === start) {
      pending = this.ahead.read;
    } else {
      // The server moved elsewhere; the read ahead must finish before its buffer is reused.
      await this.ahead?.read.catch(() => undefined);
      pending = this.read(start);
    }
    this.ahead = undefined;
    const fragment = await pending;
    const following = fragment.end + 1;
    if (following < this.size) {
      const read = this.read(following);
      // A failed read ahead is reported when that fragment is requested.
      read.catch(() => undefined);
      this.ahead = { start: following, read };
    }
    return fragment;
  }

  /** Read `length` bytes at `position` into a new buffer; used to hash bytes this run never read. */
  async readRange(position: number, length: number): Promise<Buffer> {
    return this.fill(Buffer.allocUnsafe(length), position);
  }

  private async read(start: number): Promise<Fragment> {
    const length = Math.min(this.fragmentSize, this.size - start);
    const index = this.turn;
    this.turn = 1 - this.turn;
    let buffer = this.buffers[index];
    if (buffer === undefined || buffer.length < length) {
      buffer = Buffer.allocUnsafe(Math.min(this.fragmentSize, this.size));
      this.buffers[index] = buffer;
    }
    const bytes = await this.fill(buffer.subarray(0, length), start);
    return { start, end: start + length - 1, bytes };
  }

  private async fill(bytes: Buffer, position: number): Promise<Buffer> {
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await this.handle.read(
        bytes,
        filled,
        bytes.length - filled,
        position + filled,
      );
      if (bytesRead === 0) {
        throw new SkydriveError(
          'HASH_MISMATCH',
          `the local file ended at byte ${position + filled}, before the ${this.size} bytes it had when the upload started; it changed while uploading`,
        );
      }
      filled += bytesRead;
    }
    return bytes;
  }
}

/** Return a fresh stream over `bytes` in slices, calling `onBytes` with the running count sent. */
export function sliceStream(bytes: Buffer, onBytes: (sent: number) => void): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= bytes.length) {
        this.push(null);
        return;
      }
      const slice = bytes.subarray(offset, offset + BODY_SLICE_BYTES);
      offset += slice.length;
      onBytes(offset);
      this.push(slice);
    },
  });
}
