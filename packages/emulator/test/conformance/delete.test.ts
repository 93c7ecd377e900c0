import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  byPath,
  createFolder,
  type Session,
  scratchFolder,
  startSession,
  upload,
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

describe('item deletion', () => {
  it('DELETE answers 204 with empty body', async () => {
    const folder = await scratchFolder(session.demo, 'delete');
    const file = await upload(session.demo, `/${folder.name}/gone.txt`, 'bye');
    const reply = await session.demo.delete(`/me/drive/items/${file.id}`);
    assert.equal(reply.status, 204);
    assert.equal(reply.body.length, 0);
    assertGraphError(await session.demo.get(`/me/drive/items/${file.id}`), 404, 'itemNotFound');
    const parent = (await session.demo.get(`/me/drive/items/${folder.id}`)).json<WireItem>();
    assert.equal(parent.folder?.childCount, 0);
  });

  it('DELETE by path works', async () => {
    const folder = await scratchFolder(session.demo, 'delete-path');
    await upload(session.demo, `/${folder.name}/p.txt`, 'p');
    const reply = await session.demo.delete(byPath(`/${folder.name}/p.txt`));
    assert.equal(reply.status, 204);
    assertGraphError(await session.demo.get(byPath(`/${folder.name}/p.txt`)), 404, 'itemNotFound');
  });

  it('DELETE of a folder removes its subtree', async () => {
    const folder = await scratchFolder(session.demo, 'delete-tree');
    const sub = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'sub');
    const file = await upload(session.demo, `/${folder.name}/sub/leaf.txt`, 'leaf');
    const reply = await session.demo.delete(`/me/drive/items/${folder.id}`);
    assert.equal(reply.status, 204);
    for (const id of [folder.id, sub.id, file.id]) {
      assertGraphError(await session.demo.get(`/me/drive/items/${id}`), 404, 'itemNotFound');
    }
  });

  it('DELETE twice is 404 the second time', async () => {
    const folder = await scratchFolder(session.demo, 'delete-twice');
    const reply = await session.demo.delete(`/me/drive/items/${folder.id}`);
    assert.equal(reply.status, 204);
    assertGraphError(
      await session.demo.delete(`/me/drive/items/${folder.id}`),
      404,
      'itemNotFound',
    );
  });

  it('DELETE with If-Match mismatch is 412', async () => {
    const folder = await scratchFolder(session.demo, 'delete-412');
    const file = await upload(session.demo, `/${folder.name}/keep.txt`, 'keep');
    const reply = await session.demo.delete(`/me/drive/items/${file.id}`, {
      'if-match': '"{00000000-0000-0000-0000-000000000000},1"',
    });
    assertGraphError(reply, 412, 'resourceModified');
    assert.equal((await session.demo.get(`/me/drive/items/${file.id}`)).status, 200);
  });

  it('DELETE with matching If-Match is 204', async () => {
    const folder = await scratchFolder(session.demo, 'delete-match');
    const file = await upload(session.demo, `/${folder.name}/go.txt`, 'go');
    const reply = await session.demo.delete(`/me/drive/items/${file.id}`, {
      'if-match': file.eTag ?? '',
    });
    assert.equal(reply.status, 204);
  });

  it('root cannot be deleted', async () => {
    const reply = await session.demo.delete('/me/drive/root');
    assert.ok([400, 403, 405].includes(reply.status), `got ${reply.status}`);
    assert.equal((await session.demo.get('/me/drive/root')).status, 200);
  });

  it('a name is free again after delete', async () => {
    const folder = await scratchFolder(session.demo, 'reuse');
    const first = await upload(session.demo, `/${folder.name}/same.txt`, 'one');
    await session.demo.delete(`/me/drive/items/${first.id}`);
    const reply = await session.demo.put(`${byPath(`/${folder.name}/same.txt`)}/content`, 'two');
    assert.equal(reply.status, 201);
    assert.notEqual(reply.json<WireItem>().id, first.id);
  });
});
