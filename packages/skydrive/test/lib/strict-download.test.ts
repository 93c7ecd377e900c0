import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';

describe('downloads from a host that rejects Authorization', () => {
  let fx: EmulatorFixture;
  before(async () => {
    fx = await startFixture({ strictDownloadAuth: true });
  });
  after(() => fx?.close());

  it('downloads files, ranges and folders without sending the token there', async () => {
    const file = path.join(fx.local, 'a.txt');
    await writeFile(file, 'strict content');
    await fx.drive.mkdir('/strict');
    await fx.drive.upload(file, '/strict/');
    const target = path.join(fx.local, 'back.txt');
    assert.equal((await fx.drive.download('/strict/a.txt', target)).verified, true);
    assert.equal(await readFile(target, 'utf8'), 'strict content');
    await fx.drive.download('/strict/a.txt', target, { range: { start: 7 } });
    assert.equal(await readFile(target, 'utf8'), 'content');
    const result = await fx.drive.downloadFolder('/strict', path.join(fx.local, 'tree'));
    assert.equal(result.failed, 0);
    const copy = await fx.drive.copy('/strict/a.txt', '/', {
      name: 'copied.txt',
      pollIntervalMs: 10,
    });
    assert.equal(copy.size, 14);
  });
});
