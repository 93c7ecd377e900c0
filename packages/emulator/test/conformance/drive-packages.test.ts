import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeatureItem } from './feature-helpers.ts';
import { postControl } from './feature-helpers.ts';
import {
  assertGraphError,
  type Session,
  scratchFolder,
  send,
  startSession,
  type WireCollection,
} from './helpers.ts';

let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

function createPackage(body: unknown) {
  return postControl(session.dispatcher, session.emu.url, 'packages', body);
}

describe('OneNote packages', () => {
  it('package item has the package facet only', async () => {
    const folder = await scratchFolder(session.demo, 'pkg');
    const created = await createPackage({
      username: 'demo',
      parentPath: `/${folder.name}`,
      name: 'Notebook',
      files: [
        { name: 'Section.one', content: 'section bytes' },
        { name: 'Open Notebook.onetoc2', content: 'toc' },
      ],
    });
    assert.equal(created.status, 201, created.text());
    const item = created.json<FeatureItem>();

    const read = await session.demo.get(`/me/drive/items/${item.id}`);
    assert.equal(read.status, 200);
    const got = read.json<FeatureItem>();
    assert.deepEqual(got.package, { type: 'oneNote' });
    assert.equal(got.folder, undefined);
    assert.equal(got.file, undefined);
    assert.equal(got.parentReference?.id, folder.id);

    const children = await session.demo.get(`/me/drive/items/${item.id}/children`);
    assert.equal(children.status, 200);
    const names = children
      .json<WireCollection>()
      .value.map((child) => child.name)
      .sort();
    assert.deepEqual(names, ['Open Notebook.onetoc2', 'Section.one']);

    assertGraphError(
      await session.demo.get(`/me/drive/items/${item.id}/content`),
      404,
      'itemNotFound',
    );

    const listing = (await session.demo.get(`/me/drive/items/${folder.id}/children`)).json<
      WireCollection<FeatureItem>
    >();
    assert.deepEqual(listing.value.find((child) => child.id === item.id)?.package, {
      type: 'oneNote',
    });
  });

  it('package files download and delete with the package', async () => {
    const folder = await scratchFolder(session.demo, 'pkg-files');
    const created = await createPackage({
      parentPath: `/${folder.name}`,
      name: 'Notes',
      files: [{ name: 'a.one', content: 'alpha' }],
    });
    const item = created.json<FeatureItem>();
    const children = (
      await session.demo.get(`/me/drive/items/${item.id}/children`)
    ).json<WireCollection>();
    const child = children.value[0];
    assert.ok(child?.file, 'package children are files');
    const content = await session.demo.get(`/me/drive/items/${child.id}/content`);
    assert.equal(content.status, 302);
    const bytes = await send(session.dispatcher, 'GET', content.header('location') ?? '');
    assert.equal(bytes.text(), 'alpha');

    assert.equal((await session.demo.delete(`/me/drive/items/${item.id}`)).status, 204);
    assertGraphError(await session.demo.get(`/me/drive/items/${child.id}`), 404, 'itemNotFound');
  });

  it('package appears in delta', async () => {
    const folder = await scratchFolder(session.demo, 'pkg-delta');
    const created = await createPackage({ parentPath: `/${folder.name}`, name: 'Book', files: [] });
    const item = created.json<FeatureItem>();
    const delta = await session.demo.get(`/me/drive/items/${folder.id}/delta`);
    assert.equal(delta.status, 200);
    const entry = delta
      .json<WireCollection<FeatureItem>>()
      .value.find((each) => each.id === item.id);
    assert.deepEqual(entry?.package, { type: 'oneNote' });
  });

  it('taken name is 409', async () => {
    const folder = await scratchFolder(session.demo, 'pkg-conflict');
    const body = { parentPath: `/${folder.name}`, name: 'Book', files: [] };
    assert.equal((await createPackage(body)).status, 201);
    assert.equal((await createPackage(body)).status, 409);
  });

  it('missing parent is 404', async () => {
    const reply = await createPackage({
      parentPath: '/no-such-folder-here',
      name: 'Book',
      files: [],
    });
    assert.equal(reply.status, 404);
  });
});
