import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  byPath,
  QUOTA_BYTES,
  type Session,
  scratchFolder,
  startSession,
  upload,
  type WireDrive,
  type WireQuota,
} from './helpers.ts';

async function readQuota(session: Session, user: 'demo' | 'alice' = 'demo'): Promise<WireQuota> {
  const reply = await session[user].get('/me/drive');
  assert.equal(reply.status, 200);
  const quota = reply.json<WireDrive>().quota;
  assert.ok(quota, 'drive.quota is missing');
  return quota;
}

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('drive resource and quota', () => {
  it('GET /me/drive is a personal drive with quota', async () => {
    const reply = await session.demo.get('/me/drive');
    assert.equal(reply.status, 200);
    const drive = reply.json<WireDrive>();
    assert.equal(typeof drive.id, 'string');
    assert.ok(drive.id.length > 0);
    assert.equal(drive.driveType, 'personal');
    assert.equal(typeof drive.owner?.user?.displayName, 'string');

    const quota = drive.quota;
    assert.ok(quota);
    assert.equal(quota.total, QUOTA_BYTES);
    for (const field of ['used', 'remaining', 'deleted'] as const) {
      assert.ok(Number.isInteger(quota[field]), `quota.${field} must be an integer`);
      assert.ok((quota[field] as number) >= 0, `quota.${field} must not be negative`);
    }
    assert.equal(quota.state, 'normal');
  });

  it('GET /drives/{id} matches /me/drive', async () => {
    const reply = await session.demo.get(`/drives/${encodeURIComponent(session.demoDriveId)}`);
    assert.equal(reply.status, 200);
    const drive = reply.json<WireDrive>();
    assert.equal(drive.id, session.demoDriveId);
    assert.equal(drive.driveType, 'personal');
    assert.equal(drive.quota?.total, QUOTA_BYTES);
  });

  it('each user has a separate drive', async () => {
    const reply = await session.alice.get('/me/drive');
    assert.equal(reply.status, 200);
    assert.notEqual(reply.json<WireDrive>().id, session.demoDriveId);
  });

  it('another user drive is 403 or 404', async () => {
    const reply = await session.alice.get(`/drives/${encodeURIComponent(session.demoDriveId)}`);
    assert.ok([403, 404].includes(reply.status), `got ${reply.status}`);
    assertGraphError(reply, reply.status, ['accessDenied', 'itemNotFound']);
  });

  it('another user items are unreachable', async () => {
    const folder = await scratchFolder(session.demo, 'private');
    const file = await upload(session.demo, `/${folder.name}/secret.txt`, 'top secret');
    const drive = encodeURIComponent(session.demoDriveId);

    const byDrive = await session.alice.get(`/drives/${drive}/items/${file.id}`);
    assert.ok([403, 404].includes(byDrive.status), `by drive: ${byDrive.status}`);
    const byDriveContent = await session.alice.get(`/drives/${drive}/items/${file.id}/content`);
    assert.ok([403, 404].includes(byDriveContent.status), `content: ${byDriveContent.status}`);
    const byRootPath = await session.alice.get(`/drives/${drive}/root:/${folder.name}/secret.txt`);
    assert.ok([403, 404].includes(byRootPath.status), `by path: ${byRootPath.status}`);
    const children = await session.alice.get(`/drives/${drive}/root/children`);
    assert.ok([403, 404].includes(children.status), `children: ${children.status}`);

    const ownDrive = await session.alice.get(`/me/drive/items/${file.id}`);
    assertGraphError(ownDrive, 404, 'itemNotFound');
    const ownPath = await session.alice.get(byPath(`/${folder.name}/secret.txt`));
    assertGraphError(ownPath, 404, 'itemNotFound');
  });

  it('another user cannot write into a drive', async () => {
    const drive = encodeURIComponent(session.demoDriveId);
    const put = await session.alice.put(`/drives/${drive}/root:/planted.txt:/content`, 'x');
    assert.ok([403, 404].includes(put.status), `upload: ${put.status}`);
    const mkdir = await session.alice.postJson(`/drives/${drive}/root/children`, {
      name: 'planted',
      folder: {},
    });
    assert.ok([403, 404].includes(mkdir.status), `create folder: ${mkdir.status}`);

    const check = await session.demo.get(byPath('/planted.txt'));
    assertGraphError(check, 404, 'itemNotFound');
  });

  it('unknown drive id is 404', async () => {
    const reply = await session.demo.get('/drives/ffffffffffffffff');
    assert.ok([403, 404].includes(reply.status), `got ${reply.status}`);
    assertGraphError(reply, reply.status, ['itemNotFound', 'accessDenied']);
  });

  it('upload increases quota.used by its size', async () => {
    const folder = await scratchFolder(session.alice, 'quota');
    const before = await readQuota(session, 'alice');
    const content = Buffer.alloc(12_345, 7);
    await upload(session.alice, `/${folder.name}/blob.bin`, content);
    const after = await readQuota(session, 'alice');

    assert.equal((after.used ?? 0) - (before.used ?? 0), content.length);
    assert.equal((before.remaining ?? 0) - (after.remaining ?? 0), content.length);
    assert.equal(after.total, QUOTA_BYTES);
  });

  it('replacing a file keeps the old version charged', async () => {
    // OneDrive keeps the replaced content as a version, and versions count against storage.
    const folder = await scratchFolder(session.alice, 'quota-replace');
    const path = `/${folder.name}/grow.bin`;
    await upload(session.alice, path, Buffer.alloc(1000));
    const before = await readQuota(session, 'alice');
    await upload(session.alice, path, Buffer.alloc(3000));
    const after = await readQuota(session, 'alice');
    assert.equal((after.used ?? 0) - (before.used ?? 0), 3000);
  });

  it('delete moves bytes into quota.deleted', async () => {
    const folder = await scratchFolder(session.alice, 'recycle');
    const content = Buffer.alloc(4321, 1);
    const file = await upload(session.alice, `/${folder.name}/bin.dat`, content);
    const before = await readQuota(session, 'alice');

    const reply = await session.alice.delete(`/me/drive/items/${file.id}`);
    assert.equal(reply.status, 204);
    const after = await readQuota(session, 'alice');
    assert.equal((after.deleted ?? 0) - (before.deleted ?? 0), content.length);
  });

  it('deleting a folder counts its subtree as deleted', async () => {
    const folder = await scratchFolder(session.alice, 'recycle-tree');
    await upload(session.alice, `/${folder.name}/a.bin`, Buffer.alloc(100));
    await upload(session.alice, `/${folder.name}/b.bin`, Buffer.alloc(250));
    const before = await readQuota(session, 'alice');

    const reply = await session.alice.delete(`/me/drive/items/${folder.id}`);
    assert.equal(reply.status, 204);
    const after = await readQuota(session, 'alice');
    assert.equal((after.deleted ?? 0) - (before.deleted ?? 0), 350);
  });
});

