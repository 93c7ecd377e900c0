import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertClientError,
  assertGraphError,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireCollection,
  type WireItem,
} from './helpers.ts';

interface Version {
  id: string;
  lastModifiedDateTime?: string;
  lastModifiedBy?: { user?: { id?: string } };
  size?: number;
}

let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

/** Uploads three contents to one path and returns the file. */
async function threeVersions(): Promise<{ file: WireItem; path: string }> {
  const folder = await scratchFolder(session.demo, 'versions');
  const path = `/${folder.name}/doc.txt`;
  await upload(session.demo, path, 'one');
  await upload(session.demo, path, 'two!');
  const file = await upload(session.demo, path, 'three');
  return { file, path };
}

async function versions(itemId: string): Promise<Version[]> {
  const reply = await session.demo.get(`/me/drive/items/${itemId}/versions`);
  assert.equal(reply.status, 200, reply.text());
  return reply.json<WireCollection<Version>>().value;
}

async function versionContent(itemId: string, versionId: string): Promise<string> {
  const reply = await session.demo.get(`/me/drive/items/${itemId}/versions/${versionId}/content`);
  assert.equal(reply.status, 302, `version content answered ${reply.status}`);
  const download = await send(session.dispatcher, 'GET', reply.header('location') ?? '');
  assert.equal(download.status, 200);
  return download.text();
}

describe('versions', () => {
  it('lists versions newest first', async () => {
    const { file } = await threeVersions();
    const list = await versions(file.id);
    assert.deepEqual(
      list.map((version) => version.id),
      ['3.0', '2.0', '1.0'],
    );
    assert.deepEqual(
      list.map((version) => version.size),
      [5, 4, 3],
    );
    for (const version of list) {
      assert.equal(typeof version.lastModifiedDateTime, 'string');
      assert.ok(version.lastModifiedBy, 'lastModifiedBy expected');
    }
  });

  it('version content returns old bytes', async () => {
    const { file } = await threeVersions();
    assert.equal(await versionContent(file.id, '1.0'), 'one');
    assert.equal(await versionContent(file.id, '2.0'), 'two!');
    assert.equal(await versionContent(file.id, '3.0'), 'three');
  });

  it('single version by id', async () => {
    const { file } = await threeVersions();
    const reply = await session.demo.get(`/me/drive/items/${file.id}/versions/2.0`);
    assert.equal(reply.status, 200);
    assert.equal(reply.json<Version>().id, '2.0');
    assert.equal(reply.json<Version>().size, 4);
  });

  it('restoreVersion adds a new current version', async () => {
    const { file } = await threeVersions();
    const reply = await session.demo.call(
      'POST',
      `/me/drive/items/${file.id}/versions/1.0/restoreVersion`,
    );
    assert.equal(reply.status, 204, reply.text());
    assert.equal(reply.body.length, 0);

    const list = await versions(file.id);
    assert.deepEqual(
      list.map((version) => version.id),
      ['4.0', '3.0', '2.0', '1.0'],
    );
    assert.equal(list[0]?.size, 3);
    const item = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(item.size, 3);
    const download = await send(
      session.dispatcher,
      'GET',
      item['@microsoft.graph.downloadUrl'] ?? '',
    );
    assert.equal(download.text(), 'one');
  });

  it('metadata edits add no version', async () => {
    const { file } = await threeVersions();
    const renamed = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      description: 'x',
    });
    assert.equal(renamed.status, 200);
    assert.equal((await versions(file.id)).length, 3);
  });

  it('unknown version is 404', async () => {
    const { file } = await threeVersions();
    assertGraphError(
      await session.demo.get(`/me/drive/items/${file.id}/versions/9.0`),
      404,
      'itemNotFound',
    );
    const restore = await session.demo.call(
      'POST',
      `/me/drive/items/${file.id}/versions/9.0/restoreVersion`,
    );
    assert.equal(restore.status, 404);
  });

  it('folder has no versions', async () => {
    const folder = await scratchFolder(session.demo, 'versions-folder');
    assertClientError(await session.demo.get(`/me/drive/items/${folder.id}/versions`));
  });

  it('versions by path match versions by id', async () => {
    const { file, path } = await threeVersions();
    const reply = await session.demo.get(`/me/drive/root:${path}:/versions`);
    assert.equal(reply.status, 200, reply.text());
    const ids = reply.json<WireCollection<Version>>().value.map((version) => version.id);
    assert.deepEqual(
      ids,
      (await versions(file.id)).map((version) => version.id),
    );
  });

  it('restored version content is served', async () => {
    const { file } = await threeVersions();
    const restore = await session.demo.call(
      'POST',
      `/me/drive/items/${file.id}/versions/2.0/restoreVersion`,
    );
    assert.equal(restore.status, 204);
    assert.equal(await versionContent(file.id, '4.0'), 'two!');
    assert.equal(await versionContent(file.id, '3.0'), 'three');
  });

  it('upload session replace adds a version', async () => {
    const folder = await scratchFolder(session.demo, 'versions-session');
    const file = await upload(session.demo, `/${folder.name}/big.txt`, 'small');
    const created = await session.demo.postJson(
      `/me/drive/items/${file.id}/createUploadSession`,
      {},
    );
    assert.equal(created.status, 200, created.text());
    const uploadUrl = created.json<{ uploadUrl: string }>().uploadUrl;
    const body = Buffer.from('replaced through a session');
    const put = await send(session.dispatcher, 'PUT', uploadUrl, {
      headers: {
        'content-range': `bytes 0-${body.length - 1}/${body.length}`,
        'content-length': String(body.length),
      },
      body,
    });
    assert.equal(put.status, 200, put.text());
    const list = await versions(file.id);
    assert.deepEqual(
      list.map((version) => version.id),
      ['2.0', '1.0'],
    );
    assert.equal(list[0]?.size, body.length);
    assert.equal(await versionContent(file.id, '1.0'), 'small');
  });

  it('new file has one version', async () => {
    const folder = await scratchFolder(session.demo, 'versions-new');
    const file = await upload(session.demo, `/${folder.name}/single.txt`, 'only');
    const list = await versions(file.id);
    assert.equal(list.length, 1);
    assert.equal(list[0]?.id, '1.0');
  });
});
