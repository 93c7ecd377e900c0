import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeatureItem } from './feature-helpers.ts';
import { assertGraphError, type Session, startSession, type WireCollection } from './helpers.ts';

let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('special folders', () => {
  it('HEAD never creates the folder', async () => {
    const head = await session.demo.call('HEAD', '/me/drive/special/music');
    assert.equal(head.status, 404);
    const root = await session.demo.get('/me/drive/root/children');
    const names = root.json<WireCollection>().value.map((item) => item.name);
    assert.ok(!names.includes('Music'), 'HEAD must not create the folder');
  });

  it('GET creates it with the specialFolder facet', async () => {
    const reply = await session.demo.get('/me/drive/special/documents');
    assert.equal(reply.status, 200, reply.text());
    const folder = reply.json<FeatureItem>();
    assert.equal(folder.name, 'Documents');
    assert.deepEqual(folder.specialFolder, { name: 'documents' });
    assert.ok(folder.folder, 'folder facet expected');
    const again = (await session.demo.get('/me/drive/special/Documents')).json<FeatureItem>();
    assert.equal(again.id, folder.id, 'names ignore case and the folder is reused');
    assert.equal((await session.demo.call('HEAD', '/me/drive/special/documents')).status, 200);
  });

  it('children listing creates it', async () => {
    const reply = await session.demo.get('/me/drive/special/photos/children');
    assert.equal(reply.status, 200, reply.text());
    assert.deepEqual(reply.json<WireCollection>().value, []);
    const folder = (await session.demo.get('/me/drive/root:/Pictures')).json<FeatureItem>();
    assert.deepEqual(folder.specialFolder, { name: 'photos' });
  });

  it('upload through approot creates it', async () => {
    assert.equal((await session.demo.call('HEAD', '/me/drive/special/approot')).status, 404);
    const direct = await session.demo.put('/me/drive/special/approot:/x.txt:/content', 'app data');
    assert.equal(direct.status, 201, direct.text());
    const file = direct.json<FeatureItem>();
    assert.equal(file.name, 'x.txt');
    const byPath = await session.demo.get('/me/drive/special/approot:/x.txt');
    assert.equal(byPath.status, 200);
    assert.equal(byPath.json<FeatureItem>().id, file.id);
    const app = (await session.demo.get('/me/drive/special/approot')).json<FeatureItem>();
    assert.equal(file.parentReference?.id, app.id);
    assert.deepEqual(app.specialFolder, { name: 'approot' });

    // Upload by path does not create a missing folder below the special folder.
    const nested = await session.demo.put('/me/drive/special/approot:/sub/y.txt:/content', 'y');
    assertGraphError(nested, 404, 'itemNotFound');
  });

  it('cameraroll is under Pictures', async () => {
    const camera = (await session.demo.get('/me/drive/special/cameraroll')).json<FeatureItem>();
    assert.equal(camera.name, 'Camera Roll');
    const pictures = (await session.demo.get('/me/drive/root:/Pictures')).json<FeatureItem>();
    assert.equal(camera.parentReference?.id, pictures.id);
  });

  it('deleted special folder is created again', async () => {
    const first = (await session.demo.get('/me/drive/special/music')).json<FeatureItem>();
    assert.equal((await session.demo.delete(`/me/drive/items/${first.id}`)).status, 204);
    assert.equal((await session.demo.call('HEAD', '/me/drive/special/music')).status, 404);
    const second = await session.demo.get('/me/drive/special/music/children');
    assert.equal(second.status, 200);
    const recreated = (await session.demo.get('/me/drive/special/music')).json<FeatureItem>();
    assert.notEqual(recreated.id, first.id);
  });

  it('special path content round trip', async () => {
    const put = await session.demo.put('/me/drive/special/documents:/letter.txt:/content', 'dear');
    assert.equal(put.status, 201, put.text());
    const get = await session.demo.get('/me/drive/special/documents:/letter.txt:/content');
    assert.equal(get.status, 302);
    const children = await session.demo.get('/me/drive/special/documents/children');
    const names = children.json<WireCollection>().value.map((item) => item.name);
    assert.ok(names.includes('letter.txt'));
  });

  it('drives/{id} addressing reaches the same folder', async () => {
    const mine = (await session.demo.get('/me/drive/special/documents')).json<FeatureItem>();
    const byDrive = await session.demo.get(`/drives/${session.demoDriveId}/special/documents`);
    assert.equal(byDrive.status, 200);
    assert.equal(byDrive.json<FeatureItem>().id, mine.id);
  });

  it('existing folder of the name is adopted', async () => {
    const made = await session.alice.postJson('/me/drive/root/children', {
      name: 'Music',
      folder: {},
    });
    assert.equal(made.status, 201, made.text());
    const special = (await session.alice.get('/me/drive/special/music')).json<FeatureItem>();
    assert.equal(special.id, made.json<FeatureItem>().id);
    assert.deepEqual(special.specialFolder, { name: 'music' });
  });

  it('unknown special name is 400', async () => {
    assertGraphError(await session.demo.get('/me/drive/special/nonsense'), 400, 'invalidRequest');
  });

  it('other users special folders stay separate', async () => {
    const demo = (await session.demo.get('/me/drive/special/documents')).json<FeatureItem>();
    const alice = (await session.alice.get('/me/drive/special/documents')).json<FeatureItem>();
    assert.notEqual(demo.id, alice.id);
  });
});
