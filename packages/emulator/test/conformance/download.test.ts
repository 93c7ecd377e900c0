import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  assertClientError,
  assertGraphError,
  byPath,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireCollection,
  type WireItem,
} from './helpers.ts';

/** Returns the longest run of URL-safe token characters in the path and query of `url`. */
function longestToken(url: string): string {
  const parsed = new URL(url);
  const runs = `${parsed.pathname}${parsed.search}`.match(/[A-Za-z0-9_-]+/g) ?? [];
  return runs.reduce((longest, run) => (run.length > longest.length ? run : longest), '');
}

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('download', () => {
  let folder: WireItem;
  let file: WireItem;
  const content = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');

  before(async () => {
    folder = await scratchFolder(session.demo, 'download');
    file = await upload(session.demo, `/${folder.name}/alphabet.txt`, content);
  });

  async function downloadLocation(path = `/me/drive/items/${file.id}/content`): Promise<string> {
    const reply = await session.demo.get(path);
    assert.equal(reply.status, 302, reply.text());
    const location = reply.header('location');
    assert.ok(location, '302 without Location');
    return location;
  }

  it('GET content redirects 302 to the content origin', async () => {
    const location = await downloadLocation();
    assert.equal(new URL(location).origin, new URL(session.emu.contentUrl).origin);
    assert.notEqual(new URL(location).origin, new URL(session.emu.graphUrl).origin);
  });

  it('download URL needs no Authorization', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation());
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, content);
    assert.equal(reply.header('content-length'), String(content.length));
  });

  it('path-addressed content redirects too', async () => {
    const location = await downloadLocation(`${byPath(`/${folder.name}/alphabet.txt`)}/content`);
    const reply = await send(session.dispatcher, 'GET', location);
    assert.deepEqual(reply.body, content);
  });

  it('downloadUrl on the item serves the bytes', async () => {
    const item = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    const url = item['@microsoft.graph.downloadUrl'];
    assert.ok(url);
    assert.equal(new URL(url).origin, new URL(session.emu.contentUrl).origin);
    const reply = await send(session.dispatcher, 'GET', url);
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, content);
  });

  it('downloadUrl appears on listed files', async () => {
    const list = (
      await session.demo.get(`/me/drive/items/${folder.id}/children`)
    ).json<WireCollection>();
    const listed = list.value.find((item) => item.id === file.id);
    assert.equal(typeof listed?.['@microsoft.graph.downloadUrl'], 'string');
  });

  it('download URLs carry an unguessable token', async () => {
    const item = (await session.demo.get(`/me/drive/items/${file.id}`)).json<WireItem>();
    for (const url of [await downloadLocation(), item['@microsoft.graph.downloadUrl'] ?? '']) {
      assert.ok(longestToken(url).length >= 20, `no random token of 20+ characters in ${url}`);
    }
  });

  it('tampered download URL is refused', async () => {
    const location = await downloadLocation();
    const token = longestToken(location);
    const middle = Math.floor(token.length / 2);
    const flipped = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    const reply = await send(session.dispatcher, 'GET', location.replace(token, flipped));
    assert.ok([401, 403, 404].includes(reply.status), `got ${reply.status}`);
  });

  it('Range on the download URL gives 206', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=0-9' },
    });
    assert.equal(reply.status, 206);
    assert.equal(reply.header('content-range'), `bytes 0-9/${content.length}`);
    assert.deepEqual(reply.body, content.subarray(0, 10));
    assert.equal(reply.header('content-length'), '10');
  });

  it('open-ended Range returns the tail', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=30-' },
    });
    assert.equal(reply.status, 206);
    assert.equal(reply.header('content-range'), `bytes 30-35/${content.length}`);
    assert.deepEqual(reply.body, content.subarray(30));
  });

  it('suffix Range returns the last bytes', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=-4' },
    });
    assert.equal(reply.status, 206);
    assert.equal(reply.header('content-range'), `bytes 32-35/${content.length}`);
    assert.deepEqual(reply.body, content.subarray(32));
  });

  it('Range past the end is clamped', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=20-999' },
    });
    assert.equal(reply.status, 206);
    assert.equal(reply.header('content-range'), `bytes 20-35/${content.length}`);
    assert.deepEqual(reply.body, content.subarray(20));
  });

  it('malformed Range is ignored with 200', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=abc' },
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, content);
  });

  it('Range in another unit is ignored with 200', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'items=0-1' },
    });
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.body, content);
  });

  it('reversed Range is ignored or rejected', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=9-2' },
    });
    assert.ok([200, 416].includes(reply.status), `got ${reply.status}`);
    if (reply.status === 200) {
      assert.deepEqual(reply.body, content);
    }
  });

  it('multiple ranges give 206 or the full body', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: 'bytes=0-1,4-5' },
    });
    assert.ok([200, 206].includes(reply.status), `got ${reply.status}`);
    if (reply.status === 200) {
      assert.deepEqual(reply.body, content);
    }
  });

  it('pre-authenticated URL paths have two or more segments', async () => {
    const location = new URL(await downloadLocation());
    const segments = location.pathname.split('/').filter((segment) => segment.length > 0);
    assert.ok(segments.length >= 2, `download URL path ${location.pathname}`);
  });

  it('unsatisfiable Range is 416', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { range: `bytes=${content.length}-` },
    });
    assert.equal(reply.status, 416);
    assert.equal(reply.header('content-range'), `bytes */${content.length}`);
  });

  it('Range on /content still redirects', async () => {
    const reply = await session.demo.get(`/me/drive/items/${file.id}/content`, {
      range: 'bytes=0-3',
    });
    assert.equal(reply.status, 302);
  });

  it('Range on an empty file is 416', async () => {
    const empty = await upload(session.demo, `/${folder.name}/empty.bin`, Buffer.alloc(0));
    const url = empty['@microsoft.graph.downloadUrl'] ?? '';
    const whole = await send(session.dispatcher, 'GET', url);
    assert.equal(whole.status, 200);
    assert.equal(whole.body.length, 0);
    const ranged = await send(session.dispatcher, 'GET', url, { headers: { range: 'bytes=0-0' } });
    assert.equal(ranged.status, 416);
  });

  it('old download URL never mixes versions', async () => {
    const target = await upload(session.demo, `/${folder.name}/changing.txt`, 'old bytes');
    const location = await downloadLocation(`/me/drive/items/${target.id}/content`);
    await upload(session.demo, `/${folder.name}/changing.txt`, 'new bytes!');
    const fresh = await downloadLocation(`/me/drive/items/${target.id}/content`);
    const reply = await send(session.dispatcher, 'GET', fresh);
    assert.equal(reply.text(), 'new bytes!');
    // The old URL either still serves the old version or is refused; it never mixes versions.
    const stale = await send(session.dispatcher, 'GET', location);
    if (stale.status === 200) {
      assert.ok(['old bytes', 'new bytes!'].includes(stale.text()));
    }
  });

  it('If-None-Match on /content with current eTag is 304', async () => {
    const reply = await session.demo.get(`/me/drive/items/${file.id}/content`, {
      'if-none-match': file.eTag ?? '',
    });
    assert.equal(reply.status, 304);
  });

  it('content of a folder is an error', async () => {
    const reply = await session.demo.get(`/me/drive/items/${folder.id}/content`);
    assertClientError(reply);
  });

  it('content of a missing item is 404', async () => {
    const reply = await session.demo.get('/me/drive/items/0123456789abcdef!999995/content');
    assertGraphError(reply, 404, 'itemNotFound');
  });

  it('download URL with Authorization is allowed by default', async () => {
    const reply = await send(session.dispatcher, 'GET', await downloadLocation(), {
      headers: { authorization: `Bearer ${session.demo.token}` },
    });
    assert.equal(reply.status, 200);
  });

  it('download replies carry request-id', async () => {
    const location = await downloadLocation();
    const replies = [
      await send(session.dispatcher, 'GET', location),
      await send(session.dispatcher, 'GET', location, { headers: { range: 'bytes=0-1' } }),
      await send(session.dispatcher, 'GET', location, { headers: { range: 'bytes=999-' } }),
      await session.demo.get(`/me/drive/items/${file.id}`, { 'if-none-match': file.eTag ?? '' }),
      await session.demo.get(`/me/drive/items/${file.id}/content`),
      await send(session.dispatcher, 'GET', `${session.emu.contentUrl}/download/not-a-token`),
    ];
    for (const reply of replies) {
      assert.ok(reply.header('request-id'), `status ${reply.status} reply lacks request-id`);
    }
  });

  it('HEAD on the download URL reports the length', async () => {
    const reply = await send(session.dispatcher, 'HEAD', await downloadLocation());
    assert.equal(reply.status, 200);
    assert.equal(reply.header('content-length'), String(content.length));
    assert.equal(reply.body.length, 0);
  });
});

