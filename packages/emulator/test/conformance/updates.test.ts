import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  byPath,
  createFolder,
  DOCUMENTED_ERROR_CODES,
  decodeParentPath,
  type Session,
  scratchFolder,
  sendRawPath,
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

describe('item updates', () => {
  it('rename keeps id, changes eTag, keeps cTag', async () => {
    const folder = await scratchFolder(session.demo, 'rename');
    const file = await upload(session.demo, `/${folder.name}/old.txt`, 'abc');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, { name: 'new.txt' });
    assert.equal(reply.status, 200, reply.text());
    const renamed = reply.json<WireItem>();
    assert.equal(renamed.id, file.id);
    assert.equal(renamed.name, 'new.txt');
    assert.notEqual(renamed.eTag, file.eTag);
    assert.equal(renamed.cTag, file.cTag);

    assertGraphError(
      await session.demo.get(byPath(`/${folder.name}/old.txt`)),
      404,
      'itemNotFound',
    );
    const byNewPath = await session.demo.get(byPath(`/${folder.name}/new.txt`));
    assert.equal(byNewPath.json<WireItem>().id, file.id);
  });

  it('rename to a sibling name is 409', async () => {
    const folder = await scratchFolder(session.demo, 'rename-clash');
    await upload(session.demo, `/${folder.name}/one.txt`, '1');
    const two = await upload(session.demo, `/${folder.name}/two.txt`, '2');
    const reply = await session.demo.patchJson(`/me/drive/items/${two.id}`, { name: 'ONE.txt' });
    assertGraphError(reply, 409, 'nameAlreadyExists');
    const still = (await session.demo.get(`/me/drive/items/${two.id}`)).json<WireItem>();
    assert.equal(still.name, 'two.txt');
  });

  it('rename changes only the letter case', async () => {
    const folder = await scratchFolder(session.demo, 'recase');
    const file = await upload(session.demo, `/${folder.name}/readme.md`, '#');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, { name: 'README.md' });
    assert.equal(reply.status, 200, reply.text());
    assert.equal(reply.json<WireItem>().name, 'README.md');
  });

  it('description is stored and returned', async () => {
    const folder = await scratchFolder(session.demo, 'describe');
    const file = await upload(session.demo, `/${folder.name}/d.txt`, 'd');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      description: 'quarterly numbers',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json<WireItem>().description, 'quarterly numbers');
    const fetched = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(fetched.description, 'quarterly numbers');
  });

  it('fileSystemInfo timestamps are client-settable', async () => {
    const folder = await scratchFolder(session.demo, 'fsinfo');
    const file = await upload(session.demo, `/${folder.name}/t.txt`, 't');
    const stamps = {
      createdDateTime: '2001-02-03T04:05:06Z',
      lastModifiedDateTime: '2002-03-04T05:06:07Z',
    };
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      fileSystemInfo: stamps,
    });
    assert.equal(reply.status, 200);
    const info = reply.json<WireItem>().fileSystemInfo;
    assert.equal(Date.parse(info?.createdDateTime ?? ''), Date.parse(stamps.createdDateTime));
    assert.equal(
      Date.parse(info?.lastModifiedDateTime ?? ''),
      Date.parse(stamps.lastModifiedDateTime),
    );
  });

  it('move by parentReference.id keeps the id', async () => {
    const folder = await scratchFolder(session.demo, 'move');
    const target = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'target');
    const file = await upload(session.demo, `/${folder.name}/m.txt`, 'move me');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      parentReference: { id: target.id },
    });
    assert.equal(reply.status, 200, reply.text());
    const moved = reply.json<WireItem>();
    assert.equal(moved.id, file.id);
    assert.equal(moved.parentReference?.id, target.id);
    assert.equal(
      decodeParentPath(moved.parentReference?.path),
      `/drive/root:/${folder.name}/target`,
    );

    assertGraphError(await session.demo.get(byPath(`/${folder.name}/m.txt`)), 404, 'itemNotFound');
    const atNew = await session.demo.get(byPath(`/${folder.name}/target/m.txt`));
    assert.equal(atNew.json<WireItem>().id, file.id);
    const parent = (await session.demo.get(`/me/drive/items/${target.id}`)).json<WireItem>();
    assert.equal(parent.folder?.childCount, 1);
  });

  it('move and rename in one request', async () => {
    const folder = await scratchFolder(session.demo, 'move-rename');
    const target = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'dest');
    const file = await upload(session.demo, `/${folder.name}/a.txt`, 'a');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      name: 'b.txt',
      parentReference: { id: target.id },
    });
    assert.equal(reply.status, 200);
    const moved = reply.json<WireItem>();
    assert.equal(moved.name, 'b.txt');
    assert.equal(moved.parentReference?.id, target.id);
  });

  it('moving a folder moves its subtree paths', async () => {
    const folder = await scratchFolder(session.demo, 'move-tree');
    const sub = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'sub');
    const dest = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'dest');
    const file = await upload(session.demo, `/${folder.name}/sub/deep.txt`, 'deep');
    const reply = await session.demo.patchJson(`/me/drive/items/${sub.id}`, {
      parentReference: { id: dest.id },
    });
    assert.equal(reply.status, 200);
    const moved = (
      await session.demo.get(byPath(`/${folder.name}/dest/sub/deep.txt`))
    ).json<WireItem>();
    assert.equal(moved.id, file.id);
    assert.equal(
      decodeParentPath(moved.parentReference?.path),
      `/drive/root:/${folder.name}/dest/sub`,
    );
  });

  it('renaming a folder updates descendant paths', async () => {
    const folder = await scratchFolder(session.demo, 'rename-tree');
    await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'before');
    const file = await upload(session.demo, `/${folder.name}/before/x.txt`, 'x');
    const sub = (await session.demo.get(byPath(`/${folder.name}/before`))).json<WireItem>();
    const reply = await session.demo.patchJson(`/me/drive/items/${sub.id}`, { name: 'after' });
    assert.equal(reply.status, 200);
    const moved = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(
      decodeParentPath(moved.parentReference?.path),
      `/drive/root:/${folder.name}/after`,
    );
  });

  it('folder cTag changes when a descendant changes', async () => {
    const folder = await scratchFolder(session.demo, 'ctag-tree');
    const sub = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'sub');
    const before = (await session.demo.get(`/me/drive/items/${folder.id}`)).json<WireItem>();
    await upload(session.demo, `/${folder.name}/sub/new.txt`, 'new');
    const after = (await session.demo.get(`/me/drive/items/${folder.id}`)).json<WireItem>();
    assert.notEqual(after.cTag, before.cTag);
    const subAfter = (await session.demo.get(`/me/drive/items/${sub.id}`)).json<WireItem>();
    assert.notEqual(subAfter.cTag, sub.cTag);
  });

  it('description change alters eTag only', async () => {
    const folder = await scratchFolder(session.demo, 'etag-meta');
    const file = await upload(session.demo, `/${folder.name}/e.txt`, 'e');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, { description: 'd' });
    const changed = reply.json<WireItem>();
    assert.notEqual(changed.eTag, file.eTag);
    assert.equal(changed.cTag, file.cTag);
  });

  it('move to the root alias is rejected', async () => {
    // Graph does not accept "root" as parentReference.id; clients must send the real id.
    const folder = await scratchFolder(session.demo, 'move-alias');
    const file = await upload(session.demo, `/${folder.name}/a.txt`, 'a');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      parentReference: { id: 'root' },
    });
    assert.ok([400, 404].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
    const still = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(still.parentReference?.id, folder.id);
  });

  it('move to the root by its id works', async () => {
    const folder = await scratchFolder(session.demo, 'move-root');
    const file = await upload(session.demo, `/${folder.name}/${folder.name}-top.txt`, 'a');
    const root = (await session.demo.get('/me/drive/root')).json<WireItem>();
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      parentReference: { id: root.id },
    });
    assert.equal(reply.status, 200, reply.text());
    assert.equal(reply.json<WireItem>().parentReference?.id, root.id);
  });

  it('move into another user drive is rejected', async () => {
    const folder = await scratchFolder(session.demo, 'move-cross');
    const file = await upload(session.demo, `/${folder.name}/mine.txt`, 'mine');
    const aliceDrive = (await session.alice.get('/me/drive')).json<{ id: string }>().id;
    const aliceRoot = (await session.alice.get('/me/drive/root')).json<WireItem>();
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      parentReference: { driveId: aliceDrive, id: aliceRoot.id },
    });
    assert.ok([400, 403, 404].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
    const still = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(still.parentReference?.id, folder.id);
    const list = (await session.alice.get('/me/drive/root/children')).json<WireCollection>();
    assert.ok(!list.value.some((item) => item.name === 'mine.txt'));
  });

  it('move onto an existing name is 409', async () => {
    const folder = await scratchFolder(session.demo, 'move-clash');
    const dest = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'dest');
    await upload(session.demo, `/${folder.name}/dest/Taken.txt`, 'old');
    const file = await upload(session.demo, `/${folder.name}/taken.TXT`, 'new');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      parentReference: { id: dest.id },
    });
    assertGraphError(reply, 409, 'nameAlreadyExists');
    const still = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(still.parentReference?.id, folder.id);
  });

  it('PATCH with If-Match * succeeds', async () => {
    const folder = await scratchFolder(session.demo, 'if-match-star');
    const file = await upload(session.demo, `/${folder.name}/star.txt`, 'x');
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}`,
      { description: 'any version' },
      { 'if-match': '*' },
    );
    assert.equal(reply.status, 200, reply.text());
  });

  it('moving a folder into its own subtree fails', async () => {
    const folder = await scratchFolder(session.demo, 'move-cycle');
    const child = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'child');
    const reply = await session.demo.patchJson(`/me/drive/items/${folder.id}`, {
      parentReference: { id: child.id },
    });
    assert.equal(reply.status, 400, reply.text());
    assertGraphError(reply, 400, 'invalidRequest');
    const still = (await session.demo.get(`/me/drive/items/${folder.id}`)).json<WireItem>();
    assert.notEqual(still.parentReference?.id, child.id);
  });

  it('move to a missing parent fails', async () => {
    const folder = await scratchFolder(session.demo, 'move-missing');
    const file = await upload(session.demo, `/${folder.name}/f.txt`, 'f');
    const reply = await session.demo.patchJson(`/me/drive/items/${file.id}`, {
      parentReference: { id: '0123456789abcdef!999999' },
    });
    assert.ok([400, 404].includes(reply.status), `got ${reply.status}`);
    assertGraphError(reply, reply.status, ['itemNotFound', 'invalidRequest']);
  });

  it('large JSON body gets a response', async () => {
    // The server may accept 8 MiB or reject it with 413. A reset connection leaves the
    // client without a status to act on.
    const folder = await scratchFolder(session.demo, 'big-json');
    const body = JSON.stringify({ description: 'x'.repeat(8 * 1024 * 1024) });
    const reply = await sendRawPath(
      session.emu.url,
      'PATCH',
      `/v1.0/me/drive/items/${folder.id}`,
      { authorization: `Bearer ${session.demo.token}`, 'content-type': 'application/json' },
      body,
    );
    if (reply.status !== 200) {
      assertGraphError(reply, 413, DOCUMENTED_ERROR_CODES);
    }
  });

  it('PATCH of a missing item is 404', async () => {
    const reply = await session.demo.patchJson('/me/drive/items/0123456789abcdef!999998', {
      name: 'x.txt',
    });
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('PATCH with malformed JSON is 400', async () => {
    const folder = await scratchFolder(session.demo, 'bad-json');
    const reply = await session.demo.call('PATCH', `/me/drive/items/${folder.id}`, {
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assertGraphError(reply, 400, 'invalidRequest');
  });

  it('PATCH with If-Match mismatch is 412', async () => {
    const folder = await scratchFolder(session.demo, 'if-match');
    const file = await upload(session.demo, `/${folder.name}/x.txt`, 'x');
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}`,
      { name: 'y.txt' },
      { 'if-match': '"{00000000-0000-0000-0000-000000000000},9"' },
    );
    assertGraphError(reply, 412, 'resourceModified');
    const still = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    assert.equal(still.name, 'x.txt');
  });

  it('PATCH with matching If-Match succeeds', async () => {
    const folder = await scratchFolder(session.demo, 'if-match-ok');
    const file = await upload(session.demo, `/${folder.name}/x.txt`, 'x');
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}`,
      { name: 'y.txt' },
      { 'if-match': file.eTag ?? '' },
    );
    assert.equal(reply.status, 200, reply.text());
  });

  it('If-Match list containing the eTag succeeds', async () => {
    // HTTP allows a comma-separated list of entity tags; any one match is enough.
    const folder = await scratchFolder(session.demo, 'if-match-list');
    const file = await upload(session.demo, `/${folder.name}/l.txt`, 'l');
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}`,
      { description: 'listed' },
      { 'if-match': `"{00000000-0000-0000-0000-000000000000},1", ${file.eTag}` },
    );
    assert.equal(reply.status, 200, reply.text());
  });

  it('stale eTag after rename fails If-Match', async () => {
    const folder = await scratchFolder(session.demo, 'stale');
    const file = await upload(session.demo, `/${folder.name}/s.txt`, 's');
    await session.demo.patchJson(`/me/drive/items/${file.id}`, { description: 'changed' });
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}`,
      { name: 'late.txt' },
      { 'if-match': file.eTag ?? '' },
    );
    assertGraphError(reply, 412, 'resourceModified');
  });
});
