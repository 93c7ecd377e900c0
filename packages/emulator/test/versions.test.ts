import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, send, startDrive } from './drive-helpers.ts';

describe('versions', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('keeps one version per content change, newest first', async () => {
    const file = await drive.put('/v.txt', 'one');
    await drive.put('/v.txt', 'two!');
    await drive.graph('PATCH', `/me/drive/items/${file.id}`, { description: 'metadata only' });
    await drive.put('/v.txt', 'three');
    const reply = await drive.graph('GET', `/me/drive/items/${file.id}/versions`);
    assert.equal(reply.status, 200);
    assert.deepEqual(
      reply.json.value.map((version: { id: string; size: number }) => [version.id, version.size]),
      [
        ['3.0', 5],
        ['2.0', 4],
        ['1.0', 3],
      ],
    );
    assert.ok(reply.json.value[0].lastModifiedBy.user.displayName);
  });

  it('serves one version and its content through a 302', async () => {
    const file = await drive.put('/c.txt', 'first');
    await drive.put('/c.txt', 'second');
    const one = await drive.graph('GET', `/me/drive/items/${file.id}/versions/1.0`);
    assert.equal(one.status, 200);
    assert.equal(one.json.id, '1.0');
    const content = await drive.graph('GET', `/me/drive/items/${file.id}/versions/1.0/content`);
    assert.equal(content.status, 302);
    const bytes = await send(content.headers.location as string);
    assert.equal(bytes.bytes.toString(), 'first');
  });

  it('restoreVersion makes the old content current as a new version', async () => {
    const file = await drive.put('/r.txt', 'alpha');
    await drive.put('/r.txt', 'beta');
    const reply = await drive.graph(
      'POST',
      `/me/drive/items/${file.id}/versions/1.0/restoreVersion`,
    );
    assert.equal(reply.status, 204);
    const item = await drive.graph('GET', `/me/drive/items/${file.id}`);
    assert.equal(item.json.size, 5);
    const listed = await drive.graph('GET', `/me/drive/items/${file.id}/versions`);
    assert.deepEqual(
      listed.json.value.map((version: { id: string }) => version.id),
      ['3.0', '2.0', '1.0'],
    );
    const download = await send(item.json['@microsoft.graph.downloadUrl']);
    assert.equal(download.bytes.toString(), 'alpha');
  });

  it('versions error statuses', async () => {
    const file = await drive.put('/x.txt', 'x');
    const missing = await drive.graph('GET', `/me/drive/items/${file.id}/versions/9.0`);
    assert.equal(missing.status, 404);
    assert.equal(graphError(missing).code, 'itemNotFound');
    const folder = await drive.mkdir('vf');
    assert.equal((await drive.graph('GET', `/me/drive/items/${folder.id}/versions`)).status, 400);
    const wrong = await drive.graph(
      'GET',
      `/me/drive/items/${file.id}/versions/1.0/restoreVersion`,
    );
    assert.equal(wrong.status, 405);
  });
});
