import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeatureItem } from './feature-helpers.ts';
import {
  assertGraphError,
  listAll,
  type Session,
  scratchFolder,
  startSession,
  upload,
  type WireCollection,
} from './helpers.ts';

let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

/** Builds `search(q='…')` with the text quoted by the OData rule: a `'` is written `''`. */
function searchPath(base: string, text: string, query = ''): string {
  const quoted = text.replace(/'/g, "''");
  return `${base}/search(q='${encodeURIComponent(quoted)}')${query}`;
}

async function search(base: string, text: string): Promise<FeatureItem[]> {
  const { items } = await listAll(session.demo, searchPath(base, text));
  return items as FeatureItem[];
}

describe('search', () => {
  it('matches names ignoring case', async () => {
    const folder = await scratchFolder(session.demo, 'search-name');
    const file = await upload(session.demo, `/${folder.name}/Quarterly-Zebra-Report.txt`, 'x');
    const items = await search('/me/drive/root', 'zebra-report');
    const hit = items.find((item) => item.id === file.id);
    assert.ok(hit, 'file found by name');
    assert.ok(hit.searchResult, 'searchResult facet expected');
  });

  it('matches text content', async () => {
    const folder = await scratchFolder(session.demo, 'search-text');
    const file = await upload(
      session.demo,
      `/${folder.name}/notes.md`,
      'the word platypusfeather is inside',
    );
    const other = await upload(session.demo, `/${folder.name}/other.md`, 'nothing here');
    const items = await search('/me/drive', 'PLATYPUSFEATHER');
    assert.ok(
      items.some((item) => item.id === file.id),
      'file found by content',
    );
    assert.ok(!items.some((item) => item.id === other.id));
  });

  it('no match gives empty value', async () => {
    const reply = await session.demo.get(searchPath('/me/drive/root', 'no-such-thing-qwxz'));
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json<WireCollection>().value, []);
  });

  it('folder search stays below the folder', async () => {
    const inside = await scratchFolder(session.demo, 'search-scope-in');
    const outside = await scratchFolder(session.demo, 'search-scope-out');
    const a = await upload(session.demo, `/${inside.name}/wombatique.txt`, 'a');
    const b = await upload(session.demo, `/${outside.name}/wombatique.txt`, 'b');
    const items = await search(`/me/drive/items/${inside.id}`, 'wombatique');
    assert.ok(items.some((item) => item.id === a.id));
    assert.ok(!items.some((item) => item.id === b.id), 'item outside the folder must not match');
  });

  it('doubled quote matches an apostrophe', async () => {
    const folder = await scratchFolder(session.demo, 'search-quote');
    const file = await upload(session.demo, `/${folder.name}/Kestrel's list.txt`, 'q');
    const items = await search('/me/drive/root', "kestrel's");
    assert.ok(items.some((item) => item.id === file.id));
  });

  it('$top pages through results', async () => {
    const folder = await scratchFolder(session.demo, 'search-pages');
    for (let index = 0; index < 5; index += 1) {
      await upload(session.demo, `/${folder.name}/capybarix-${index}.txt`, `${index}`);
    }
    const { items, pages } = await listAll(
      session.demo,
      searchPath('/me/drive/root', 'capybarix', '?$top=2'),
    );
    assert.ok(pages.length >= 3, `expected 3 pages, got ${pages.length}`);
    assert.match(pages[0]?.['@odata.nextLink'] ?? '', /skiptoken/i);
    const ids = items.map((item) => item.id);
    assert.equal(new Set(ids).size, 5);
  });

  it('$select limits properties', async () => {
    const folder = await scratchFolder(session.demo, 'search-select');
    await upload(session.demo, `/${folder.name}/ocelotine.txt`, 'o');
    const reply = await session.demo.get(
      searchPath('/me/drive/root', 'ocelotine', '?$select=id,name'),
    );
    const [item] = reply.json<WireCollection>().value;
    assert.ok(item);
    assert.equal(item.size, undefined);
    assert.equal(item.name, 'ocelotine.txt');
  });

  it('matches the description', async () => {
    const folder = await scratchFolder(session.demo, 'search-description');
    const file = await upload(session.demo, `/${folder.name}/plain.bin`, Buffer.from([1, 2, 3]));
    const patched = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      description: 'tagged quokkamarker',
    });
    assert.equal(patched.status, 200);
    const items = await search('/me/drive/root', 'quokkamarker');
    assert.ok(items.some((item) => item.id === file.id));
  });

  it('binary content is not searched', async () => {
    const folder = await scratchFolder(session.demo, 'search-binary');
    const file = await upload(
      session.demo,
      `/${folder.name}/blob.bin`,
      Buffer.from('hidden axolotlword'),
    );
    const items = await search('/me/drive/root', 'axolotlword');
    assert.ok(!items.some((item) => item.id === file.id), '.bin content is not text');
  });

  it('search by path scope works', async () => {
    const folder = await scratchFolder(session.demo, 'search-path');
    const file = await upload(session.demo, `/${folder.name}/dingoberry.txt`, 'd');
    const items = await search(`/me/drive/root:/${folder.name}:`, 'dingoberry');
    assert.deepEqual(
      items.map((item) => item.id),
      [file.id],
    );
  });

  it('empty q is 400', async () => {
    assertGraphError(await session.demo.get("/me/drive/root/search(q='')"), 400, 'invalidRequest');
    assertGraphError(await session.demo.get('/me/drive/root/search()'), 400, 'invalidRequest');
  });

  it('deleted items are not found', async () => {
    const folder = await scratchFolder(session.demo, 'search-deleted');
    const file = await upload(session.demo, `/${folder.name}/narwhalesque.txt`, 'n');
    assert.equal((await session.demo.delete(`/me/drive/items/${file.id}`)).status, 204);
    const items = await search('/me/drive/root', 'narwhalesque');
    assert.ok(!items.some((item) => item.id === file.id));
  });
});

