import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  assertHashes,
  byPath,
  createFolder,
  listAll,
  type MonitorPoll,
  pollMonitor,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireDrive,
  type WireItem,
} from './helpers.ts';

/** Starts a copy and returns the monitor URL from the 202 response. */
async function startCopy(session: Session, itemId: string, body: object): Promise<string> {
  const reply = await session.demo.postJson(`/me/drive/items/${itemId}/copy`, body);
  assert.equal(reply.status, 202, reply.text());
  const location = reply.header('location');
  assert.ok(location, '202 without Location');
  return location;
}

/** Asserts the monitor went inProgress first and then completed, and returns the new item id. */
function completedResource(polls: MonitorPoll[]): string {
  const first = polls[0];
  const last = polls.at(-1);
  assert.ok(first, 'the monitor was never polled');
  assert.ok(last, 'the monitor was never polled');
  assert.equal(first.status, 202, `first poll answered ${first.status}`);
  assert.equal(first.body.status, 'inProgress');
  assert.equal(first.body.operation, 'ItemCopy');
  assert.equal(typeof first.body.percentageComplete, 'number');
  assert.ok(polls.length >= 2, 'the copy never reported inProgress before completing');

  assert.ok([200, 202, 303].includes(last.status), `final poll answered ${last.status}`);
  assert.equal(last.body.status, 'completed');
  assert.equal(last.body.percentageComplete, 100);
  assert.equal(typeof last.body.resourceId, 'string');
  return last.body.resourceId as string;
}

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('copy with monitor', () => {
  let source: WireItem;
  let destination: WireItem;
  const content = Buffer.from('copy me, byte for byte');

  before(async () => {
    source = await scratchFolder(session.demo, 'copy-src');
    destination = await scratchFolder(session.demo, 'copy-dst');
  });

  it('copy returns 202 with content-origin monitor', async () => {
    const file = await upload(session.demo, `/${source.name}/one.txt`, content);
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/copy`, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
      name: 'one-copy.txt',
    });
    assert.equal(reply.status, 202, reply.text());
    const location = reply.header('location') ?? '';
    assert.equal(new URL(location).origin, new URL(session.emu.contentUrl).origin);
    await pollMonitor(session.dispatcher, location);
  });

  it('file copy completes with resourceId', async () => {
    const file = await upload(session.demo, `/${source.name}/two.txt`, content);
    const monitor = await startCopy(session, file.id, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
      name: 'two-copy.txt',
    });
    const polls = await pollMonitor(session.dispatcher, monitor);
    const resourceId = completedResource(polls);
    assert.notEqual(resourceId, file.id);

    const copy = (await session.demo.get(`/me/drive/items/${resourceId}`)).json<WireItem>();
    assert.equal(copy.name, 'two-copy.txt');
    assert.equal(copy.parentReference?.id, destination.id);
    assert.equal(copy.size, content.length);
    assertHashes(copy, content);

    const original = await session.demo.get(`/me/drive/items/${file.id}`);
    assert.equal(original.status, 200);
    assert.equal(original.json<WireItem>().parentReference?.id, source.id);
  });

  it('copy without a name keeps the source name', async () => {
    const file = await upload(session.demo, `/${source.name}/keepname.txt`, content);
    const monitor = await startCopy(session, file.id, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
    });
    const resourceId = completedResource(await pollMonitor(session.dispatcher, monitor));
    const copy = (await session.demo.get(`/me/drive/items/${resourceId}`)).json<WireItem>();
    assert.equal(copy.name, 'keepname.txt');
  });

  it('copy into same folder under new name', async () => {
    const file = await upload(session.demo, `/${source.name}/twin.txt`, content);
    const monitor = await startCopy(session, file.id, { name: 'twin (copy).txt' });
    const resourceId = completedResource(await pollMonitor(session.dispatcher, monitor));
    const copy = (await session.demo.get(`/me/drive/items/${resourceId}`)).json<WireItem>();
    assert.equal(copy.name, 'twin (copy).txt');
    assert.equal(copy.parentReference?.id, source.id);
  });

  it('copied file content downloads unchanged', async () => {
    const file = await upload(session.demo, `/${source.name}/bytes.bin`, content);
    const monitor = await startCopy(session, file.id, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
      name: 'bytes-copy.bin',
    });
    const resourceId = completedResource(await pollMonitor(session.dispatcher, monitor));
    const redirect = await session.demo.get(`/me/drive/items/${resourceId}/content`);
    assert.equal(redirect.status, 302);
    const body = await send(session.dispatcher, 'GET', redirect.header('location') ?? '');
    assert.deepEqual(body.body, content);
  });

  it('copy is independent of later source changes', async () => {
    const file = await upload(session.demo, `/${source.name}/indep.txt`, content);
    const monitor = await startCopy(session, file.id, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
      name: 'indep-copy.txt',
    });
    const resourceId = completedResource(await pollMonitor(session.dispatcher, monitor));
    await upload(session.demo, `/${source.name}/indep.txt`, 'changed afterwards');
    const copy = (await session.demo.get(`/me/drive/items/${resourceId}`)).json<WireItem>();
    assertHashes(copy, content);
  });

  it('folder copy copies the whole subtree', async () => {
    const tree = await createFolder(session.demo, `/me/drive/items/${source.id}`, 'tree');
    await upload(session.demo, `/${source.name}/tree/top.txt`, 'top');
    await createFolder(session.demo, `/me/drive/items/${tree.id}`, 'sub');
    await upload(session.demo, `/${source.name}/tree/sub/leaf.txt`, 'leaf');
    await createFolder(session.demo, `/me/drive/items/${tree.id}`, 'empty');

    const monitor = await startCopy(session, tree.id, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
      name: 'tree-copy',
    });
    const resourceId = completedResource(await pollMonitor(session.dispatcher, monitor));
    assert.notEqual(resourceId, tree.id);

    const copy = (await session.demo.get(`/me/drive/items/${resourceId}`)).json<WireItem>();
    assert.equal(copy.name, 'tree-copy');
    assert.equal(copy.folder?.childCount, 3);

    const top = (
      await session.demo.get(byPath(`/${destination.name}/tree-copy/top.txt`))
    ).json<WireItem>();
    assertHashes(top, Buffer.from('top'));
    const leaf = await session.demo.get(byPath(`/${destination.name}/tree-copy/sub/leaf.txt`));
    assert.equal(leaf.status, 200);
    assertHashes(leaf.json<WireItem>(), Buffer.from('leaf'));
    const { items } = await listAll(session.demo, `/me/drive/items/${resourceId}/children`);
    assert.deepEqual(items.map((item) => item.name).sort(), ['empty', 'sub', 'top.txt']);

    const originalLeaf = (
      await session.demo.get(byPath(`/${source.name}/tree/sub/leaf.txt`))
    ).json<WireItem>();
    assert.notEqual(leaf.json<WireItem>().id, originalLeaf.id);
  });

  it('monitor answers without Authorization', async () => {
    const file = await upload(session.demo, `/${source.name}/anon.txt`, content);
    const monitor = await startCopy(session, file.id, { name: 'anon-copy.txt' });
    const reply = await send(session.dispatcher, 'GET', monitor);
    assert.ok([200, 202, 303].includes(reply.status), `got ${reply.status}`);
    await pollMonitor(session.dispatcher, monitor);
  });

  it('monitor URL path has two or more segments', async () => {
    const file = await upload(session.demo, `/${source.name}/segments.txt`, content);
    const monitor = await startCopy(session, file.id, { name: 'segments-copy.txt' });
    const segments = new URL(monitor).pathname.split('/').filter((segment) => segment.length > 0);
    assert.ok(segments.length >= 2, `monitor URL path ${new URL(monitor).pathname}`);
    await pollMonitor(session.dispatcher, monitor);
  });

  it('copy charges the copied bytes to quota', async () => {
    const file = await upload(session.demo, `/${source.name}/charged.bin`, Buffer.alloc(5000, 3));
    const before = (await session.demo.get('/me/drive')).json<WireDrive>().quota?.used ?? 0;
    const monitor = await startCopy(session, file.id, { name: 'charged-copy.bin' });
    completedResource(await pollMonitor(session.dispatcher, monitor));
    const after = (await session.demo.get('/me/drive')).json<WireDrive>().quota?.used ?? 0;
    assert.equal(after - before, 5000);
  });

  it('completed monitor stays readable', async () => {
    const file = await upload(session.demo, `/${source.name}/again.txt`, content);
    const monitor = await startCopy(session, file.id, { name: 'again-copy.txt' });
    const resourceId = completedResource(await pollMonitor(session.dispatcher, monitor));
    const again = await pollMonitor(session.dispatcher, monitor);
    assert.equal(again.length, 1);
    assert.equal(again[0]?.body.status, 'completed');
    assert.equal(again[0]?.body.resourceId, resourceId);
  });

  it('unknown monitor URL is 404', async () => {
    const file = await upload(session.demo, `/${source.name}/probe.txt`, content);
    const monitor = await startCopy(session, file.id, { name: 'probe-copy.txt' });
    await pollMonitor(session.dispatcher, monitor);
    const url = new URL(monitor);
    const bogus = `${url.origin}${url.pathname.replace(/[A-Za-z0-9_-]{8}(?=[^/]*$)/, 'ZZZZZZZZ')}${url.search}`;
    const reply = await send(session.dispatcher, 'GET', bogus);
    assert.equal(reply.status, 404);
  });

  it('copy of a missing item is 404', async () => {
    const reply = await session.demo.postJson('/me/drive/items/0123456789abcdef!999994/copy', {
      name: 'ghost.txt',
    });
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('copy without a token is 401', async () => {
    const file = await upload(session.demo, `/${source.name}/noauth.txt`, content);
    const reply = await send(
      session.dispatcher,
      'POST',
      `${session.emu.graphUrl}/me/drive/items/${file.id}/copy`,
      {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'noauth-copy.txt' }),
      },
    );
    assertGraphError(reply, 401, ['unauthenticated', 'InvalidAuthenticationToken']);
  });

  it('copy to a missing parent fails', async () => {
    const file = await upload(session.demo, `/${source.name}/lost.txt`, content);
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/copy`, {
      parentReference: { driveId: session.demoDriveId, id: '0123456789abcdef!999993' },
    });
    if (reply.status === 202) {
      const polls = await pollMonitor(session.dispatcher, reply.header('location') ?? '');
      assert.equal(polls.at(-1)?.body.status, 'failed');
    } else {
      assert.ok([400, 404].includes(reply.status), `got ${reply.status}`);
    }
  });

  it('copy onto an existing name does not overwrite', async () => {
    const file = await upload(session.demo, `/${source.name}/clash.txt`, content);
    const existing = await upload(session.demo, `/${destination.name}/clash.txt`, 'already here');
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/copy`, {
      parentReference: { driveId: session.demoDriveId, id: destination.id },
    });
    if (reply.status === 202) {
      const polls = await pollMonitor(session.dispatcher, reply.header('location') ?? '');
      assert.equal(polls.at(-1)?.body.status, 'failed');
    } else {
      assertGraphError(reply, 409, 'nameAlreadyExists');
    }
    const after = (await session.demo.get(`/me/drive/items/${existing.id}`)).json<WireItem>();
    assertHashes(after, Buffer.from('already here'));
  });

  it('copy with an invalid name is 400', async () => {
    const file = await upload(session.demo, `/${source.name}/badname.txt`, content);
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/copy`, {
      name: 'bad:name.txt',
    });
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
  });

  it('copy into another user drive is rejected', async () => {
    const file = await upload(session.demo, `/${source.name}/cross.txt`, content);
    const aliceDrive = (await session.alice.get('/me/drive')).json<{ id: string }>().id;
    const aliceRoot = (await session.alice.get('/me/drive/root')).json<WireItem>();
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/copy`, {
      parentReference: { driveId: aliceDrive, id: aliceRoot.id },
      name: 'planted-copy.txt',
    });
    if (reply.status === 202) {
      const polls = await pollMonitor(session.dispatcher, reply.header('location') ?? '');
      assert.equal(polls.at(-1)?.body.status, 'failed');
    } else {
      assert.ok([400, 403, 404].includes(reply.status), `got ${reply.status}`);
    }
    const planted = await session.alice.get(byPath('/planted-copy.txt'));
    assertGraphError(planted, 404, 'itemNotFound');
  });

  it('monitor and 202 replies carry request-id', async () => {
    const file = await upload(session.demo, `/${source.name}/rid.txt`, content);
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/copy`, {
      name: 'rid-copy.txt',
    });
    assert.ok(reply.header('request-id'), '202 lacks request-id');
    const poll = await send(session.dispatcher, 'GET', reply.header('location') ?? '');
    assert.ok(poll.header('request-id'), 'monitor reply lacks request-id');
    await pollMonitor(session.dispatcher, reply.header('location') ?? '');
  });

  it('a folder cannot be copied into itself', async () => {
    const loop = await createFolder(session.demo, `/me/drive/items/${source.id}`, 'loop');
    const reply = await session.demo.postJson(`/me/drive/items/${loop.id}/copy`, {
      parentReference: { driveId: session.demoDriveId, id: loop.id },
      name: 'inner-loop',
    });
    if (reply.status === 202) {
      const polls = await pollMonitor(session.dispatcher, reply.header('location') ?? '');
      assert.equal(polls.at(-1)?.body.status, 'failed');
    } else {
      assertGraphError(reply, 400, 'invalidRequest');
    }
  });
});
