import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { BatchWriter } from '../../src/transfer/batch-writer.ts';

/** A file handle whose writes fail with ENOSPC after a short delay, like a full disk. */
function failingHandle(): FileHandle {
  const handle = {
    async writev(): Promise<never> {
      await sleep(5);
      throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
    },
  };
  return handle as unknown as FileHandle;
}

describe('BatchWriter', () => {
  it('reports a failed background write to the next call', async () => {
    const writer = new BatchWriter(failingHandle(), 0);
    await writer.add(Buffer.alloc(1024 * 1024));

    // The write fails while the caller is still "reading"; no unhandled rejection may occur.
    await sleep(30);

    await assert.rejects(writer.add(Buffer.alloc(10)), { code: 'ENOSPC' });
    await assert.rejects(writer.flush(), { code: 'ENOSPC' });
  });

  it('writes every byte in order across batches', async () => {
    const written: Buffer[] = [];
    const handle = {
      async writev(chunks: Buffer[], position: number) {
        assert.equal(position, Buffer.concat(written).length);
        const bytes = Buffer.concat(chunks);
        written.push(bytes);
        return { bytesWritten: bytes.length, buffers: chunks };
      },
    } as unknown as FileHandle;
    const writer = new BatchWriter(handle, 0);
    const source = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let index = 0; index < source.length; index++) {
      source[index] = index % 251;
    }
    for (let offset = 0; offset < source.length; offset += 65_536) {
      await writer.add(source.subarray(offset, offset + 65_536));
    }
    await writer.flush();
    assert.deepEqual(Buffer.concat(written), source);
  });
});
