import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Drive } from '../../src/drive/drive.ts';
import type { ListEntry } from '../../src/drive/types.ts';
import { GraphError } from '../../src/errors.ts';
import { runPool } from '../../src/transfer/pool.ts';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';

async function collect(iterator: AsyncIterableIterator<ListEntry>): Promise<ListEntry[]> {
  const entries: ListEntry[] = [];
  for await (const entry of iterator) {
    entries.push(entry);
  }
  return entries;
}

const isGraphError = (status: number, graphCode?: string) => (error: unknown) =>
  error instanceof GraphError &&
  error.status === status &&
  (graphCode === undefined || error.graphCode === graphCode);

describe('Drive item operations against the emulator', () => {
  let fx: EmulatorFixture;
  let small: string;

  before(async () => {
    fx = await startFixture();
    small = path.join(fx.local, 'small.txt');
    await writeFile(small, 'abc');
  });
  after(() => fx?.close());

  it('reads the user, the drive and its quota', async () => {
    const user = await fx.drive.user();
    assert.equal(typeof user.id, 'string');
    const drive = await fx.drive.drive();
    assert.equal(typeof drive.id, 'string');
    const quota = await fx.drive.quota();
    assert.equal(typeof quota.total, 'number');
  });

  it('info by path and by id', async () => {
    const root = await fx.drive.info('/');
    assert.ok(root.root !== undefined);
    await fx.drive.mkdir('/info');
    const byPath = await fx.drive.info('info');
    assert.equal(byPath.name, 'info');
    assert.equal((await fx.drive.info({ id: byPath.id })).name, 'info');
    assert.equal((await fx.drive.info(`id:${byPath.id}`)).name, 'info');
    assert.equal((await fx.drive.info({ path: '/info/' })).id, byPath.id);
  });

  it('answers a missing item with a 404 GraphError', async () => {
    await assert.rejects(fx.drive.info('/no/such/item'), isGraphError(404, 'itemNotFound'));
  });

  it('creates a folder and refuses to create it twice without parents', async () => {
    const folder = await fx.drive.mkdir('/made');
    assert.ok(folder.folder !== undefined);
    await assert.rejects(fx.drive.mkdir('/made'), isGraphError(409, 'nameAlreadyExists'));
    assert.equal((await fx.drive.mkdir('/made', { parents: true })).id, folder.id);
  });

  it('creates missing parents with parents: true', async () => {
    const deep = await fx.drive.mkdir('/p1/p2/p3', { parents: true });
    assert.equal(deep.name, 'p3');
    assert.equal((await fx.drive.info('/p1/p2')).folder !== undefined, true);
  });

  it('fails without parents when the parent is missing', async () => {
    await assert.rejects(fx.drive.mkdir('/missing-parent/child'), isGraphError(404));
  });

  it('refuses to treat a file as a parent folder', async () => {
    await fx.drive.upload(small, '/afile.txt');
    await assert.rejects(fx.drive.mkdir('/afile.txt', { parents: true }), { code: 'NOT_A_FOLDER' });
  });

  it('rejects an invalid folder name before any request', async () => {
    const before = fx.events.length;
    await assert.rejects(fx.drive.mkdir('/ok/bad:name', { parents: true }), {
      code: 'INVALID_NAME',
    });
    await assert.rejects(fx.drive.mkdir('/trailing.'), { code: 'INVALID_NAME' });
    assert.equal(fx.events.length, before);
  });

  it('lists a folder with absolute paths, recursively and with a limit', async () => {
    await fx.drive.mkdir('/tree/sub', { parents: true });
    await fx.drive.upload(small, '/tree/', { name: 'a.txt' });
    await fx.drive.upload(small, '/tree/sub/', { name: 'b.txt' });
    const flat = await collect(fx.drive.list('/tree'));
    assert.deepEqual(flat.map((entry) => entry.path).sort(), ['/tree/a.txt', '/tree/sub']);
    const deep = await collect(fx.drive.list('/tree', { recursive: true }));
    assert.deepEqual(deep.map((entry) => entry.path).sort(), [
      '/tree/a.txt',
      '/tree/sub',
      '/tree/sub/b.txt',
    ]);
    assert.equal((await collect(fx.drive.list('/tree', { recursive: true, limit: 1 }))).length, 1);
    const byId = await collect(fx.drive.list({ id: (await fx.drive.info('/tree/sub')).id }));
    assert.deepEqual(
      byId.map((entry) => entry.path),
      ['/tree/sub/b.txt'],
    );
  });

  it('refuses to list a file', async () => {
    await assert.rejects(fx.drive.list('/afile.txt').next(), { code: 'NOT_A_FOLDER' });
  });

  it('pages through a folder of 450 items', async () => {
    await fx.drive.mkdir('/big');
    const names = Array.from(
      { length: 450 },
      (_, index) => `item-${String(index).padStart(3, '0')}.txt`,
    );
    await runPool(names, 8, (name) => fx.drive.upload(small, '/big/', { name }));
    const before = fx.events.length;
    const entries = await collect(fx.drive.list('/big'));
    assert.equal(entries.length, 450);
    assert.deepEqual(new Set(entries.map((entry) => entry.name)), new Set(names));
    const pageRequests = fx.events
      .slice(before)
      .filter((event) => event.url.includes('/children') || event.url.includes('skiptoken'));
    assert.ok(pageRequests.length >= 3, `expected at least 3 pages, saw ${pageRequests.length}`);
    const small100 = await collect(fx.drive.list('/big', { top: 100, limit: 250 }));
    assert.equal(small100.length, 250);
  });

  it('renames and moves items, including back to the root', async () => {
    await fx.drive.upload(small, '/mv-src.txt');
    const renamed = await fx.drive.move('/mv-src.txt', { name: 'mv-renamed.txt' });
    assert.equal(renamed.name, 'mv-renamed.txt');
    await fx.drive.mkdir('/mv-dest');
    const moved = await fx.drive.move('/mv-renamed.txt', { parent: '/mv-dest', name: 'moved.txt' });
    assert.equal((await fx.drive.info('/mv-dest/moved.txt')).id, moved.id);
    await fx.drive.move({ id: moved.id }, { parent: '/' });
    assert.equal((await fx.drive.info('/moved.txt')).id, moved.id);
  });

  it('move rejects bad targets', async () => {
    await assert.rejects(fx.drive.move('/moved.txt', {}), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(fx.drive.move('/moved.txt', { parent: '/afile.txt' }), {
      code: 'NOT_A_FOLDER',
    });
    await assert.rejects(fx.drive.move('/moved.txt', { name: 'a|b' }), { code: 'INVALID_NAME' });
    await assert.rejects(fx.drive.move('/', { name: 'x' }), { code: 'INVALID_ARGUMENT' });
  });

  it('copies a file and waits for the monitor', async () => {
    await fx.drive.mkdir('/copies');
    const copy = await fx.drive.copy('/afile.txt', '/copies', {
      name: 'copy.txt',
      pollIntervalMs: 10,
    });
    assert.equal(copy.name, 'copy.txt');
    assert.equal(copy.size, 3);
    const again = await fx.drive.copy('/afile.txt', '/copies', { pollIntervalMs: 10 });
    assert.equal(again.name, 'afile.txt');
  });

  it('copies a folder with its contents', async () => {
    const copy = await fx.drive.copy('/tree', '/copies', { name: 'tree2', pollIntervalMs: 10 });
    assert.ok(copy.folder !== undefined);
    const entries = await collect(fx.drive.list('/copies/tree2', { recursive: true }));
    assert.deepEqual(entries.map((entry) => entry.path).sort(), [
      '/copies/tree2/a.txt',
      '/copies/tree2/sub',
      '/copies/tree2/sub/b.txt',
    ]);
  });

  it('fails to copy a missing item or into a file', async () => {
    await assert.rejects(fx.drive.copy('/nothing.txt', '/copies'), isGraphError(404));
    await assert.rejects(fx.drive.copy('/moved.txt', '/afile.txt'), { code: 'NOT_A_FOLDER' });
  });

  it('removes files and folders, honouring If-Match', async () => {
    const item = await fx.drive.upload(small, '/rm-me.txt');
    await assert.rejects(
      fx.drive.remove('/rm-me.txt', { ifMatch: '"wrong-etag"' }),
      isGraphError(412),
    );
    await fx.drive.remove('/rm-me.txt', { ifMatch: item.eTag });
    await assert.rejects(fx.drive.info('/rm-me.txt'), isGraphError(404));
    await fx.drive.remove('/copies');
    await assert.rejects(fx.drive.info('/copies/copy.txt'), isGraphError(404));
    await assert.rejects(fx.drive.remove('/'), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(fx.drive.remove('/rm-me.txt'), isGraphError(404));
  });

  it('answers a rejected token with a 401 GraphError', async () => {
    const drive = await Drive.open({ endpoint: fx.emulator.graphUrl, accessToken: 'not-a-token' });
    try {
      await assert.rejects(drive.user(), isGraphError(401));
    } finally {
      await drive.close();
    }
  });
});
