import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import {
  errorCode,
  type Harness,
  innerCode,
  patternBytes,
  putFragment,
  send,
  startHarness,
  UNIT,
} from './upload-session-helpers.ts';

interface SessionJson {
  uploadUrl: string;
  expirationDateTime: string;
  nextExpectedRanges: string[];
}

interface ItemJson {
  id: string;
  name: string;
  size: number;
  description?: string;
  fileSystemInfo: { lastModifiedDateTime: string };
  file: { hashes: { quickXorHash: string; sha1Hash: string; sha256Hash: string } };
}

let h: Harness;

before(async () => {
  h = await startHarness({ quotaBytes: 64 * 1024 * 1024 });
});
after(async () => {
  await h?.close();
});

describe('createUploadSession', () => {
  it('by path returns an uploadUrl on the content origin', async () => {
    const before = Date.now();
    const reply = await h.graph('POST', '/me/drive/root:/new.bin:/createUploadSession', {
      item: { '@microsoft.graph.conflictBehavior': 'fail', name: 'new.bin' },
    });
    assert.equal(reply.status, 200);
    const body = reply.json<SessionJson>();
    assert.ok(body.uploadUrl.startsWith(`${h.emulator.contentUrl}/upload/`), body.uploadUrl);
    assert.deepEqual(body.nextExpectedRanges, ['0-']);
    const expires = Date.parse(body.expirationDateTime);
    assert.ok(expires >= before + 3500_000);
    assert.ok(expires <= Date.now() + 3600_000);
  });

  it('by item id targets the existing file', async () => {
    const created = await h.graph('PUT', '/me/drive/root:/by-id.txt:/content', 'old');
    const { id } = created.json<ItemJson>();
    const reply = await h.graph('POST', `/me/drive/items/${id}/createUploadSession`, {});
    assert.equal(reply.status, 200);
    const url = reply.json<SessionJson>().uploadUrl;
    const done = await putFragment(url, Buffer.from('new content'), 0, 11);
    assert.equal(done.status, 200);
    assert.equal(done.json<ItemJson>().id, id);
    assert.equal(done.json<ItemJson>().size, 11);
  });

  it('name different from the path is 400', async () => {
    const reply = await h.graph('POST', '/me/drive/root:/a.bin:/createUploadSession', {
      item: { name: 'b.bin' },
    });
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 'invalidRequest');
  });

  it('existing name with default fail is 409', async () => {
    await h.graph('PUT', '/me/drive/root:/taken.txt:/content', 'x');
    const reply = await h.graph('POST', '/me/drive/root:/taken.txt:/createUploadSession', {});
    assert.equal(reply.status, 409);
    assert.equal(errorCode(reply), 'nameAlreadyExists');
  });

  it('fileSize over the quota is 507', async () => {
    const reply = await h.graph('POST', '/me/drive/root:/huge.bin:/createUploadSession', {
      item: { fileSize: 65 * 1024 * 1024 },
    });
    assert.equal(reply.status, 507);
    assert.equal(errorCode(reply), 'quotaLimitReached');
  });

  it('If-Match that does not match is 412', async () => {
    await h.graph('PUT', '/me/drive/root:/tagged.txt:/content', 'x');
    const reply = await h.graph(
      'POST',
      '/me/drive/root:/tagged.txt:/createUploadSession',
      { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
      { 'if-match': '"{00000000-0000-0000-0000-000000000000},1"' },
    );
    assert.equal(reply.status, 412);
    assert.equal(errorCode(reply), 'resourceModified');
  });

  it('If-None-Match star on an existing file is 412', async () => {
    await h.graph('PUT', '/me/drive/root:/exists.txt:/content', 'x');
    const reply = await h.graph(
      'POST',
      '/me/drive/root:/exists.txt:/createUploadSession',
      { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
      { 'if-none-match': '*' },
    );
    assert.equal(reply.status, 412);
  });

  it('missing parent folder is 404', async () => {
    const reply = await h.graph('POST', '/me/drive/root:/no/such/x.bin:/createUploadSession', {});
    assert.equal(reply.status, 404);
    assert.equal(errorCode(reply), 'itemNotFound');
  });
});

describe('fragments', () => {
  it('several fragments and a short tail make the file', async () => {
    const data = patternBytes(3 * UNIT + 1000);
    const url = await h.createSession('/multi.bin', {
      item: { fileSystemInfo: { lastModifiedDateTime: '2020-01-02T03:04:05Z' } },
    });
    for (let i = 0; i < 3; i += 1) {
      const reply = await putFragment(
        url,
        data.subarray(i * UNIT, (i + 1) * UNIT),
        i * UNIT,
        data.length,
      );
      assert.equal(reply.status, 202);
      assert.deepEqual(reply.json<SessionJson>().nextExpectedRanges, [
        `${(i + 1) * UNIT}-${data.length - 1}`,
      ]);
    }
    const last = await putFragment(url, data.subarray(3 * UNIT), 3 * UNIT, data.length);
    assert.equal(last.status, 201);
    const item = last.json<ItemJson>();
    assert.equal(item.name, 'multi.bin');
    assert.equal(item.size, data.length);
    assert.equal(item.file.hashes.quickXorHash, quickXorHash(data));
    assert.equal(
      item.file.hashes.sha1Hash,
      createHash('sha1').update(data).digest('hex').toUpperCase(),
    );
    assert.equal(
      Date.parse(item.fileSystemInfo.lastModifiedDateTime),
      Date.parse('2020-01-02T03:04:05Z'),
    );
    assert.equal((await send('GET', url)).status, 404);

    const download = await h.graph('GET', `/me/drive/items/${item.id}/content`);
    const location = download.headers.location as string;
    const bytes = Buffer.from((await send('GET', location)).text, 'latin1');
    assert.equal(bytes.length, data.length);
  });

  it('GET on the uploadUrl reports the missing range', async () => {
    const url = await h.createSession('/status.bin');
    await putFragment(url, patternBytes(UNIT), 0, 2 * UNIT);
    const reply = await send('GET', url);
    assert.equal(reply.status, 200);
    const body = reply.json<SessionJson>();
    assert.deepEqual(body.nextExpectedRanges, [`${UNIT}-${2 * UNIT - 1}`]);
    assert.equal(typeof body.expirationDateTime, 'string');
  });

  it('resent fragment is 416 fragmentOverlap', async () => {
    const url = await h.createSession('/overlap.bin');
    const part = patternBytes(UNIT);
    assert.equal((await putFragment(url, part, 0, 2 * UNIT)).status, 202);
    const again = await putFragment(url, part, 0, 2 * UNIT);
    assert.equal(again.status, 416);
    assert.equal(errorCode(again), 'invalidRange');
    assert.equal(innerCode(again), 'fragmentOverlap');
  });

  it('fragment after a gap is 400 fragmentOutOfOrder', async () => {
    const url = await h.createSession('/gap.bin');
    const reply = await putFragment(url, patternBytes(UNIT), UNIT, 3 * UNIT);
    assert.equal(reply.status, 400);
    assert.equal(innerCode(reply), 'fragmentOutOfOrder');
  });

  it('changed total is 400 fragmentLengthMismatch', async () => {
    const url = await h.createSession('/total.bin');
    await putFragment(url, patternBytes(UNIT), 0, 3 * UNIT);
    const reply = await putFragment(url, patternBytes(UNIT), UNIT, 4 * UNIT);
    assert.equal(reply.status, 400);
    assert.equal(innerCode(reply), 'fragmentLengthMismatch');
  });

  it('missing Content-Range is 400', async () => {
    const url = await h.createSession('/norange.bin');
    const reply = await send('PUT', url, { body: Buffer.from('abc') });
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 'invalidRequest');
  });

  it('range past the total is 400', async () => {
    const url = await h.createSession('/past.bin');
    const reply = await send('PUT', url, {
      headers: { 'content-range': 'bytes 0-9/5' },
      body: Buffer.alloc(10),
    });
    assert.equal(reply.status, 400);
  });

  it('zero-byte file cannot use a session', async () => {
    const url = await h.createSession('/empty.txt', { item: { fileSize: 0 } });
    for (const range of ['bytes 0--1/0', 'bytes 0-0/0']) {
      const reply = await send('PUT', url, {
        headers: { 'content-range': range, 'content-length': '0' },
      });
      assert.equal(reply.status, 400, range);
      assert.equal(errorCode(reply), 'invalidRequest');
    }
    const simple = await h.graph('PUT', '/me/drive/root:/empty.txt:/content', Buffer.alloc(0));
    assert.equal(simple.status, 201);
    assert.equal(simple.json<ItemJson>().size, 0);
  });

  it('Authorization on a fragment is accepted by default', async () => {
    const url = await h.createSession('/with-auth.bin');
    const reply = await putFragment(url, Buffer.from('hello'), 0, 5, {
      authorization: `Bearer ${h.token}`,
    });
    assert.equal(reply.status, 201);
  });

  it('non-multiple fragment is accepted by default', async () => {
    const url = await h.createSession('/odd.bin');
    const reply = await putFragment(url, patternBytes(1000), 0, 5000);
    assert.equal(reply.status, 202);
  });

  it('DELETE cancels the session', async () => {
    const url = await h.createSession('/cancel.bin');
    await putFragment(url, patternBytes(UNIT), 0, 2 * UNIT);
    const cancelled = await send('DELETE', url);
    assert.equal(cancelled.status, 204);
    const after = await send('GET', url);
    assert.equal(after.status, 404);
    assert.equal(errorCode(after), 'itemNotFound');
    assert.equal((await h.graph('GET', '/me/drive/root:/cancel.bin')).status, 404);
  });

  it('unknown upload URL is 404', async () => {
    const reply = await send('GET', `${h.emulator.contentUrl}/upload/not-a-session`);
    assert.equal(reply.status, 404);
    assert.equal(innerCode(reply), 'uploadSessionNotFound');
  });

  it('name taken at commit is 409 and the session survives', async () => {
    const url = await h.createSession('/race.bin');
    await putFragment(url, patternBytes(UNIT), 0, UNIT + 10);
    await h.graph('PUT', '/me/drive/root:/race.bin:/content', 'winner');
    const last = await putFragment(url, patternBytes(10), UNIT, UNIT + 10);
    assert.equal(last.status, 409);
    assert.equal(errorCode(last), 'nameAlreadyExists');
    const state = await send('GET', url);
    assert.equal(state.status, 200);
    assert.deepEqual(state.json<SessionJson>().nextExpectedRanges, []);
  });

  it('rename at commit keeps both files', async () => {
    const url = await h.createSession('/both.txt', {
      item: { '@microsoft.graph.conflictBehavior': 'rename' },
    });
    await h.graph('PUT', '/me/drive/root:/both.txt:/content', 'first');
    const last = await putFragment(url, Buffer.from('second'), 0, 6);
    assert.equal(last.status, 201);
    assert.equal(last.json<ItemJson>().name, 'both 1.txt');
  });

  it('deferCommit waits for POST on the uploadUrl', async () => {
    const url = await h.createSession('/deferred.txt', { deferCommit: true });
    const last = await putFragment(url, Buffer.from('later'), 0, 5);
    assert.equal(last.status, 202);
    assert.deepEqual(last.json<SessionJson>().nextExpectedRanges, []);
    assert.equal((await h.graph('GET', '/me/drive/root:/deferred.txt')).status, 404);
    const commit = await send('POST', url, { headers: { 'content-length': '0' } });
    assert.equal(commit.status, 201);
    assert.equal(commit.json<ItemJson>().size, 5);
  });

  it('interrupted fragment is discarded whole', async () => {
    const url = await h.createSession('/interrupted.bin');
    const total = 3 * UNIT;
    const data = patternBytes(total, 3);
    assert.equal((await putFragment(url, data.subarray(0, UNIT), 0, total)).status, 202);
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, {
        method: 'PUT',
        headers: {
          'content-range': `bytes ${UNIT}-${2 * UNIT - 1}/${total}`,
          'content-length': UNIT,
        },
      });
      req.on('error', () => resolve());
      req.write(patternBytes(1000, 99), () => {
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });
    });
    // The emulator notices the abort asynchronously, so the retry may first meet the unfinished fragment (409).
    let retry = await putFragment(url, data.subarray(UNIT, 2 * UNIT), UNIT, total);
    for (let i = 0; i < 50 && retry.status === 409; i += 1) {
      retry = await putFragment(url, data.subarray(UNIT, 2 * UNIT), UNIT, total);
    }
    assert.equal(retry.status, 202);
    assert.deepEqual(retry.json<SessionJson>().nextExpectedRanges, [`${2 * UNIT}-${total - 1}`]);
    const last = await putFragment(url, data.subarray(2 * UNIT), 2 * UNIT, total);
    assert.equal(last.status, 201);
    assert.equal(last.json<ItemJson>().file.hashes.quickXorHash, quickXorHash(data));
  });
});

