// Recent (with its delta fallback), search, special folders, versions,
// thumbnails and the recycle bin through the public Drive API.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseItemRef } from '../../src/drive/addressing.ts';
import { Drive } from '../../src/drive/drive.ts';
import { searchSegment } from '../../src/drive/search.ts';
import { GraphError, SkydriveError } from '../../src/errors.ts';
import { itemUrlPath } from '../../src/graph/url.ts';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';
import { gradientPng } from './helpers/png.ts';
import { sendJson, startScriptedServer } from './helpers/scripted-server.ts';

describe('drive extras against the emulator', () => {
  let fixture: EmulatorFixture;
  let drive: Drive;
  const upload = async (remoteFolder: string, name: string, content: string | Buffer) => {
    const local = path.join(fixture.local, name);
    await writeFile(local, content);
    return drive.upload(local, remoteFolder);
  };
  const addFault = async (fault: Record<string, unknown>) => {
    const response = await fetch(`${fixture.emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    assert.equal(response.status, 201, await response.text());
  };

  before(async () => {
    fixture = await startFixture();
    drive = fixture.drive;
  });

  after(async () => {
    await fixture?.close();
  });

  it('recent falls back to delta on an empty list', async () => {
    const empty = await drive.recent();
    assert.equal(empty.source, 'delta');
    assert.match(empty.fallbackReason ?? '', /returned no items/);
    assert.deepEqual(empty.items, []);
  });

  it('recent uses the recent list when it has items', async () => {
    await drive.mkdir('/Notes');
    await upload('/Notes/', 'old.txt', 'old');
    await upload('/Notes/', 'new.txt', 'new');
    const result = await drive.recent();
    assert.equal(result.source, 'recent');
    assert.deepEqual(
      result.items.map((item) => item.path),
      ['/Notes/new.txt', '/Notes/old.txt'],
    );
  });

  it('recent falls back to delta when the service fails', async () => {
    await addFault({
      method: 'GET',
      path: '/recent$',
      fault: { type: 'status', status: 404, code: 'itemNotFound' },
    });
    const result = await drive.recent({ limit: 1 });
    assert.equal(result.source, 'delta');
    assert.match(result.fallbackReason ?? '', /failed with 404 itemNotFound/);
    assert.deepEqual(
      result.items.map((item) => item.path),
      ['/Notes/new.txt'],
    );
  });

  it('search finds names and text content across pages', async () => {
    await upload('/Notes/', 'alpha.md', 'the word needle is inside');
    await upload('/Notes/', 'needle-name.txt', 'nothing here');
    await upload('/', 'other.txt', 'needle at the root');
    const all = [];
    for await (const item of drive.search('needle', { top: 1 })) {
      all.push(item.name);
    }
    assert.deepEqual(all.sort(), ['alpha.md', 'needle-name.txt', 'other.txt']);
    const pages = fixture.events.filter((event) => event.url.includes('search('));
    assert.ok(pages.length >= 3, 'one page per result with top 1');

    const inFolder = [];
    for await (const item of drive.search('needle', { folder: '/Notes' })) {
      inFolder.push(item.name);
    }
    assert.deepEqual(inFolder.sort(), ['alpha.md', 'needle-name.txt']);
  });

  it('search keeps quotes and special characters', async () => {
    await upload('/', "it's #1.txt", 'x');
    const found = [];
    for await (const item of drive.search("it's #1")) {
      found.push(item.name);
    }
    assert.deepEqual(found, ["it's #1.txt"]);
    await assert.rejects(async () => {
      for await (const _ of drive.search('  ')) {
        // never reached
      }
    }, SkydriveError);
  });

  it('special folders are created on first use', async () => {
    const documents = await drive.info('special:documents');
    assert.equal(documents.specialFolder?.name, 'documents');
    const uploaded = await upload('special:documents', 'in-docs.txt', 'x');
    assert.equal(uploaded.parentReference?.id, documents.id);
    const inside = await drive.info('special:documents/in-docs.txt');
    assert.equal(inside.id, uploaded.id);
    const names = [];
    for await (const entry of drive.list('special:documents')) {
      names.push(entry.name);
    }
    assert.deepEqual(names, ['in-docs.txt']);
    const nested = await drive.mkdir('special:photos/2026/trip', { parents: true });
    assert.equal(nested.name, 'trip');
    assert.equal(nested.parentReference?.path, '/drive/root:/Pictures/2026');
    await assert.rejects(
      drive.mkdir('special:photos/none/x'),
      (error: unknown) => error instanceof GraphError && error.status === 404,
    );
    const approot = await drive.info('special:approot');
    assert.equal(approot.specialFolder?.name, 'approot');
  });

  it('versions list newest first and restore', async () => {
    await upload('/', 'v.txt', 'first');
    await upload('/', 'v.txt', 'second!');
    const versions = await drive.versions('/v.txt');
    assert.deepEqual(
      versions.map((version) => [version.id, version.size]),
      [
        ['2.0', 7],
        ['1.0', 5],
      ],
    );
    await drive.restoreVersion('/v.txt', '1.0');
    const after = await drive.versions('/v.txt');
    assert.equal(after.length, 3);
    assert.equal(after[0]?.size, 5);
    const out = path.join(fixture.local, 'v-out.txt');
    await drive.download('/v.txt', out);
    assert.equal(await readFile(out, 'utf8'), 'first');
    await assert.rejects(
      drive.restoreVersion('/v.txt', '9.0'),
      (error: unknown) => error instanceof GraphError && error.status === 404,
    );
    await assert.rejects(drive.restoreVersion('/v.txt', 'a/b'), SkydriveError);
  });

  it('thumbnails of an image list and download', async () => {
    await upload('/', 'wide.png', gradientPng(400, 200));
    const sets = await drive.thumbnails('/wide.png');
    const own = sets[0];
    assert.equal(own?.id, '0');
    assert.deepEqual(
      [own?.small, own?.medium].map(
        (entry) => typeof entry === 'object' && [entry.width, entry.height],
      ),
      [
        [96, 48],
        [176, 88],
      ],
    );
    const out = path.join(fixture.local, 'thumb.jpg');
    const saved = await drive.downloadThumbnail('/wide.png', 'c50x50_Crop', out);
    const bytes = await readFile(out);
    assert.equal(saved.bytes, bytes.length);
    assert.deepEqual([...bytes.subarray(0, 2)], [0xff, 0xd8], 'a JPEG file');
    assert.deepEqual(await drive.thumbnails('/v.txt'), []);
    await assert.rejects(drive.thumbnails('/wide.png', { sizes: ['huge'] }), SkydriveError);
  });

  it('permanent delete skips the bin; restore brings items back', async () => {
    await drive.mkdir('/Bin');
    const kept = await upload('/Bin/', 'keep.txt', '12345');
    const gone = await upload('/Bin/', 'gone.txt', '123');
    const before = await drive.quota();

    await drive.remove('/Bin/keep.txt');
    const binned = await drive.quota();
    assert.equal(binned.deleted, (before.deleted ?? 0) + 5);
    const restored = await drive.restore(kept.id);
    assert.equal(restored.id, kept.id);
    assert.equal((await drive.quota()).deleted, before.deleted);

    await drive.remove('/Bin/gone.txt', { permanent: true });
    assert.equal((await drive.quota()).deleted, before.deleted);
    await assert.rejects(
      drive.restore(gone.id),
      (error: unknown) => error instanceof GraphError && error.status === 404,
    );
    await assert.rejects(drive.remove('/', { permanent: true }), SkydriveError);
  });
});

describe('recent against scripted servers', () => {
  it('does not fall back when the token is rejected', async () => {
    const server = await startScriptedServer((_request, response) =>
      sendJson(response, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'expired' },
      }),
    );
    const drive = await Drive.open({
      endpoint: `${server.url}/v1.0`,
      accessToken: 'token',
      retry: { limit: 0 },
    });
    try {
      await assert.rejects(
        drive.recent(),
        (error: unknown) => error instanceof GraphError && error.status === 401,
      );
      assert.equal(
        server.requests.some((request) => request.url.includes('delta')),
        false,
      );
    } finally {
      await drive.close();
      await server.close();
    }
  });
});

describe('special folder addressing', () => {
  it('parses special names and paths below them', () => {
    assert.deepEqual(parseItemRef('special:documents'), {
      kind: 'special',
      name: 'documents',
      path: '/',
    });
    assert.deepEqual(parseItemRef('special:Photos/2026/a b.jpg', 'path'), {
      kind: 'special',
      name: 'photos',
      path: '/2026/a b.jpg',
    });
    assert.throws(() => parseItemRef('special:desktop2'), SkydriveError);
  });

  it('builds special folder URLs', () => {
    assert.equal(
      itemUrlPath({ kind: 'special', name: 'documents', path: '/' }, 'children'),
      '/me/drive/special/documents/children',
    );
    assert.equal(
      itemUrlPath({ kind: 'special', name: 'approot', path: '/a#b.txt' }),
      '/me/drive/special/approot:/a%23b.txt',
    );
    assert.equal(
      itemUrlPath({ kind: 'special', name: 'music', path: '/x/y.mp3' }, 'content'),
      '/me/drive/special/music:/x/y.mp3:/content',
    );
  });

  it('builds search segments with doubled quotes', () => {
    assert.equal(searchSegment("it's"), "search(q='it%27%27s')");
    assert.equal(searchSegment('a b#c'), "search(q='a%20b%23c')");
  });
});
