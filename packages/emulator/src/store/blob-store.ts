import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { QuickXorHash } from '@skydrive/quickxorhash';

/** Content hashes of a stored blob, in the encodings Graph reports them. */
export interface BlobInfo {
  /** Content address: the SHA-256 in lowercase hex. */
  key: string;
  size: number;
  quickXorHash: string;
  /** Uppercase hex, as OneDrive personal reports it. */
  sha1Hash: string;
  /** Uppercase hex. */
  sha256Hash: string;
}

/** Raised by `BlobStore.write` when the body grows past `maxBytes`. */
export class BlobTooLargeError extends Error {
  readonly code = 'EMULATOR_BLOB_TOO_LARGE';
  readonly limitBytes: number;

  constructor(limitBytes: number) {
    super(`body exceeds ${limitBytes} bytes`);
    this.limitBytes = limitBytes;
  }
}

/**
 * File bytes addressed by SHA-256 under `{root}/blobs/{aa}/{sha256}`. A write
 * goes to `{root}/tmp`, is fsynced, then renamed into place, so a blob either
 * exists whole or not at all. Equal contents share one blob.
 */
export class BlobStore {
  private readonly blobDir: string;
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.blobDir = path.join(root, 'blobs');
    this.tmpDir = path.join(root, 'tmp');
  }

  /** Creates the folders and removes temporary files left by a killed process. */
  async init(): Promise<number> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const leftovers = await readdir(this.tmpDir);
    await Promise.all(leftovers.map((name) => rm(path.join(this.tmpDir, name), { force: true })));
    return leftovers.length;
  }

  /** Streams `source` into a new blob and returns its hashes; throws past `maxBytes`. */
  async write(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<BlobInfo> {
    const tmpFile = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const handle = await open(tmpFile, 'wx');
    const sha1 = createHash('sha1');
    const sha256 = createHash('sha256');
    const quickXor = new QuickXorHash();
    let size = 0;
    let closed = false;
    try {
      for await (const chunk of source) {
        size += chunk.byteLength;
        if (size > maxBytes) {
          throw new BlobTooLargeError(maxBytes);
        }
        sha1.update(chunk);
        sha256.update(chunk);
        quickXor.update(chunk);
        await handle.write(chunk);
      }
      await handle.sync();
      await handle.close();
      closed = true;

      const key = sha256.digest('hex');
      await this.commit(tmpFile, key);
      return {
        key,
        size,
        quickXorHash: quickXor.digest(),
        sha1Hash: sha1.digest('hex').toUpperCase(),
        sha256Hash: key.toUpperCase(),
      };
    } catch (error) {
      if (!closed) {
        await handle.close().catch(() => undefined);
      }
      await unlink(tmpFile).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Moves a finished, fsynced file (an upload session's data) into the store
   * under `key`, its SHA-256. The file must be on the same file system as the store.
   */
  async adopt(file: string, key: string): Promise<void> {
    await this.commit(file, key);
  }

  /** Opens a blob for reading; `end` is inclusive. */
  read(key: string, range?: { start: number; end: number }): ReadStream {
    return createReadStream(this.blobPath(key), range);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.blobPath(key));
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes the whole root; used by the in-memory mode on close. */
  async destroy(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private blobPath(key: string): string {
    return path.join(this.blobDir, key.slice(0, 2), key);
  }

  private async commit(tmpFile: string, key: string): Promise<void> {
    const target = this.blobPath(key);
    if (await this.exists(key)) {
      await unlink(tmpFile);
      return;
    }
    const folder = path.dirname(target);
    await mkdir(folder, { recursive: true });
    await rename(tmpFile, target);

    // The rename is durable only once the folder entry itself is on disk.
    const dirHandle = await open(folder, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }
}