describe('strict upload mode', () => {
  let strict: Harness;

  before(async () => {
    strict = await startHarness({ strictUploadAuth: true });
  });
  after(async () => {
    await strict?.close();
  });

  it('Authorization on a fragment is 401', async () => {
    const url = await strict.createSession('/auth.bin');
    const reply = await putFragment(url, Buffer.from('x'), 0, 1, {
      authorization: `Bearer ${strict.token}`,
    });
    assert.equal(reply.status, 401);
    assert.equal(errorCode(reply), 'unauthenticated');
  });

  it('non-multiple of 320 KiB before the end is 400', async () => {
    const url = await strict.createSession('/odd.bin');
    const reply = await putFragment(url, patternBytes(1000), 0, 5000);
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 'invalidRequest');
  });

  it('short last fragment is accepted', async () => {
    const url = await strict.createSession('/tail.bin');
    assert.equal((await putFragment(url, patternBytes(UNIT), 0, UNIT + 7)).status, 202);
    assert.equal((await putFragment(url, patternBytes(7), UNIT, UNIT + 7)).status, 201);
  });

  it('fragment of 60 MiB is 400', async () => {
    const url = await strict.createSession('/big.bin');
    const size = 60 * 1024 * 1024;
    // Only the headers are sent: the emulator rejects the fragment before reading its body.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(url, {
        method: 'PUT',
        headers: { 'content-range': `bytes 0-${size - 1}/${2 * size}`, 'content-length': size },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 400);
  });
});
