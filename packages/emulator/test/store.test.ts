import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { BlobStore, BlobTooLargeError } from '../src/store/blob-store.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import type { ItemRecord, MetadataStore } from '../src/store/types.ts';

function item(id: string, fields: Partial<ItemRecord> = {}): ItemRecord {
  const now = '2024-01-01T00:00:00.000Z';
  return {
    id,
    driveId: 'd1',
    parentId: 'ROOT!101',
    name: id,
    isFolder: false,
    size: 0,
    blobKey: null,
    mimeType: null,
    quickXorHash: null,
    sha1Hash: null,
    sha256Hash: null,
    createdDateTime: now,
    lastModifiedDateTime: now,
    fsCreatedDateTime: now,
    fsModifiedDateTime: now,
    description: null,
    tagGuid: 'GUID',
    eTagVersion: 1,
    cTagVersion: 1,
    createdBy: 'demo',
    lastModifiedBy: 'demo',
    deletedDateTime: null,
    ...fields,
  };
}

/** Defines the store contract tests; both implementations run the same ones. */
function describeStoreContract(
  label: string,
  open: () => Promise<{ store: MetadataStore; cleanup: () => Promise<void> }>,
) {
  describe(`${label} metadata store`, () => {
    let store: MetadataStore;
    let cleanup: () => Promise<void>;

    before(async () => {
      ({ store, cleanup } = await open());
      store.putUser({
        username: 'demo',
        password: 'pw',
        cid: 'ABCDEF0123456789',
        createdDateTime: 'x',
      });
      store.insertDrive({
        id: 'd1',
        owner: 'demo',
        cid: 'ROOT',
        rootId: 'ROOT!101',
        createdDateTime: 'x',
      });
      store.insertItem(item('ROOT!101', { parentId: null, isFolder: true, name: 'root' }));
    });

    after(async () => {
      store.close();
      await cleanup();
    });

    it('users round-trip and password updates', () => {
      store.putUser({ username: 'demo', password: 'new', cid: 'OTHER', createdDateTime: 'y' });
      const user = store.getUser('demo');
      assert.equal(user?.password, 'new');
      assert.equal(user?.cid, 'ABCDEF0123456789');
      assert.equal(store.getUser('nobody'), undefined);
    });

    it('item numbers advance per drive', () => {
      const first = store.allocateItemNumber('d1');
      const second = store.allocateItemNumber('d1');
      assert.equal(second, first + 1);
    });

    it('findChild ignores case and keeps stored case', () => {
      store.insertItem(item('A!1', { name: 'Report.TXT', size: 5 }));
      const found = store.findChild('d1', 'ROOT!101', 'report.txt');
      assert.equal(found?.id, 'A!1');
      assert.equal(found?.name, 'Report.TXT');
    });

    it('recycled items leave listings but count as deleted bytes', () => {
      store.insertItem(item('A!2', { name: 'gone.bin', size: 7 }));
      const recycled = store.getItem('d1', 'A!2');
      assert.ok(recycled);
      recycled.deletedDateTime = '2024-01-02T00:00:00.000Z';
      store.updateItem(recycled);
      assert.equal(store.findChild('d1', 'ROOT!101', 'gone.bin'), undefined);
      assert.ok(!store.listChildren('d1', 'ROOT!101').some((child) => child.id === 'A!2'));
      assert.equal(store.sumFileBytes('d1', true), 7);
      assert.equal(store.getItem('d1', 'A!2')?.deletedDateTime, '2024-01-02T00:00:00.000Z');
    });

    it('moving an item updates both folders', () => {
      store.insertItem(item('F!1', { name: 'folder', isFolder: true }));
      store.insertItem(item('A!3', { name: 'moving.txt', size: 3 }));
      const moving = store.getItem('d1', 'A!3');
      assert.ok(moving);
      moving.parentId = 'F!1';
      store.updateItem(moving);
      assert.equal(store.findChild('d1', 'ROOT!101', 'moving.txt'), undefined);
      assert.equal(store.findChild('d1', 'F!1', 'MOVING.txt')?.id, 'A!3');
      assert.equal(store.countChildren('d1', 'F!1'), 1);
    });

    it('failed transaction restores updates', () => {
      const before = store.getItem('d1', 'A!3');
      const counter = store.allocateItemNumber('d1');
      assert.throws(() =>
        store.transaction(() => {
          const moving = store.getItem('d1', 'A!3');
          assert.ok(moving);
          moving.parentId = 'ROOT!101';
          moving.name = 'renamed.txt';
          store.updateItem(moving);
          store.allocateItemNumber('d1');
          store.putToken({
            tokenHash: 'tx',
            kind: 'access',
            username: 'demo',
            scope: 's',
            expiresAt: 9,
          });
          throw new RangeError('abort');
        }),
      );
      assert.deepEqual(store.getItem('d1', 'A!3'), before);
      assert.equal(store.findChild('d1', 'ROOT!101', 'renamed.txt'), undefined);
      assert.equal(store.findChild('d1', 'F!1', 'moving.txt')?.id, 'A!3');
      assert.equal(store.getToken('tx'), undefined);
      assert.equal(store.allocateItemNumber('d1'), counter + 1);
    });

    it('getItem checks the drive', () => {
      assert.equal(store.getItem('other-drive', 'A!1'), undefined);
    });

    it('tokens expire and are swept', () => {
      store.putToken({
        tokenHash: 'h1',
        kind: 'access',
        username: 'demo',
        scope: 's',
        expiresAt: 1000,
      });
      store.putToken({
        tokenHash: 'h2',
        kind: 'refresh',
        username: 'demo',
        scope: 's',
        expiresAt: 5000,
      });
      store.deleteExpiredTokens(2000);
      assert.equal(store.getToken('h1'), undefined);
      assert.equal(store.getToken('h2')?.kind, 'refresh');
    });

    it('failed transaction leaves no trace', () => {
      assert.throws(() =>
        store.transaction(() => {
          store.insertItem(item('T!1', { name: 'half.txt' }));
          throw new RangeError('abort');
        }),
      );
      assert.equal(store.getItem('d1', 'T!1'), undefined);
      assert.equal(store.findChild('d1', 'ROOT!101', 'half.txt'), undefined);
    });
  });
}

