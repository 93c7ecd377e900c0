import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertClientError,
  assertGraphError,
  byPath,
  createFolder,
  listAll,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireCollection,
  type WireItem,
} from './helpers.ts';

const BIG_FOLDER_SIZE = 450;

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('listing children with paging', () => {
  let big: WireItem;
  const expectedNames = new Set<string>();

  before(async () => {
    big = await scratchFolder(session.demo, 'big');

    // 450 small files, 10 requests in flight at a time.
    const names = Array.from(
      { length: BIG_FOLDER_SIZE },
      (_, i) => `f${String(i).padStart(3, '0')}.txt`,
    );
    for (let start = 0; start < names.length; start += 10) {
      await Promise.all(
        names
          .slice(start, start + 10)
          .map((name) => upload(session.demo, `/${big.name}/${name}`, name)),
      );
    }
    for (const name of names) {
      expectedNames.add(name);
    }
  });

  it('default paging gives 200, 200, 50', async () => {
    const { items, pages } = await listAll(session.demo, `/me/drive/items/${big.id}/children`);
    assert.deepEqual(
      pages.map((page) => page.value.length),
      [200, 200, 50],
    );
    assert.equal(items.length, BIG_FOLDER_SIZE);
    assert.equal(
      new Set(items.map((item) => item.id)).size,
      BIG_FOLDER_SIZE,
      'ids repeat across pages',
    );
    assert.deepEqual(new Set(items.map((item) => item.name)), expectedNames);
  });

  it('nextLink is absolute on Graph origin', async () => {
    const reply = await session.demo.get(`/me/drive/items/${big.id}/children`);
    const next = reply.json<WireCollection>()['@odata.nextLink'];
    assert.equal(typeof next, 'string');
    const url = new URL(next as string);
    assert.equal(url.origin, new URL(session.emu.graphUrl).origin);
    assert.ok(url.pathname.startsWith('/v1.0/'), `nextLink path ${url.pathname}`);
  });

  it('nextLink requires the bearer token', async () => {
    const reply = await session.demo.get(`/me/drive/items/${big.id}/children`);
    const next = reply.json<WireCollection>()['@odata.nextLink'] as string;
    const anonymous = await send(session.dispatcher, 'GET', next);
    assertGraphError(anonymous, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
  });

  it('path-addressed children page the same way', async () => {
    const { pages } = await listAll(session.demo, `${byPath(`/${big.name}`)}/children`);
    assert.deepEqual(
      pages.map((page) => page.value.length),
      [200, 200, 50],
    );
  });

  it('$top=1000 returns all 450 in one page', async () => {
    const reply = await session.demo.get(`/me/drive/items/${big.id}/children?$top=1000`);
    assert.equal(reply.status, 200);
    const page = reply.json<WireCollection>();
    assert.equal(page.value.length, BIG_FOLDER_SIZE);
    assert.equal(page['@odata.nextLink'], undefined);
  });

  it('$top=1001 is 400', async () => {
    const reply = await session.demo.get(`/me/drive/items/${big.id}/children?$top=1001`);
    assertGraphError(reply, 400, 'invalidRequest');
  });

  for (const bad of ['0', '-1', 'abc']) {
    it(`$top=${bad} is 400`, async () => {
      const reply = await session.demo.get(`/me/drive/items/${big.id}/children?$top=${bad}`);
      assertGraphError(reply, 400, 'invalidRequest');
    });
  }

  it('$top=150 pages keep the size', async () => {
    const { pages, items } = await listAll(
      session.demo,
      `/me/drive/items/${big.id}/children?$top=150`,
    );
    assert.deepEqual(
      pages.map((page) => page.value.length),
      [150, 150, 150],
    );
    assert.deepEqual(new Set(items.map((item) => item.name)), expectedNames);
  });

  it('ordering survives paging', async () => {
    const { items } = await listAll(
      session.demo,
      `/me/drive/items/${big.id}/children?$orderby=${encodeURIComponent('name desc')}&$top=100`,
    );
    const names = items.map((item) => item.name);
    assert.equal(names.length, BIG_FOLDER_SIZE);
    assert.deepEqual(names, [...expectedNames].sort().reverse());
  });

  it('$select survives paging', async () => {
    const { pages } = await listAll(
      session.demo,
      `/me/drive/items/${big.id}/children?$select=id,name&$top=200`,
    );
    assert.equal(pages.length, 3);
    for (const page of pages) {
      for (const item of page.value) {
        assert.equal(typeof item.id, 'string');
        assert.equal(typeof item.name, 'string');
        assert.equal(item.size, undefined, 'size should be left out by $select');
        assert.equal(item.file, undefined, 'file should be left out by $select');
      }
    }
  });

  it('tampered $skiptoken is 400', async () => {
    const reply = await session.demo.get(`/me/drive/items/${big.id}/children`);
    const next = new URL(reply.json<WireCollection>()['@odata.nextLink'] as string);
    const tokenKey = [...next.searchParams.keys()].find(
      (key) => key.toLowerCase() === '$skiptoken',
    );
    assert.ok(tokenKey, `nextLink has no $skiptoken: ${next}`);
    next.searchParams.set(tokenKey, 'garbage!!');
    const tampered = await send(session.dispatcher, 'GET', next.toString(), {
      headers: { authorization: `Bearer ${session.demo.token}` },
    });
    assertGraphError(tampered, 400, 'invalidRequest');
  });
});

describe('ordering and selecting children', () => {
  let folder: WireItem;
  const files = [
    { name: 'bravo.txt', size: 30 },
    { name: 'alpha.txt', size: 10 },
    { name: 'delta.txt', size: 20 },
    { name: 'charlie.txt', size: 40 },
  ];

  before(async () => {
    folder = await scratchFolder(session.demo, 'order');
    for (const file of files) {
      await upload(session.demo, `/${folder.name}/${file.name}`, Buffer.alloc(file.size, 1));
    }
  });

  async function listOrdered(orderby: string): Promise<WireItem[]> {
    const reply = await session.demo.get(
      `/me/drive/items/${folder.id}/children?$orderby=${encodeURIComponent(orderby)}`,
    );
    assert.equal(reply.status, 200, reply.text());
    return reply.json<WireCollection>().value;
  }

  it('$orderby=name ascending', async () => {
    const names = (await listOrdered('name')).map((item) => item.name);
    assert.deepEqual(names, ['alpha.txt', 'bravo.txt', 'charlie.txt', 'delta.txt']);
  });

  it('$orderby=name asc explicit', async () => {
    const names = (await listOrdered('name asc')).map((item) => item.name);
    assert.deepEqual(names, ['alpha.txt', 'bravo.txt', 'charlie.txt', 'delta.txt']);
  });

  it('$orderby=name desc', async () => {
    const names = (await listOrdered('name desc')).map((item) => item.name);
    assert.deepEqual(names, ['delta.txt', 'charlie.txt', 'bravo.txt', 'alpha.txt']);
  });

  it('$orderby=size asc', async () => {
    const sizes = (await listOrdered('size asc')).map((item) => item.size);
    assert.deepEqual(sizes, [10, 20, 30, 40]);
  });

  it('$orderby=size desc', async () => {
    const sizes = (await listOrdered('size desc')).map((item) => item.size);
    assert.deepEqual(sizes, [40, 30, 20, 10]);
  });

  it('$orderby=lastModifiedDateTime asc and desc', async () => {
    // Make alpha.txt the newest by changing its content last.
    await upload(session.demo, `/${folder.name}/alpha.txt`, Buffer.alloc(10, 2));

    const ascending = await listOrdered('lastModifiedDateTime asc');
    const times = ascending.map((item) => Date.parse(item.lastModifiedDateTime ?? ''));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.equal(ascending.at(-1)?.name, 'alpha.txt');

    const descending = await listOrdered('lastModifiedDateTime desc');
    const descTimes = descending.map((item) => Date.parse(item.lastModifiedDateTime ?? ''));
    assert.deepEqual(
      descTimes,
      [...descTimes].sort((a, b) => b - a),
    );
    assert.equal(descending[0]?.name, 'alpha.txt');
  });

  it('$select=id,name returns only those', async () => {
    const reply = await session.demo.get(`/me/drive/items/${folder.id}/children?$select=id,name`);
    assert.equal(reply.status, 200);
    const items = reply.json<WireCollection>().value;
    assert.equal(items.length, files.length);
    for (const item of items) {
      const keys = Object.keys(item).filter((key) => !key.startsWith('@odata.'));
      assert.deepEqual(keys.sort(), ['id', 'name']);
    }
  });

  it('children of a file is an error', async () => {
    const file = await upload(session.demo, `/${folder.name}/plain.bin`, 'x');
    const reply = await session.demo.get(`/me/drive/items/${file.id}/children`);
    assertClientError(reply);
    await session.demo.delete(`/me/drive/items/${file.id}`);
  });

  it('children of a missing folder is 404', async () => {
    const reply = await session.demo.get(`${byPath(`/${folder.name}/nope`)}/children`);
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('empty folder lists an empty value array', async () => {
    const empty = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'empty');
    const reply = await session.demo.get(`/me/drive/items/${empty.id}/children`);
    assert.equal(reply.status, 200);
    const page = reply.json<WireCollection>();
    assert.deepEqual(page.value, []);
    assert.equal(page['@odata.nextLink'], undefined);
    await session.demo.delete(`/me/drive/items/${empty.id}`);
  });
});
