import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertGraphError,
  byPath,
  type Reply,
  type Session,
  scratchFolder,
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

describe('features not built yet', () => {
  let file: WireItem;

  before(async () => {
    file = await upload(session.demo, '/unsupported-probe.txt', 'probe');
  });

  const cases: Array<[string, (s: Session, id: string) => Promise<Reply>]> = [
    ['sharedWithMe', (s) => s.demo.get('/me/drive/sharedWithMe')],
    ['preview', (s, id) => s.demo.postJson(`/me/drive/items/${id}/preview`, {})],
  ];

  for (const [feature, run] of cases) {
    it(`${feature} answers 501 notSupported`, async () => {
      const reply = await run(session, file.id);
      assertGraphError(reply, 501, 'notSupported');
    });
  }

  it('unsupported routes still require a token', async () => {
    const reply = await session.demo.get('/me/drive/sharedWithMe', { authorization: '' });
    assert.equal(reply.status, 401);
  });

  it('open upload session creates no item', async () => {
    await session.demo.postJson(`${byPath('/never-created.bin')}/createUploadSession`, {});
    assertGraphError(await session.demo.get(byPath('/never-created.bin')), 404, 'itemNotFound');
  });
});

describe('query options that must not be dropped silently', () => {
  let folder: WireItem;

  before(async () => {
    folder = await scratchFolder(session.demo, 'query-options');
    await upload(session.demo, `/${folder.name}/keep.txt`, 'keep');
    await upload(session.demo, `/${folder.name}/drop.bin`, 'drop');
  });

  it('$expand=children expands or answers 501', async () => {
    const reply = await session.demo.get(`/me/drive/items/${folder.id}?$expand=children`);
    if (reply.status === 501) {
      assertGraphError(reply, 501, 'notSupported');
      return;
    }
    assert.equal(reply.status, 200);
    const item = reply.json<WireItem & { children?: WireItem[] }>();
    assert.ok(Array.isArray(item.children), 'children were requested but not returned');
    assert.deepEqual(item.children.map((child) => child.name).sort(), ['drop.bin', 'keep.txt']);
  });

  it('$expand=thumbnails expands or answers 501', async () => {
    const reply = await session.demo.get(
      `/me/drive/items/${folder.id}/children?$expand=thumbnails`,
    );
    if (reply.status === 501) {
      assertGraphError(reply, 501, 'notSupported');
      return;
    }
    assert.equal(reply.status, 200);
    const items = reply.json<WireCollection<WireItem & { thumbnails?: unknown }>>().value;
    for (const item of items) {
      assert.ok(Array.isArray(item.thumbnails), `${item.name} lacks the requested thumbnails`);
    }
  });

  it('$filter filters or answers an error', async () => {
    const filter = encodeURIComponent("name eq 'keep.txt'");
    const reply = await session.demo.get(`/me/drive/items/${folder.id}/children?$filter=${filter}`);
    if (reply.status === 400 || reply.status === 501) {
      assertGraphError(reply, reply.status, ['notSupported', 'invalidRequest']);
      return;
    }
    assert.equal(reply.status, 200);
    const names = reply.json<WireCollection>().value.map((item) => item.name);
    assert.deepEqual(names, ['keep.txt']);
  });
});