describe('recent', () => {
  it('lists recently modified files newest first', async () => {
    const folder = await scratchFolder(session.demo, 'recent');
    const older = await upload(session.demo, `/${folder.name}/older.txt`, 'o');
    const newer = await upload(session.demo, `/${folder.name}/newer.txt`, 'n');
    const reply = await session.demo.get('/me/drive/recent');
    assert.equal(reply.status, 200);
    const items = reply.json<WireCollection<FeatureItem>>().value;
    const newerIndex = items.findIndex((item) => item.id === newer.id);
    const olderIndex = items.findIndex((item) => item.id === older.id);
    assert.ok(newerIndex >= 0, 'newer file listed');
    assert.ok(olderIndex >= 0, 'older file listed');
    assert.ok(newerIndex < olderIndex, 'newest first');
    for (const item of items) {
      assert.equal(item.folder, undefined, 'only files are listed');
      assert.equal(typeof item.fileSystemInfo?.lastAccessedDateTime, 'string');
    }
    for (let index = 1; index < items.length; index += 1) {
      const previous = Date.parse(items[index - 1]?.lastModifiedDateTime ?? '');
      const current = Date.parse(items[index]?.lastModifiedDateTime ?? '');
      assert.ok(previous >= current, 'ordered by lastModifiedDateTime descending');
    }
  });

  it('returns at most 100 files', async () => {
    const folder = await scratchFolder(session.demo, 'recent-many');
    for (let index = 0; index < 105; index += 1) {
      await upload(session.demo, `/${folder.name}/r${index}.txt`, 'r');
    }
    const items = (await session.demo.get('/me/drive/recent')).json<WireCollection>().value;
    assert.equal(items.length, 100);
    assert.equal(items[0]?.name, 'r104.txt');
  });

  it('recycled files are not recent', async () => {
    const folder = await scratchFolder(session.demo, 'recent-deleted');
    const file = await upload(session.demo, `/${folder.name}/gone.txt`, 'g');
    assert.equal((await session.demo.delete(`/me/drive/items/${file.id}`)).status, 204);
    const items = (await session.demo.get('/me/drive/recent')).json<WireCollection>().value;
    assert.ok(!items.some((item) => item.id === file.id));
  });

  it('needs a token', async () => {
    const reply = await session.demo.get('/me/drive/recent', { authorization: '' });
    assert.equal(reply.status, 401);
  });
});
