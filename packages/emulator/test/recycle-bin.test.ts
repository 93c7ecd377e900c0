import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, send, startDrive } from './drive-helpers.ts';

async function quota(drive: Drive) {
  return (await drive.graph('GET', '/me/drive')).json.quota as { used: number; deleted: number };
}

describe('recycle bin', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('a deleted item is readable by id with includeDeletedItems=true only', async () => {
    const file = await drive.put('/bin-read.txt', 'abc');
    await drive.graph('DELETE', `/me/drive/items/${file.id}`);
    const plain = await drive.graph('GET', `/me/drive/items/${file.id}`);
    assert.equal(plain.status, 404);
    const withDeleted = await drive.graph(
      'GET',
      `/me/drive/items/${file.id}?includeDeletedItems=true`,
    );
    assert.equal(withDeleted.status, 200);
    assert.equal(withDeleted.json.id, file.id);
    assert.ok(withDeleted.json.deleted);
  });

  it('restore brings a file back with the same id and shrinks quota.deleted', async () => {
    const file = await drive.put('/restore-me.txt', 'hello');
    await drive.graph('DELETE', `/me/drive/items/${file.id}`);
    const before = await quota(drive);
    const reply = await drive.graph('POST', `/me/drive/items/${file.id}/restore`, {});
    assert.equal(reply.status, 200);
    assert.equal(reply.json.id, file.id);
    assert.equal(reply.json.name, 'restore-me.txt');
    assert.equal(reply.json.deleted, undefined);
    const afterQuota = await quota(drive);
    assert.equal(before.deleted - afterQuota.deleted, 5);
    assert.equal((await drive.graph('GET', '/me/drive/root:/restore-me.txt')).status, 200);
  });

  it('restore folder with new parent and name', async () => {
    const folder = await drive.mkdir('tree');
    await drive.put('/tree/leaf.txt', 'leaf');
    const target = await drive.mkdir('elsewhere');
    await drive.graph('DELETE', `/me/drive/items/${folder.id}`);
    const reply = await drive.graph('POST', `/me/drive/items/${folder.id}/restore`, {
      parentReference: { id: target.id },
      name: 'tree-back',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.parentReference.id, target.id);
    const leaf = await drive.graph('GET', '/me/drive/root:/elsewhere/tree-back/leaf.txt');
    assert.equal(leaf.status, 200);
  });

  it('restore rejects live item and taken name', async () => {
    const live = await drive.put('/live.txt', 'x');
    const notDeleted = await drive.graph('POST', `/me/drive/items/${live.id}/restore`, {});
    assert.equal(notDeleted.status, 400);
    assert.equal(graphError(notDeleted).code, 'invalidRequest');

    const twin = await drive.put('/twin.txt', 'one');
    await drive.graph('DELETE', `/me/drive/items/${twin.id}`);
    await drive.put('/twin.txt', 'two');
    const clash = await drive.graph('POST', `/me/drive/items/${twin.id}/restore`, {});
    assert.equal(clash.status, 409);
    assert.equal(graphError(clash).code, 'nameAlreadyExists');
  });

  it('permanentDelete skips the bin and also purges an item already in it', async () => {
    const file = await drive.put('/purge.txt', '12345678');
    const before = await quota(drive);
    const reply = await drive.graph('POST', `/me/drive/items/${file.id}/permanentDelete`);
    assert.equal(reply.status, 204);
    assert.equal(reply.bytes.length, 0);
    const afterQuota = await quota(drive);
    assert.equal(before.used - afterQuota.used, 8);
    assert.equal(afterQuota.deleted, before.deleted);
    const gone = await drive.graph('GET', `/me/drive/items/${file.id}?includeDeletedItems=true`);
    assert.equal(gone.status, 404);

    const binned = await drive.put('/purge-later.txt', '1234');
    await drive.graph('DELETE', `/me/drive/items/${binned.id}`);
    const mid = await quota(drive);
    const purge = await drive.graph('POST', `/me/drive/items/${binned.id}/permanentDelete`);
    assert.equal(purge.status, 204);
    assert.equal(mid.deleted - (await quota(drive)).deleted, 4);
  });

  it('permanentDelete of the root is 403 and of a missing item is 404', async () => {
    const root = await drive.graph('POST', '/me/drive/root/permanentDelete');
    assert.equal(root.status, 403);
    assert.equal(graphError(root).code, 'accessDenied');
    const missing = await drive.graph('POST', '/me/drive/items/0000!9999/permanentDelete');
    assert.equal(missing.status, 404);
    assert.equal(graphError(missing).code, 'itemNotFound');
  });

  it('the control API lists the bin, top items only, newest first', async () => {
    const folder = await drive.mkdir('listed');
    await drive.put('/listed/inner.txt', 'i');
    await drive.graph('DELETE', `/me/drive/items/${folder.id}`);
    const reply = await send(`${drive.emu.url}/_emulator/recycleBin?username=demo`);
    assert.equal(reply.status, 200);
    const names = reply.json.value.map((item: { name: string }) => item.name);
    assert.equal(names[0], 'listed');
    assert.ok(!names.includes('inner.txt'));
    assert.ok(reply.json.value[0].deletedDateTime);
    const unknown = await send(`${drive.emu.url}/_emulator/recycleBin?username=nobody`);
    assert.equal(unknown.status, 404);
  });

  it('restore and permanentDelete answer 405 to GET', async () => {
    const file = await drive.put('/method.txt', 'm');
    assert.equal((await drive.graph('GET', `/me/drive/items/${file.id}/restore`)).status, 405);
    assert.equal(
      (await drive.graph('GET', `/me/drive/items/${file.id}/permanentDelete`)).status,
      405,
    );
  });
});