describe('download with strict authorization', () => {
  let session: Session;

  before(async () => {
    session = await startSession({ strictDownloadAuth: true });
  });
  after(async () => {
    await session?.close();
  });

  it('download URL with Authorization is 401', async () => {
    const file = await upload(session.demo, '/strict.txt', 'strict');
    const redirect = await session.demo.get(`/me/drive/items/${file.id}/content`);
    const location = redirect.header('location') ?? '';
    const withAuth = await send(session.dispatcher, 'GET', location, {
      headers: { authorization: `Bearer ${session.demo.token}` },
    });
    assertGraphError(withAuth, 401, 'unauthenticated');
    const withoutAuth = await send(session.dispatcher, 'GET', location);
    assert.equal(withoutAuth.status, 200);
    assert.equal(withoutAuth.text(), 'strict');
  });
});

describe('download URL expiry', () => {
  let session: Session;

  before(async () => {
    session = await startSession({ downloadUrlLifetimeSeconds: 1 });
  });
  after(async () => {
    await session?.close();
  });

  it('download URL stops working after its lifetime', async () => {
    const file = await upload(session.demo, '/short-lived.txt', 'soon gone');
    const location =
      (await session.demo.get(`/me/drive/items/${file.id}/content`)).header('location') ?? '';
    const fresh = await send(session.dispatcher, 'GET', location);
    assert.equal(fresh.status, 200);

    // Waiting past the configured 1 s lifetime is the only way to reach expiry.
    await delay(2100);
    const expired = await send(session.dispatcher, 'GET', location);
    assert.ok([401, 403, 404, 410].includes(expired.status), `got ${expired.status}`);
  });
});
