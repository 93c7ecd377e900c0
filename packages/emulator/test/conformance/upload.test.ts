import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  assertClientError,
  assertGraphError,
  assertHashes,
  assertItemShape,
  byPath,
  DOCUMENTED_ERROR_CODES,
  type Session,
  scratchFolder,
  startSession,
  upload,
  type WireDrive,
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

/** Starts a PUT that declares `declared` bytes, sends `sent` bytes, then drops the connection. */
async function abortedPut(session: Session, apiPath: string, declared: number, sent: number) {
  const url = new URL(`${session.emu.graphUrl}${apiPath}`);
  await new Promise<void>((resolve) => {
    const outgoing = http.request(url, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${session.demo.token}`,
        'content-type': 'application/octet-stream',
        'content-length': String(declared),
      },
    });
    outgoing.on('error', () => resolve());
    outgoing.on('close', () => resolve());
    outgoing.write(Buffer.alloc(sent, 9), () => {
      outgoing.destroy();
    });
  });
  // Give the server a moment to notice the dropped connection before the caller checks.
  await delay(300);
}

describe('simple upload', () => {
  let folder: WireItem;

  before(async () => {
    folder = await scratchFolder(session.demo, 'upload');
  });

  it('PUT by path creates a file with 201', async () => {
    const content = Buffer.from('hello world');
    const reply = await session.demo.put(`${byPath(`/${folder.name}/hello.txt`)}/content`, content);
    assert.equal(reply.status, 201, reply.text());
    const item = reply.json<WireItem>();
    assertItemShape(item, 'file');
    assert.equal(item.name, 'hello.txt');
    assert.equal(item.size, content.length);
    assert.equal(item.parentReference?.id, folder.id);
    assertHashes(item, content);
    assert.equal(item.file?.hashes?.quickXorHash, 'aCgDG9jwBhDc4Q1yawMZAAAAAAA=');
  });

  it('PUT under items/{parent-id}:/name: creates a file', async () => {
    const content = Buffer.from('by parent id');
    const reply = await session.demo.put(
      `/me/drive/items/${folder.id}:/by-parent.txt:/content`,
      content,
    );
    assert.equal(reply.status, 201, reply.text());
    const item = reply.json<WireItem>();
    assert.equal(item.name, 'by-parent.txt');
    assert.equal(item.parentReference?.id, folder.id);
  });

  it('PUT by drives/{id}/root: path creates a file', async () => {
    const drive = encodeURIComponent(session.demoDriveId);
    const reply = await session.demo.put(
      `/drives/${drive}/root:/${folder.name}/by-drive.txt:/content`,
      'drive path',
    );
    assert.equal(reply.status, 201, reply.text());
    assert.equal(reply.json<WireItem>().parentReference?.id, folder.id);
  });

  it('PUT to an existing path replaces with 200', async () => {
    const path = `${byPath(`/${folder.name}/replace.txt`)}/content`;
    const first = await session.demo.put(path, 'version one');
    assert.equal(first.status, 201);
    const original = first.json<WireItem>();

    const content = Buffer.from('version two, longer');
    const second = await session.demo.put(path, content);
    assert.equal(second.status, 200, second.text());
    const replaced = second.json<WireItem>();
    assert.equal(replaced.id, original.id);
    assert.equal(replaced.size, content.length);
    assertHashes(replaced, content);
    assert.notEqual(replaced.eTag, original.eTag);
    assert.notEqual(replaced.cTag, original.cTag);
  });

  it('PUT by id replaces content with 200', async () => {
    const original = await upload(session.demo, `/${folder.name}/by-id.txt`, 'first');
    const content = Buffer.from('second');
    const reply = await session.demo.put(`/me/drive/items/${original.id}/content`, content);
    assert.equal(reply.status, 200, reply.text());
    const replaced = reply.json<WireItem>();
    assert.equal(replaced.id, original.id);
    assert.equal(replaced.name, 'by-id.txt');
    assertHashes(replaced, content);
  });

  it('PUT to missing id is 404', async () => {
    const reply = await session.demo.put('/me/drive/items/0123456789abcdef!999996/content', 'x');
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('conflictBehavior=fail on an existing name is 409', async () => {
    const path = `/${folder.name}/keep.txt`;
    await upload(session.demo, path, 'original');
    const reply = await session.demo.put(
      `${byPath(path)}/content?@microsoft.graph.conflictBehavior=fail`,
      'intruder',
    );
    assertGraphError(reply, 409, 'nameAlreadyExists');
    const item = (await session.demo.get(byPath(path))).json<WireItem>();
    assert.equal(item.size, 'original'.length);
  });

  it('conflictBehavior=fail on a new name is 201', async () => {
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/fresh.txt`)}/content?@microsoft.graph.conflictBehavior=fail`,
      'fresh',
    );
    assert.equal(reply.status, 201);
  });

  it('legacy @name.conflictBehavior=fail is honoured', async () => {
    const path = `/${folder.name}/legacy.txt`;
    await upload(session.demo, path, 'original');
    const reply = await session.demo.put(
      `${byPath(path)}/content?@name.conflictBehavior=fail`,
      'intruder',
    );
    assertGraphError(reply, 409, 'nameAlreadyExists');
  });

  it('conflictBehavior=replace answers 200 on an existing name', async () => {
    const path = `/${folder.name}/explicit-replace.txt`;
    const original = await upload(session.demo, path, 'one');
    const reply = await session.demo.put(
      `${byPath(path)}/content?@microsoft.graph.conflictBehavior=replace`,
      'two',
    );
    assert.equal(reply.status, 200);
    assert.equal(reply.json<WireItem>().id, original.id);
  });

  it('conflictBehavior=rename numbers new copies', async () => {
    const path = `/${folder.name}/name.txt`;
    const original = await upload(session.demo, path, 'zero');
    const url = `${byPath(path)}/content?@microsoft.graph.conflictBehavior=rename`;
    const first = await session.demo.put(url, 'one');
    assert.equal(first.status, 201, first.text());
    assert.equal(first.json<WireItem>().name, 'name 1.txt');
    assert.notEqual(first.json<WireItem>().id, original.id);
    const second = await session.demo.put(url, 'two');
    assert.equal(second.status, 201);
    assert.equal(second.json<WireItem>().name, 'name 2.txt');
    const kept = (await session.demo.get(byPath(path))).json<WireItem>();
    assert.equal(kept.size, 'zero'.length);
  });

  it('unknown conflictBehavior is 400', async () => {
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/odd.txt`)}/content?@microsoft.graph.conflictBehavior=sometimes`,
      'x',
    );
    assertGraphError(reply, 400, 'invalidRequest');
    assertGraphError(
      await session.demo.get(byPath(`/${folder.name}/odd.txt`)),
      404,
      'itemNotFound',
    );
  });

  it('PUT content with If-Match mismatch is 412', async () => {
    const path = `/${folder.name}/guarded.txt`;
    const original = await upload(session.demo, path, 'guarded');
    const reply = await session.demo.put(`/me/drive/items/${original.id}/content`, 'changed', {
      'if-match': '"{00000000-0000-0000-0000-000000000000},7"',
    });
    assertGraphError(reply, 412, 'resourceModified');
    const item = (await session.demo.get(`/me/drive/items/${original.id}`)).json<WireItem>();
    assert.equal(item.cTag, original.cTag);
    assert.equal(item.size, 'guarded'.length);
  });

  it('PUT content with matching If-Match succeeds', async () => {
    const original = await upload(session.demo, `/${folder.name}/guarded-ok.txt`, 'a');
    const reply = await session.demo.put(`/me/drive/items/${original.id}/content`, 'b', {
      'if-match': original.eTag ?? '',
    });
    assert.equal(reply.status, 200, reply.text());
  });

  it('0-byte upload has the empty hash', async () => {
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/empty.txt`)}/content`,
      Buffer.alloc(0),
    );
    assert.equal(reply.status, 201, reply.text());
    const item = reply.json<WireItem>();
    assert.equal(item.size, 0);
    assert.equal(item.file?.hashes?.quickXorHash, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    assertHashes(item, Buffer.alloc(0));
  });

  it('"1\\n" hashes to the value OneDrive reports', async () => {
    const item = await upload(session.demo, `/${folder.name}/one-line.txt`, '1\n');
    assert.equal(item.file?.hashes?.quickXorHash, 'MVAAAAAAAAAAAAAAAgAAAAAAAAA=');
  });

  it('1 MiB of random bytes keeps exact hashes', async () => {
    const content = randomBytes(1024 * 1024);
    const item = await upload(session.demo, `/${folder.name}/random.bin`, content);
    assert.equal(item.size, content.length);
    assertHashes(item, content);
  });

  it('1 MiB of zeros hashes as published', async () => {
    const item = await upload(session.demo, `/${folder.name}/zeros.bin`, Buffer.alloc(1024 * 1024));
    assert.equal(item.file?.hashes?.quickXorHash, 'AAAAAAAAAAAAAAAAAAAQAAAAAAA=');
  });

  it('upload updates the parent childCount', async () => {
    const parent = await scratchFolder(session.demo, 'count');
    await upload(session.demo, `/${parent.name}/a.txt`, 'a');
    await upload(session.demo, `/${parent.name}/b.txt`, 'b');
    await upload(session.demo, `/${parent.name}/a.txt`, 'replaced');
    const item = (await session.demo.get(`/me/drive/items/${parent.id}`)).json<WireItem>();
    assert.equal(item.folder?.childCount, 2);
  });

  it('upload into missing folder uses documented code', async () => {
    const reply = await session.demo.put(
      `${byPath(`/${folder.name}/no-such-dir/f.txt`)}/content`,
      'x',
    );
    assert.ok([404, 409].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
    assertGraphError(reply, reply.status, DOCUMENTED_ERROR_CODES);
  });

  it('text file gets the text/plain MIME type', async () => {
    const item = await upload(session.demo, `/${folder.name}/mime.txt`, 'plain');
    assert.equal(item.file?.mimeType, 'text/plain');
  });

  it('content change resets fileSystemInfo.lastModifiedDateTime', async () => {
    const item = await upload(session.demo, `/${folder.name}/stamp.txt`, 'v1');
    await session.demo.patchJson(`/me/drive/items/${item.id}`, {
      fileSystemInfo: { lastModifiedDateTime: '2002-03-04T05:06:07Z' },
    });
    const before = Date.now() - 60_000;
    const replaced = await upload(session.demo, `/${folder.name}/stamp.txt`, 'v2');
    const stamp = Date.parse(replaced.fileSystemInfo?.lastModifiedDateTime ?? '');
    assert.ok(stamp > before, `fileSystemInfo.lastModifiedDateTime stayed at ${stamp}`);
  });

  it('aborted upload leaves no item', async () => {
    const quotaBefore = (await session.demo.get('/me/drive')).json<WireDrive>().quota?.used;
    await abortedPut(session, `${byPath(`/${folder.name}/partial.bin`)}/content`, 100_000, 40_000);
    assertGraphError(
      await session.demo.get(byPath(`/${folder.name}/partial.bin`)),
      404,
      'itemNotFound',
    );
    const quotaAfter = (await session.demo.get('/me/drive')).json<WireDrive>().quota?.used;
    assert.equal(quotaAfter, quotaBefore);
  });

  it('aborted replace keeps the old content', async () => {
    const original = await upload(session.demo, `/${folder.name}/survivor.txt`, 'keep me');
    await abortedPut(session, `/me/drive/items/${original.id}/content`, 100_000, 40_000);
    const item = (await session.demo.get(`/me/drive/items/${original.id}`)).json<WireItem>();
    assert.equal(item.size, 'keep me'.length);
    assert.equal(item.cTag, original.cTag);
    assertHashes(item, Buffer.from('keep me'));
  });

  it('PUT content onto a folder is rejected', async () => {
    const parent = await scratchFolder(session.demo, 'put-folder');
    const reply = await session.demo.put(`/me/drive/items/${parent.id}/content`, 'x');
    assertClientError(reply);
    const item = (await session.demo.get(`/me/drive/items/${parent.id}`)).json<WireItem>();
    assert.ok(item.folder, 'folder lost its folder facet');
  });
});

describe('simple upload size limit', () => {
  let session: Session;

  before(async () => {
    // A 1 TB quota keeps the quota check out of the way of the size check.
    session = await startSession({ quotaBytes: 1_000_000_000_000 });
  });
  after(async () => {
    await session?.close();
  });

  it('12 MiB simple upload is accepted', async () => {
    // Older Graph pages capped simple upload at 4 MB; the current limit is 250 MB.
    const content = randomBytes(12 * 1024 * 1024);
    const reply = await session.demo.put(`${byPath('/twelve.bin')}/content`, content);
    assert.equal(reply.status, 201, reply.text());
    const item = reply.json<WireItem>();
    assert.equal(item.size, content.length);
    assertHashes(item, content);
  });

  it('upload declaring over 250 MB is 413', async () => {
    // Only 1 KiB is sent: the declared Content-Length alone must trigger the rejection.
    const declaredBytes = 250 * 1024 * 1024 + 1;
    const url = new URL(`${session.emu.graphUrl}${byPath('/huge.bin')}/content`);
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = http.request(url, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${session.demo.token}`,
          'content-type': 'application/octet-stream',
          'content-length': String(declaredBytes),
        },
      });
      const timer = setTimeout(() => {
        outgoing.destroy();
        reject(new Error('no response within 5 s to an oversized Content-Length'));
      }, 5000);
      outgoing.on('response', (incoming) => {
        clearTimeout(timer);
        incoming.resume();
        outgoing.destroy();
        resolve(incoming.statusCode ?? 0);
      });
      outgoing.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      outgoing.write(Buffer.alloc(1024));
    });
    assert.equal(status, 413);
    assertGraphError(await session.demo.get(byPath('/huge.bin')), 404, 'itemNotFound');
  });
});
