import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, startDrive } from './drive-helpers.ts';

describe('special folders', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('HEAD of a missing special folder is 404 and creates nothing', async () => {
    const head = await drive.graph('HEAD', '/me/drive/special/music');
    assert.equal(head.status, 404);
    assert.equal((await drive.graph('GET', '/me/drive/root:/Music')).status, 404);
  });

  it('GET creates the folder on first use with the specialFolder facet', async () => {
    const reply = await drive.graph('GET', '/me/drive/special/documents');
    assert.equal(reply.status, 200);
    assert.equal(reply.json.name, 'Documents');
    assert.deepEqual(reply.json.specialFolder, { name: 'documents' });
    const again = await drive.graph('GET', '/me/drive/special/Documents');
    assert.equal(again.json.id, reply.json.id);
    assert.equal((await drive.graph('HEAD', '/me/drive/special/documents')).status, 200);
  });

  it('camera roll lives in Pictures and approot in Apps', async () => {
    const roll = await drive.graph('GET', '/me/drive/special/cameraroll');
    assert.equal(roll.json.name, 'Camera Roll');
    assert.equal(roll.json.parentReference.path, '/drive/root:/Pictures');
    const app = await drive.graph('GET', '/me/drive/special/approot/children');
    assert.equal(app.status, 200);
    assert.deepEqual(app.json.value, []);
    const appFolder = await drive.graph('GET', '/me/drive/root:/Apps/skydrive');
    assert.deepEqual(appFolder.json.specialFolder, { name: 'approot' });
  });

  it('upload by path below a special folder creates it', async () => {
    const reply = await drive.graph(
      'PUT',
      '/me/drive/special/photos:/cat.txt:/content',
      Buffer.from('meow'),
    );
    assert.equal(reply.status, 201);
    assert.equal(reply.json.parentReference.path, '/drive/root:/Pictures');
    const listed = await drive.graph('GET', '/me/drive/special/photos/children');
    assert.deepEqual(listed.json.value.map((item: { name: string }) => item.name).sort(), [
      'Camera Roll',
      'cat.txt',
    ]);
  });

  it('a deleted special folder is created again on the next use', async () => {
    const first = await drive.graph('GET', '/me/drive/special/music');
    await drive.graph('DELETE', `/me/drive/items/${first.json.id}`);
    assert.equal((await drive.graph('HEAD', '/me/drive/special/music')).status, 404);
    const second = await drive.graph('GET', '/me/drive/special/music');
    assert.equal(second.status, 200);
    assert.notEqual(second.json.id, first.json.id);
    assert.deepEqual(second.json.specialFolder, { name: 'music' });
  });

  it('an unknown special folder name is 400', async () => {
    const reply = await drive.graph('GET', '/me/drive/special/desktop2');
    assert.equal(reply.status, 400);
    assert.equal(graphError(reply).code, 'invalidRequest');
  });
});