describeStoreContract('memory', async () => ({
  store: new MemoryStore(),
  cleanup: async () => {},
}));
describeStoreContract('sqlite', async () => {
  const folder = await mkdtemp(path.join(tmpdir(), 'emu-store-'));
  return {
    store: new SqliteStore(folder),
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
});

describe('blob store', () => {
  let root: string;
  let blobs: BlobStore;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'emu-blobs-'));
    blobs = new BlobStore(root);
    await blobs.init();
  });

  after(() => rm(root, { recursive: true, force: true }));

  it('write reports all three hashes', async () => {
    const info = await blobs.write(Readable.from([Buffer.from('1\n')]), 1024);
    assert.equal(info.size, 2);
    assert.equal(info.quickXorHash, 'MVAAAAAAAAAAAAAAAgAAAAAAAAA=');
    assert.equal(info.sha1Hash, 'E5FA44F2B31C1FB553B6021E7360D07D5D91FF5E');
    assert.equal(info.sha256Hash, info.key.toUpperCase());
  });

  it('equal content shares one blob', async () => {
    const chunks = [Buffer.from('same '), Buffer.from('bytes')];
    const first = await blobs.write(Readable.from(chunks), 1024);
    const second = await blobs.write(Readable.from([Buffer.from('same bytes')]), 1024);
    assert.equal(first.key, second.key);
    assert.equal(first.quickXorHash, quickXorHash(Buffer.from('same bytes')));
    const files = await readdir(path.join(root, 'blobs', first.key.slice(0, 2)));
    assert.deepEqual(files, [first.key]);
  });

  it('empty content is a valid blob', async () => {
    const info = await blobs.write(Readable.from([]), 1024);
    assert.equal(info.size, 0);
    assert.equal(info.quickXorHash, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  });

  it('oversized body is rejected without a temp file', async () => {
    await assert.rejects(
      blobs.write(Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), 1000),
      BlobTooLargeError,
    );
    assert.deepEqual(await readdir(path.join(root, 'tmp')), []);
  });

  it('init removes leftover temp files', async () => {
    await writeFile(path.join(root, 'tmp', 'leftover.part'), 'partial');
    const removed = await new BlobStore(root).init();
    assert.equal(removed, 1);
    assert.deepEqual(await readdir(path.join(root, 'tmp')), []);
  });

  it('read honours an inclusive range', async () => {
    const info = await blobs.write(Readable.from([Buffer.from('0123456789')]), 1024);
    const chunks: Buffer[] = [];
    for await (const chunk of blobs.read(info.key, { start: 2, end: 4 })) {
      chunks.push(chunk as Buffer);
    }
    assert.equal(Buffer.concat(chunks).toString(), '234');
  });
});
