import type { FileHandle } from 'node:fs/promises';

/** Bytes gathered before one positional write, so a download makes few system calls. */
const BATCH_BYTES = 1024 * 1024;

/**
 * Writes chunks at increasing file positions in batches, with one batch in
 * flight while the next one fills. `add` waits only when a full batch finds
 * the previous write still running, which keeps memory at about two batches.
 */
export class BatchWriter {
  private readonly handle: FileHandle;
  private position: number;
  private chunks: Buffer[] = [];
  private bytes = 0;
  private writing: Promise<void> = Promise.resolve();
  /** The first failed write; later calls rethrow it instead of writing past a hole. */
  private failure: { error: unknown } | undefined;

  constructor(handle: FileHandle, position: number) {
    this.handle = handle;
    this.position = position;
  }

  async add(chunk: Buffer): Promise<void> {
    this.throwIfFailed();
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    if (this.bytes >= BATCH_BYTES) {
      await this.writing;
      this.startWrite();
    }
  }

  /** Write everything added so far; once it resolves, the file contains every added byte. */
  async flush(): Promise<void> {
    this.throwIfFailed();
    await this.writing;
    this.startWrite();
    await this.writing;
  }

  /**
   * Starts the next batch. The write runs while the caller keeps reading, so its failure
   * (ENOSPC, EIO) is recorded at once: left unobserved until the next await, it would be
   * an unhandled rejection that ends the whole process.
   */
  private startWrite(): void {
    const pending = this.writeBatch();
    pending.catch((error: unknown) => {
      this.failure ??= { error };
    });
    this.writing = pending;
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      throw this.failure.error;
    }
  }

  private async writeBatch(): Promise<void> {
    if (this.bytes === 0) {
      return;
    }
    let chunks = this.chunks;
    let at = this.position;
    let left = this.bytes;
    this.position += this.bytes;
    this.chunks = [];
    this.bytes = 0;
    // writev may write less than asked; the rest is written from where it stopped.
    while (left > 0) {
      const { bytesWritten } = await this.handle.writev(chunks, at);
      at += bytesWritten;
      left -= bytesWritten;
      chunks = skipBytes(chunks, bytesWritten);
    }
  }
}

function skipBytes(chunks: Buffer[], count: number): Buffer[] {
  let skipped = count;
  const rest: Buffer[] = [];
  for (const chunk of chunks) {
    if (skipped >= chunk.length) {
      skipped -= chunk.length;
      continue;
    }
    rest.push(skipped > 0 ? chunk.subarray(skipped) : chunk);
    skipped = 0;
  }
  return rest;
}
