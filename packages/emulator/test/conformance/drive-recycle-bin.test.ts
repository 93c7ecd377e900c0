import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeatureItem } from './feature-helpers.ts';
import {
  assertGraphError,
  createFolder,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireCollection,
  type WireDrive,
} from './helpers.ts';

let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

async function quota(): Promise<{ used: number; deleted: number }> {
  const drive = (await session.demo.get('/me/drive')).json<WireDrive>();
  assert.equal(typeof drive.quota?.deleted, 'number');
  return { used: drive.quota?.used ?? -1, deleted: drive.quota?.deleted ?? -1 };
}

function getItem(id: string, query = '') {
  return session.demo.get(`/me/drive/items/${id}${query}`);
}

describe('recycle bin', () => {
  it('delete moves bytes to quota.deleted', async () => {
    const folder = await scratchFolder(session.demo, 'bin-quota');
    const file = await upload(session.demo, `/${folder.name}/f.bin`, Buffer.alloc(1234, 1));
    const before = await quota();
    assert.equal((await session.demo.delete(`/me/drive/items/${file.id}`)).status, 204);
    const afterDelete = await quota();
    assert.equal(afterDelete.deleted, before.deleted + 1234);

    const restored = await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {});
    assert.equal(restored.status, 200, restored.text());
    assert.equal((await quota()).deleted, before.deleted);
  });

  it('deleted item is hidden unless includeDeletedItems', async () => {
    const folder = await scratchFolder(session.demo, 'bin-include');
    const file = await upload(session.demo, `/${folder.name}/f.txt`, 'f');
    await session.demo.delete(`/me/drive/items/${file.id}`);
    assertGraphError(await getItem(file.id), 404, 'itemNotFound');
    const included = await getItem(file.id, '?includeDeletedItems=true');
    assert.equal(included.status, 200, included.text());
    const item = included.json<FeatureItem>();
    assert.equal(item.id, file.id);
    assert.ok(item.deleted, 'deleted facet expected');
    const children = (
      await session.demo.get(`/me/drive/items/${folder.id}/children`)
    ).json<WireCollection>();
    assert.deepEqual(children.value, []);
  });

  it('child of a binned folder is readable with includeDeletedItems', async () => {
    const folder = await scratchFolder(session.demo, 'bin-child');
    const file = await upload(session.demo, `/${folder.name}/c.txt`, 'c');
    await session.demo.delete(`/me/drive/items/${folder.id}`);
    const reply = await getItem(file.id, '?includeDeletedItems=true');
    assert.equal(reply.status, 200, reply.text());
    assert.equal(reply.json<FeatureItem>().id, file.id);
  });

  it('restore brings back the subtree with same ids', async () => {
    const folder = await scratchFolder(session.demo, 'bin-restore');
    const inner = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'inner');
    const file = await upload(session.demo, `/${folder.name}/inner/deep.txt`, 'deep');
    assert.equal((await session.demo.delete(`/me/drive/items/${inner.id}`)).status, 204);
    assertGraphError(await getItem(file.id), 404, 'itemNotFound');

    const reply = await session.demo.postJson(`/me/drive/items/${inner.id}/restore`, {});
    assert.equal(reply.status, 200, reply.text());
    const restored = reply.json<FeatureItem>();
    assert.equal(restored.id, inner.id);
    assert.equal(restored.parentReference?.id, folder.id);
    assert.equal(restored.deleted, undefined);
    assert.equal((await getItem(file.id)).status, 200);
  });

  it('restore to another folder with a new name', async () => {
    const folder = await scratchFolder(session.demo, 'bin-target');
    const target = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'target');
    const file = await upload(session.demo, `/${folder.name}/a.txt`, 'a');
    await session.demo.delete(`/me/drive/items/${file.id}`);
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {
      parentReference: { id: target.id },
      name: 'b.txt',
    });
    assert.equal(reply.status, 200, reply.text());
    assert.equal(reply.json<FeatureItem>().name, 'b.txt');
    assert.equal(reply.json<FeatureItem>().parentReference?.id, target.id);
  });

  it('restore onto a taken name is 409', async () => {
    const folder = await scratchFolder(session.demo, 'bin-conflict');
    const file = await upload(session.demo, `/${folder.name}/same.txt`, 'old');
    await session.demo.delete(`/me/drive/items/${file.id}`);
    await upload(session.demo, `/${folder.name}/same.txt`, 'new');
    assertGraphError(
      await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {}),
      409,
      'nameAlreadyExists',
    );
  });

  it('restore of a live item is 400', async () => {
    const folder = await scratchFolder(session.demo, 'bin-live');
    const file = await upload(session.demo, `/${folder.name}/live.txt`, 'l');
    assertGraphError(
      await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {}),
      400,
      'invalidRequest',
    );
  });

  it('permanentDelete of a binned item shrinks quota', async () => {
    const folder = await scratchFolder(session.demo, 'bin-purge');
    const file = await upload(session.demo, `/${folder.name}/p.bin`, Buffer.alloc(777, 2));
    const before = await quota();
    await session.demo.delete(`/me/drive/items/${file.id}`);
    assert.equal((await quota()).deleted, before.deleted + 777);
    const purge = await session.demo.call('POST', `/me/drive/items/${file.id}/permanentDelete`);
    assert.equal(purge.status, 204, purge.text());
    assert.equal(purge.body.length, 0);
    const afterPurge = await quota();
    assert.equal(afterPurge.deleted, before.deleted);
    assert.equal(afterPurge.used, before.used - 777);
    assert.equal((await getItem(file.id, '?includeDeletedItems=true')).status, 404);
    assert.ok(
      (await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {})).status >= 400,
    );
  });

  it('permanentDelete of a live item skips the bin', async () => {
    const folder = await scratchFolder(session.demo, 'bin-skip');
    const file = await upload(session.demo, `/${folder.name}/s.bin`, Buffer.alloc(500, 3));
    const before = await quota();
    assert.equal(
      (await session.demo.call('POST', `/me/drive/items/${file.id}/permanentDelete`)).status,
      204,
    );
    const afterPurge = await quota();
    assert.equal(afterPurge.deleted, before.deleted);
    assert.equal(afterPurge.used, before.used - 500);
    assert.equal((await getItem(file.id, '?includeDeletedItems=true')).status, 404);
  });

  it('folder delete bins its whole subtree', async () => {
    const folder = await scratchFolder(session.demo, 'bin-tree');
    await upload(session.demo, `/${folder.name}/a.bin`, Buffer.alloc(100, 1));
    await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'sub');
    await upload(session.demo, `/${folder.name}/sub/b.bin`, Buffer.alloc(200, 1));
    const before = await quota();
    assert.equal((await session.demo.delete(`/me/drive/items/${folder.id}`)).status, 204);
    assert.equal((await quota()).deleted, before.deleted + 300);
    assert.equal((await quota()).used, before.used, 'binned files still count in used');
    const purge = await session.demo.call('POST', `/me/drive/items/${folder.id}/permanentDelete`);
    assert.equal(purge.status, 204);
    const afterPurge = await quota();
    assert.equal(afterPurge.deleted, before.deleted);
    assert.equal(afterPurge.used, before.used - 300);
  });

  it('purged file has no versions', async () => {
    const folder = await scratchFolder(session.demo, 'bin-versions');
    const file = await upload(session.demo, `/${folder.name}/v.txt`, 'v1');
    await upload(session.demo, `/${folder.name}/v.txt`, 'v2');
    assert.equal(
      (await session.demo.call('POST', `/me/drive/items/${file.id}/permanentDelete`)).status,
      204,
    );
    assert.equal((await session.demo.get(`/me/drive/items/${file.id}/versions`)).status, 404);
  });

  it('restore into a binned parent is 400', async () => {
    const folder = await scratchFolder(session.demo, 'bin-orphan');
    const inner = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'inner');
    const file = await upload(session.demo, `/${folder.name}/inner/o.txt`, 'o');
    await session.demo.delete(`/me/drive/items/${file.id}`);
    await session.demo.delete(`/me/drive/items/${inner.id}`);
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {});
    assertGraphError(reply, 400, 'invalidRequest');
    const elsewhere = await session.demo.postJson(`/me/drive/items/${file.id}/restore`, {
      parentReference: { id: folder.id },
    });
    assert.equal(elsewhere.status, 200, elsewhere.text());
    assert.equal(elsewhere.json<FeatureItem>().parentReference?.id, folder.id);
  });

  it('permanentDelete of unknown item is 404', async () => {
    const reply = await session.demo.call(
      'POST',
      '/me/drive/items/0123456789ABCDEF!987654/permanentDelete',
    );
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('permanentDelete of root is 403', async () => {
    const reply = await session.demo.call('POST', '/me/drive/root/permanentDelete');
    assertGraphError(reply, 403, 'accessDenied');
  });

  it('control route lists the bin newest first', async () => {
    const folder = await scratchFolder(session.demo, 'bin-list');
    const first = await upload(session.demo, `/${folder.name}/1.txt`, '1');
    const second = await upload(session.demo, `/${folder.name}/2.txt`, '2');
    await session.demo.delete(`/me/drive/items/${first.id}`);
    await session.demo.delete(`/me/drive/items/${second.id}`);
    const reply = await send(
      session.dispatcher,
      'GET',
      `${session.emu.url}/_emulator/recycleBin?username=demo`,
    );
    assert.equal(reply.status, 200);
    const ids = reply.json<WireCollection<FeatureItem>>().value.map((item) => item.id);
    assert.ok(ids.includes(first.id), 'first deletion listed');
    assert.ok(ids.includes(second.id), 'second deletion listed');
    assert.ok(ids.indexOf(second.id) < ids.indexOf(first.id), 'newest deletion first');
  });

  it('other user cannot restore', async () => {
    const folder = await scratchFolder(session.demo, 'bin-other');
    const file = await upload(session.demo, `/${folder.name}/o.txt`, 'o');
    await session.demo.delete(`/me/drive/items/${file.id}`);
    const reply = await session.alice.postJson(
      `/drives/${session.demoDriveId}/items/${file.id}/restore`,
      {},
    );
    assert.equal(reply.status, 403);
  });
});
