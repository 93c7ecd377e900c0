/**
 * QuickXorHash: the 160-bit XOR-and-rotate content hash that OneDrive reports
 * as `file.hashes.quickXorHash` on personal and business drives.
 *
 * Each input byte at position i is rotated left by (11 * i) mod 160 bits inside
 * a 160-bit little-endian accumulator and XORed in. The input length, as a
 * 64-bit little-endian integer, is XORed into the last 8 bytes, and the 20
 * bytes are published as padded base64.
 *
 * Since 11 * 160 is a multiple of 160, every byte whose position is congruent
 * modulo 160 gets the same rotation. XOR is linear, so the hot loop only folds
 * the input into 160 lanes (lane k contains the XOR of all bytes at positions
 * congruent to k), and the rotations run once per digest, not once per byte.
 */

/** Width of the hash in bits. */
export const WIDTH_IN_BITS = 160;
/** Width of the hash in bytes. */
export const DIGEST_BYTES = WIDTH_IN_BITS / 8;
/** Bit distance between the placements of two consecutive input bytes. */
export const SHIFT_BITS = 11;

const LANE_COUNT = 160;
const LANE_WORDS = LANE_COUNT / 4;
/** Bytes folded per block in the word-wise loop: 409 blocks of 160 bytes. */
const SCRATCH_BYTES = 409 * LANE_COUNT;

/** A serialisable snapshot of a hash in progress, for resuming after a restart. */
export interface QuickXorHashState {
  /** The 160 lanes, base64-encoded. */
  lanes: string;
  /** Bytes hashed so far. */
  length: number;
}

/** Streaming QuickXorHash. Feed bytes with `update`, read the result with `digest`. */
export class QuickXorHash {
  /** Lane k contains the XOR of all input bytes at positions congruent to k modulo 160. */
  private readonly lanes = new Uint8Array(LANE_COUNT);
  private readonly laneWords = new Uint32Array(this.lanes.buffer);
  /** An aligned copy of the input, so the fold can read 32-bit words whatever the input's offset. */
  private scratch: Uint32Array | undefined;
  private totalLength = 0;

  /** Create a hash, optionally continuing from a saved state. */
  constructor(state?: QuickXorHashState) {
    if (state === undefined) {
      return;
    }
    const lanes = Buffer.from(state.lanes, 'base64');
    if (lanes.length !== LANE_COUNT) {
      throw new RangeError(
        `QuickXorHash state has ${lanes.length} lane bytes; expected ${LANE_COUNT}`,
      );
    }
    if (!Number.isSafeInteger(state.length) || state.length < 0) {
      throw new RangeError(
        `QuickXorHash state length ${state.length} must be a non-negative safe integer`,
      );
    }
    this.lanes.set(lanes);
    this.totalLength = state.length;
  }

  /** Bytes hashed so far. */
  get length(): number {
    return this.totalLength;
  }

  /** Add bytes to the hash. Returns `this` so calls can be chained. */
  update(data: Uint8Array): this {
    let offset = 0;
    let lane = this.totalLength % LANE_COUNT;

    // Bytes up to the next block boundary go one at a time.
    while (lane !== 0 && offset < data.length) {
      this.lanes[lane] = (this.lanes[lane] as number) ^ (data[offset] as number);
      lane = (lane + 1) % LANE_COUNT;
      offset += 1;
    }

    // Whole blocks are folded 32 bits at a time through the aligned scratch copy.
    const wholeBlockBytes = Math.floor((data.length - offset) / LANE_COUNT) * LANE_COUNT;
    if (wholeBlockBytes > 0) {
      this.foldBlocks(data, offset, wholeBlockBytes);
      offset += wholeBlockBytes;
    }

    // The tail starts at lane 0 when any block boundary was reached.
    while (offset < data.length) {
      this.lanes[lane] = (this.lanes[lane] as number) ^ (data[offset] as number);
      lane = (lane + 1) % LANE_COUNT;
      offset += 1;
    }

    this.totalLength += data.length;
    return this;
  }

  /** Return the 20-byte hash of everything fed so far. The hash can keep taking input. */
  digestBytes(): Buffer {
    const result = Buffer.alloc(DIGEST_BYTES);

    for (let lane = 0; lane < LANE_COUNT; lane++) {
      const value = this.lanes[lane] as number;
      if (value === 0) {
        continue;
      }
      // Place the 8 bits of this lane at bit offset (11 * lane) mod 160; the
      // high bits wrap round to bit 0 when the byte straddles the end.
      const bitOffset = (SHIFT_BITS * lane) % WIDTH_IN_BITS;
      const byteIndex = bitOffset >> 3;
      const bitShift = bitOffset & 7;
      const spread = value << bitShift;
      result[byteIndex] = (result[byteIndex] as number) ^ (spread & 0xff);
      if (bitShift !== 0) {
        const nextIndex = (byteIndex + 1) % DIGEST_BYTES;
        result[nextIndex] = (result[nextIndex] as number) ^ (spread >> 8);
      }
    }

    // The length goes, as a 64-bit little-endian integer, into bytes 12..19.
    const lengthBytes = Buffer.alloc(8);
    lengthBytes.writeBigUInt64LE(BigInt(this.totalLength));
    for (let index = 0; index < 8; index++) {
      const target = DIGEST_BYTES - 8 + index;
      result[target] = (result[target] as number) ^ (lengthBytes[index] as number);
    }
    return result;
  }

  /** Return the hash as padded base64 (28 characters), the form Graph reports. */
  digest(): string {
    return this.digestBytes().toString('base64');
  }

  /** Return a snapshot that `new QuickXorHash(state)` continues from. */
  state(): QuickXorHashState {
    return { lanes: Buffer.from(this.lanes).toString('base64'), length: this.totalLength };
  }

  private foldBlocks(data: Uint8Array, start: number, byteCount: number): void {
    if (this.scratch === undefined) {
      this.scratch = new Uint32Array(SCRATCH_BYTES / 4);
    }
    const scratch = this.scratch;
    const scratchBytes = new Uint8Array(scratch.buffer);
    const words = this.laneWords;
    let position = start;
    const end = start + byteCount;

    while (position < end) {
      const take = Math.min(SCRATCH_BYTES, end - position);
      scratchBytes.set(data.subarray(position, position + take));
      const takeWords = take >> 2;
      for (let word = 0; word < takeWords; word += LANE_WORDS) {
        for (let lane = 0; lane < LANE_WORDS; lane++) {
          words[lane] = (words[lane] as number) ^ (scratch[word + lane] as number);
        }
      }
      position += take;
    }
  }
}

/** Hash a whole buffer in one call and return the base64 digest. */
export function quickXorHash(data: Uint8Array): string {
  return new QuickXorHash().update(data).digest();
}
