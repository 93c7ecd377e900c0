import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertClientError,
  assertGraphError,
  assertItemShape,
  byPath,
  createFolder,
  decodeParentPath,
  type Session,
  scratchFolder,
  startSession,
  upload,
  type WireCollection,
  type WireItem,
} from './helpers.ts';

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('creating folders', () => {
  it('POST children creates a folder with 201', async () => {
    const parent = await scratchFolder(session.demo, 'mkdir');
    const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children`, {
      name: 'New Folder',
      folder: {},
    });
    assert.equal(reply.status, 201, reply.text());
    const created = reply.json<WireItem>();
    assertItemShape(created, 'folder');
    assert.equal(created.name, 'New Folder');
    assert.equal(created.folder?.childCount, 0);
    assert.equal(created.size, 0);
    assert.equal(created.parentReference?.id, parent.id);
    assert.equal(created.parentReference?.driveId, session.demoDriveId);
    assert.equal(decodeParentPath(created.parentReference?.path), `/drive/root:/${parent.name}`);

    const after = (await session.demo.get(`/me/drive/items/${parent.id}`)).json<WireItem>();
    assert.equal(after.folder?.childCount, 1);
  });

  it('POST children works on root and by path', async () => {
    const name = `root-child-${process.pid}`;
    const atRoot = await session.demo.postJson('/me/drive/root/children', { name, folder: {} });
    assert.equal(atRoot.status, 201);
    const nested = await session.demo.postJson(`${byPath(`/${name}`)}/children`, {
      name: 'nested',
      folder: {},
    });
    assert.equal(nested.status, 201, nested.text());
    assert.equal(nested.json<WireItem>().parentReference?.id, atRoot.json<WireItem>().id);
  });

  it('duplicate name fails with 409 by default', async () => {
    const parent = await scratchFolder(session.demo, 'mkdir-dup');
    await createFolder(session.demo, `/me/drive/items/${parent.id}`, 'Same');
    const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children`, {
      name: 'Same',
      folder: {},
    });
    assertGraphError(reply, 409, 'nameAlreadyExists');
  });

  const conflictForms: Array<[string, (behavior: string) => { query: string; body: object }]> = [
    ['in the body', (b) => ({ query: '', body: { '@microsoft.graph.conflictBehavior': b } })],
    ['in the query', (b) => ({ query: `?@microsoft.graph.conflictBehavior=${b}`, body: {} })],
    [
      'as legacy @name.conflictBehavior',
      (b) => ({ query: '', body: { '@name.conflictBehavior': b } }),
    ],
  ];

  for (const [label, form] of conflictForms) {
    it(`conflictBehavior fail ${label} is 409`, async () => {
      const parent = await scratchFolder(session.demo, 'cb-fail');
      await createFolder(session.demo, `/me/drive/items/${parent.id}`, 'Docs');
      const { query, body } = form('fail');
      const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children${query}`, {
        name: 'Docs',
        folder: {},
        ...body,
      });
      assertGraphError(reply, 409, 'nameAlreadyExists');
    });

    it(`conflictBehavior rename ${label} appends a number`, async () => {
      const parent = await scratchFolder(session.demo, 'cb-rename');
      await createFolder(session.demo, `/me/drive/items/${parent.id}`, 'Docs');
      const { query, body } = form('rename');
      const path = `/me/drive/items/${parent.id}/children${query}`;
      const first = await session.demo.postJson(path, { name: 'Docs', folder: {}, ...body });
      assert.equal(first.status, 201, first.text());
      assert.equal(first.json<WireItem>().name, 'Docs 1');
      const second = await session.demo.postJson(path, { name: 'Docs', folder: {}, ...body });
      assert.equal(second.status, 201);
      assert.equal(second.json<WireItem>().name, 'Docs 2');
    });

    it(`conflictBehavior replace ${label} leaves one folder`, async () => {
      const parent = await scratchFolder(session.demo, 'cb-replace');
      await createFolder(session.demo, `/me/drive/items/${parent.id}`, 'Docs');
      const { query, body } = form('replace');
      const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children${query}`, {
        name: 'Docs',
        folder: {},
        ...body,
      });
      assert.ok([200, 201].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
      assert.equal(reply.json<WireItem>().name, 'Docs');
      const list = (
        await session.demo.get(`/me/drive/items/${parent.id}/children`)
      ).json<WireCollection>();
      assert.deepEqual(
        list.value.map((item) => item.name),
        ['Docs'],
      );
    });
  }

  it('POST children without a folder facet is 400', async () => {
    const parent = await scratchFolder(session.demo, 'no-facet');
    const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children`, {
      name: 'facetless',
    });
    assertGraphError(reply, 400, 'invalidRequest');
    const list = (
      await session.demo.get(`/me/drive/items/${parent.id}/children`)
    ).json<WireCollection>();
    assert.deepEqual(list.value, []);
  });

  it('unknown conflictBehavior value is 400', async () => {
    const parent = await scratchFolder(session.demo, 'cb-bad');
    const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children`, {
      name: 'x',
      folder: {},
      '@microsoft.graph.conflictBehavior': 'overwrite-everything',
    });
    assertGraphError(reply, 400, 'invalidRequest');
  });

  it('missing name is 400', async () => {
    const parent = await scratchFolder(session.demo, 'no-name');
    const reply = await session.demo.postJson(`/me/drive/items/${parent.id}/children`, {
      folder: {},
    });
    assertGraphError(reply, 400, 'invalidRequest');
  });

  it('malformed JSON body is 400', async () => {
    const parent = await scratchFolder(session.demo, 'bad-body');
    const reply = await session.demo.call('POST', `/me/drive/items/${parent.id}/children`, {
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    assertGraphError(reply, 400, 'invalidRequest');
  });

  it('create under a missing parent is 404', async () => {
    const reply = await session.demo.postJson('/me/drive/items/0123456789abcdef!999997/children', {
      name: 'orphan',
      folder: {},
    });
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('create under a file is rejected', async () => {
    const parent = await scratchFolder(session.demo, 'under-file');
    const file = await upload(session.demo, `/${parent.name}/f.txt`, 'f');
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/children`, {
      name: 'child',
      folder: {},
    });
    assertClientError(reply);
    const list = (
      await session.demo.get(`/me/drive/items/${parent.id}/children`)
    ).json<WireCollection>();
    assert.deepEqual(
      list.value.map((item) => item.name),
      ['f.txt'],
    );
  });
});
