import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  assertHashes,
  assertItemShape,
  byPath,
  createFolder,
  decodeParentPath,
  ITEM_ID_PATTERN,
  type Session,
  scratchFolder,
  startSession,
  uniqueName,
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

describe('item metadata and addressing', () => {
  let base: WireItem;
  let inner: WireItem;
  let file: WireItem;
  const content = Buffer.from('The contents of the file goes here.');

  before(async () => {
    // Layout: /{base}/inner/note.txt
    base = await scratchFolder(session.demo, 'items');
    inner = await createFolder(session.demo, `/me/drive/items/${base.id}`, 'inner');
    file = await upload(session.demo, `/${base.name}/inner/note.txt`, content);
  });

  it('root carries the root facet', async () => {
    const reply = await session.demo.get('/me/drive/root');
    assert.equal(reply.status, 200);
    const root = reply.json<WireItem>();
    assert.match(root.id, ITEM_ID_PATTERN);
    assert.deepEqual(root.root, {});
    assert.ok(root.folder, 'root must be a folder');
    assert.ok(Number.isInteger(root.folder.childCount));
    assert.match(root.eTag ?? '', /^".+"$/);
  });

  it('only the root carries the root facet', async () => {
    const reply = await session.demo.get(`/me/drive/items/${base.id}`);
    assert.equal(reply.json<WireItem>().root, undefined);
  });

  it('file item has the full property set', async () => {
    const reply = await session.demo.get(`/me/drive/items/${file.id}`);
    assert.equal(reply.status, 200);
    const item = reply.json<WireItem>();
    assertItemShape(item, 'file');
    assert.equal(item.name, 'note.txt');
    assert.equal(item.size, content.length);
    assertHashes(item, content);
    assert.equal(item.parentReference?.id, inner.id);
    assert.equal(item.parentReference?.driveId, session.demoDriveId);
    assert.equal(decodeParentPath(item.parentReference?.path), `/drive/root:/${base.name}/inner`);
    assert.ok(!item.id.includes('#'));
  });

  it('folder item has the full property set', async () => {
    const reply = await session.demo.get(`/me/drive/items/${inner.id}`);
    assert.equal(reply.status, 200);
    const item = reply.json<WireItem>();
    assertItemShape(item, 'folder');
    assert.equal(item.folder?.childCount, 1);
    assert.equal(item['@microsoft.graph.downloadUrl'], undefined);
    assert.equal(item.parentReference?.id, base.id);
  });

  it('root children have parent path /drive/root:', async () => {
    const reply = await session.demo.get(`/me/drive/items/${base.id}`);
    const path = reply.json<WireItem>().parentReference?.path;
    assert.ok(['/drive/root:', '/drive/root:/'].includes(path ?? ''), `got ${path}`);
  });

  const addressForms: Array<
    [string, (s: { base: string; innerId: string; drive: string }) => string]
  > = [
    ['root:/a/b without trailing colon', (s) => `/me/drive/root:/${s.base}/inner/note.txt`],
    ['root:/a/b: with trailing colon', (s) => `/me/drive/root:/${s.base}/inner/note.txt:`],
    ['items/{id}:/rel/path:', (s) => `/me/drive/items/${s.innerId}:/note.txt:`],
    ['drives/{id}/root:/a/b:', (s) => `/drives/${s.drive}/root:/${s.base}/inner/note.txt:`],
    ['drives/{id}/items/{id}:/rel:', (s) => `/drives/${s.drive}/items/${s.innerId}:/note.txt:`],
  ];

  for (const [label, build] of addressForms) {
    it(`addresses a file by ${label}`, async () => {
      const path = build({
        base: base.name,
        innerId: inner.id,
        drive: encodeURIComponent(session.demoDriveId),
      });
      const reply = await session.demo.get(path);
      assert.equal(reply.status, 200, reply.text());
      assert.equal(reply.json<WireItem>().id, file.id);
    });
  }

  it('addresses a file by drives/{id}/items/{id}', async () => {
    const drive = encodeURIComponent(session.demoDriveId);
    const reply = await session.demo.get(`/drives/${drive}/items/${file.id}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.json<WireItem>().id, file.id);
  });

  it('items/root is the root folder', async () => {
    const viaAlias = (await session.demo.get('/me/drive/items/root')).json<WireItem>();
    const root = (await session.demo.get('/me/drive/root')).json<WireItem>();
    assert.equal(viaAlias.id, root.id);
  });

  it('lists root children via items/root/children', async () => {
    const reply = await session.demo.get('/me/drive/items/root/children?$top=1000');
    assert.equal(reply.status, 200);
    const names = reply.json<WireCollection>().value.map((item) => item.name);
    assert.ok(names.includes(base.name));
  });

  it('path addressing ignores case', async () => {
    const upper = `/me/drive/root:/${base.name.toUpperCase()}/INNER/NOTE.TXT`;
    const reply = await session.demo.get(upper);
    assert.equal(reply.status, 200);
    const item = reply.json<WireItem>();
    assert.equal(item.id, file.id);
    assert.equal(item.name, 'note.txt');
  });

  it('item ids are case-sensitive in routing', async () => {
    const variant =
      file.id.toUpperCase() === file.id ? file.id.toLowerCase() : file.id.toUpperCase();
    if (variant === file.id) {
      return;
    }
    const reply = await session.demo.get(`/me/drive/items/${variant}`);
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('missing id is 404 itemNotFound', async () => {
    const reply = await session.demo.get('/me/drive/items/0123456789abcdef!987654');
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('missing path is 404 itemNotFound', async () => {
    const reply = await session.demo.get(byPath(`/${base.name}/inner/absent.txt`));
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('path through a file is 404', async () => {
    const reply = await session.demo.get(byPath(`/${base.name}/inner/note.txt/child`));
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('HEAD item answers 200 without a body', async () => {
    const reply = await session.demo.call('HEAD', `/me/drive/items/${file.id}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 0);
  });

  it('HEAD missing item answers 404', async () => {
    const reply = await session.demo.call('HEAD', byPath(`/${base.name}/nothing-here`));
    assert.equal(reply.status, 404);
    assert.equal(reply.body.length, 0);
  });

  it('$select limits item properties', async () => {
    const reply = await session.demo.get(`/me/drive/items/${file.id}?$select=name,size`);
    assert.equal(reply.status, 200);
    const item = reply.json<WireItem>();
    assert.equal(item.name, 'note.txt');
    assert.equal(item.size, content.length);
    assert.equal(item.eTag, undefined);
    assert.equal(item.file, undefined);
    assert.equal(item.parentReference, undefined);
  });

  it('$select can ask for the download URL alone', async () => {
    const reply = await session.demo.get(
      `/me/drive/items/${file.id}?$select=id,@microsoft.graph.downloadUrl`,
    );
    assert.equal(reply.status, 200);
    const item = reply.json<WireItem>();
    assert.equal(item.id, file.id);
    assert.equal(typeof item['@microsoft.graph.downloadUrl'], 'string');
    assert.equal(item.name, undefined);
  });

  it('If-None-Match with current eTag is 304', async () => {
    const current = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    const reply = await session.demo.get(`/me/drive/items/${file.id}`, {
      'if-none-match': current.eTag ?? '',
    });
    assert.equal(reply.status, 304);
    assert.equal(reply.body.length, 0);
  });

  it('If-None-Match with current cTag is 304', async () => {
    const current = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    const reply = await session.demo.get(`/me/drive/items/${file.id}`, {
      'if-none-match': current.cTag ?? '',
    });
    assert.equal(reply.status, 304);
  });

  it('If-None-Match list containing the eTag is 304', async () => {
    const current = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    const reply = await session.demo.get(`/me/drive/items/${file.id}`, {
      'if-none-match': `"{00000000-0000-0000-0000-000000000000},1", ${current.eTag}`,
    });
    assert.equal(reply.status, 304);
  });

  it('If-None-Match with a stale eTag is 200', async () => {
    const reply = await session.demo.get(`/me/drive/items/${file.id}`, {
      'if-none-match': '"{00000000-0000-0000-0000-000000000000},1"',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json<WireItem>().id, file.id);
  });

  it('If-None-Match compares eTags case-sensitively', async () => {
    const current = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    const etag = current.eTag ?? '';
    const changed = etag === etag.toLowerCase() ? etag.toUpperCase() : etag.toLowerCase();
    if (changed === etag) {
      return;
    }
    const reply = await session.demo.get(`/me/drive/items/${file.id}`, {
      'if-none-match': changed,
    });
    assert.equal(reply.status, 200);
  });
});

describe('writes addressed by drive id', () => {
  it('full item lifecycle under /drives/{id}', async () => {
    const drive = `/drives/${encodeURIComponent(session.demoDriveId)}`;
    const created = await session.demo.postJson(`${drive}/root/children`, {
      name: uniqueName('by-drive'),
      folder: {},
    });
    assert.equal(created.status, 201, created.text());
    const folder = created.json<WireItem>();

    const put = await session.demo.put(`${drive}/items/${folder.id}:/f.txt:/content`, 'drive');
    assert.equal(put.status, 201, put.text());
    const file = put.json<WireItem>();

    const renamed = await session.demo.patchJson(`${drive}/items/${file.id}`, { name: 'g.txt' });
    assert.equal(renamed.status, 200, renamed.text());
    assert.equal(renamed.json<WireItem>().name, 'g.txt');

    const list = await session.demo.get(`${drive}/items/${folder.id}/children`);
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.json<WireCollection>().value.map((item) => item.name),
      ['g.txt'],
    );

    const content = await session.demo.get(`${drive}/root:/${folder.name}/g.txt:/content`);
    assert.equal(content.status, 302);

    const removed = await session.demo.delete(`${drive}/items/${file.id}`);
    assert.equal(removed.status, 204);
    assertGraphError(await session.demo.get(`${drive}/items/${file.id}`), 404, 'itemNotFound');
  });
});