describe('quota state thresholds', () => {
  let session: Session;

  before(async () => {
    session = await startSession({ quotaBytes: 1000 });
  });
  after(async () => {
    await session?.close();
  });

  it('state follows remaining space', async () => {
    // nearing below 10% remaining, critical below 1%.
    const start = await readQuota(session);
    assert.equal(start.total, 1000);
    assert.equal(start.state, 'normal');
    const used = start.used ?? 0;

    await upload(session.demo, '/fill-1.bin', Buffer.alloc(950 - used));
    const nearing = await readQuota(session);
    assert.equal(nearing.remaining, 50);
    assert.equal(nearing.state, 'nearing');

    await upload(session.demo, '/fill-2.bin', Buffer.alloc(45));
    const critical = await readQuota(session);
    assert.equal(critical.remaining, 5);
    assert.equal(critical.state, 'critical');
  });

  it('upload beyond remaining quota is 507', async () => {
    const before = await readQuota(session);
    const reply = await session.demo.put(
      `${byPath('/too-big.bin')}/content`,
      Buffer.alloc((before.remaining ?? 0) + 10),
    );
    assertGraphError(reply, 507, 'quotaLimitReached');
    const check = await session.demo.get(byPath('/too-big.bin'));
    assertGraphError(check, 404, 'itemNotFound');
    const after = await readQuota(session);
    assert.equal(after.used, before.used);
  });
});
