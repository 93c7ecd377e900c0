import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  assertGraphError,
  assertHashes,
  byPath,
  type Reply,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
  type WireError,
  type WireItem,
} from './helpers.ts';

/** Fragments other than the last must be multiples of 320 KiB. */
const FRAGMENT_UNIT = 327_680;

interface WireUploadSession {
  uploadUrl?: string;
  expirationDateTime?: string;
  nextExpectedRanges?: string[];
}

async function createSession(
  session: Session,
  path: string,
  body: object = {},
  headers?: Record<string, string>,
): Promise<Reply> {
  return session.demo.postJson(`${byPath(path)}/createUploadSession`, body, headers);
}

async function openSession(session: Session, path: string, body: object = {}): Promise<string> {
  const reply = await createSession(session, path, body);
  assert.equal(reply.status, 200, reply.text());
  const uploadUrl = reply.json<WireUploadSession>().uploadUrl;
  assert.equal(typeof uploadUrl, 'string', 'uploadUrl is missing');
  return uploadUrl as string;
}

/** Sends bytes `start`..`start + bytes.length - 1` of a `total`-byte file, without Authorization. */
function putFragment(
  session: Session,
  uploadUrl: string,
  bytes: Buffer,
  start: number,
  total: number,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const end = start + bytes.length - 1;
  return send(session.dispatcher, 'PUT', uploadUrl, {
    headers: { 'content-range': `bytes ${start}-${end}/${total}`, ...headers },
    body: bytes,
  });
}

/** One emulator with default options serves every suite below that does not need its own. */
let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

describe('upload sessions', () => {
  let folder: WireItem;

  before(async () => {
    folder = await scratchFolder(session.demo, 'sessions');
  });

  it('createUploadSession returns a pre-authenticated URL', async () => {
    const reply = await createSession(session, `/${folder.name}/shape.bin`);
    assert.equal(reply.status, 200, reply.text());
    const body = reply.json<WireUploadSession>();
    assert.equal(typeof body.uploadUrl, 'string');
    assert.notEqual(new URL(body.uploadUrl as string).origin, new URL(session.emu.graphUrl).origin);
    const expires = Date.parse(body.expirationDateTime ?? '');
    assert.ok(expires > Date.now(), `expirationDateTime ${body.expirationDateTime} is not ahead`);
  });

  it('fragments build the file and the last returns the item', async () => {
    const content = randomBytes(2 * FRAGMENT_UNIT + 1000);
    const path = `/${folder.name}/whole.bin`;
    const uploadUrl = await openSession(session, path);

    const first = await putFragment(
      session,
      uploadUrl,
      content.subarray(0, FRAGMENT_UNIT),
      0,
      content.length,
    );
    assert.equal(first.status, 202, first.text());
    // Graph writes the next range open-ended ("N-") or closed ("N-M"); both are documented.
    const ranges = first.json<WireUploadSession>().nextExpectedRanges ?? [];
    assert.equal(ranges.length, 1);
    assert.match(ranges[0] ?? '', new RegExp(`^${FRAGMENT_UNIT}-(${content.length - 1})?$`));
    assertGraphError(await session.demo.get(byPath(path)), 404, 'itemNotFound');

    const second = await putFragment(
      session,
      uploadUrl,
      content.subarray(FRAGMENT_UNIT, 2 * FRAGMENT_UNIT),
      FRAGMENT_UNIT,
      content.length,
    );
    assert.equal(second.status, 202, second.text());

    const last = await putFragment(
      session,
      uploadUrl,
      content.subarray(2 * FRAGMENT_UNIT),
      2 * FRAGMENT_UNIT,
      content.length,
    );
    assert.ok(
      [200, 201].includes(last.status),
      `last fragment answered ${last.status}: ${last.text()}`,
    );
    const item = last.json<WireItem>();
    assert.equal(item.name, 'whole.bin');
    assert.equal(item.size, content.length);
    assertHashes(item, content);
  });

  it('status GET reports the missing range', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/status.bin`);
    await putFragment(session, uploadUrl, Buffer.alloc(FRAGMENT_UNIT, 1), 0, 3 * FRAGMENT_UNIT);
    const status = await send(session.dispatcher, 'GET', uploadUrl);
    assert.equal(status.status, 200, status.text());
    const body = status.json<WireUploadSession>();
    assert.equal(body.nextExpectedRanges?.length, 1);
    assert.match(
      body.nextExpectedRanges?.[0] ?? '',
      new RegExp(`^${FRAGMENT_UNIT}-(${3 * FRAGMENT_UNIT - 1})?$`),
    );
    assert.equal(typeof body.expirationDateTime, 'string');
  });

  it('resent fragment is 416', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/overlap.bin`);
    const bytes = Buffer.alloc(FRAGMENT_UNIT, 2);
    await putFragment(session, uploadUrl, bytes, 0, 2 * FRAGMENT_UNIT);
    const again = await putFragment(session, uploadUrl, bytes, 0, 2 * FRAGMENT_UNIT);
    assertGraphError(again, 416, 'invalidRange');
    assert.equal(again.json<WireError>().error?.innerError?.code, 'fragmentOverlap');
  });

  it('changed total is 400', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/total.bin`);
    await putFragment(session, uploadUrl, Buffer.alloc(FRAGMENT_UNIT, 3), 0, 2 * FRAGMENT_UNIT);
    const changed = await putFragment(
      session,
      uploadUrl,
      Buffer.alloc(FRAGMENT_UNIT, 3),
      FRAGMENT_UNIT,
      3 * FRAGMENT_UNIT,
    );
    assertGraphError(changed, 400, 'invalidRequest');
    assert.equal(changed.json<WireError>().error?.innerError?.code, 'fragmentLengthMismatch');
  });

  it('fragment past the expected offset is rejected', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/gap.bin`);
    const reply = await putFragment(
      session,
      uploadUrl,
      Buffer.alloc(FRAGMENT_UNIT, 4),
      FRAGMENT_UNIT,
      3 * FRAGMENT_UNIT,
    );
    assert.ok([400, 416].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
    assertGraphError(reply, reply.status, ['invalidRequest', 'invalidRange']);
  });

  it('Content-Range that disagrees with the body is 400', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/length.bin`);
    const reply = await send(session.dispatcher, 'PUT', uploadUrl, {
      headers: { 'content-range': `bytes 0-${FRAGMENT_UNIT - 1}/${2 * FRAGMENT_UNIT}` },
      body: Buffer.alloc(1000),
    });
    assertGraphError(reply, 400, 'invalidRequest');
  });

  for (const range of [
    'bytes 0--1/0',
    'bytes 0-0/0',
    'bytes */1000',
    'bytes 5-2/1000',
    'items 0-9/10',
  ]) {
    it(`malformed Content-Range "${range}" is rejected`, async () => {
      const uploadUrl = await openSession(session, `/${folder.name}/malformed-${range.length}.bin`);
      const reply = await send(session.dispatcher, 'PUT', uploadUrl, {
        headers: { 'content-range': range },
        body: Buffer.alloc(0),
      });
      assert.ok([400, 416].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
    });
  }

  it('DELETE cancels the session', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/cancel.bin`);
    const cancelled = await send(session.dispatcher, 'DELETE', uploadUrl);
    assert.equal(cancelled.status, 204);
    const after = await putFragment(session, uploadUrl, Buffer.alloc(100), 0, 100);
    assertGraphError(after, 404, 'itemNotFound');
    assertGraphError(
      await session.demo.get(byPath(`/${folder.name}/cancel.bin`)),
      404,
      'itemNotFound',
    );
  });

  it('tampered upload URL is refused', async () => {
    const uploadUrl = new URL(await openSession(session, `/${folder.name}/tampered.bin`));
    const runs = `${uploadUrl.pathname}${uploadUrl.search}`.match(/[A-Za-z0-9_-]{20,}/g) ?? [];
    const token = runs[0];
    assert.ok(token, `no random token of 20+ characters in ${uploadUrl}`);
    const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    const tampered = uploadUrl.toString().replace(token, flipped);
    const reply = await send(session.dispatcher, 'PUT', tampered, {
      headers: { 'content-range': 'bytes 0-2/3' },
      body: Buffer.from('abc'),
    });
    assert.ok([401, 403, 404].includes(reply.status), `got ${reply.status}`);
    assertGraphError(
      await session.demo.get(byPath(`/${folder.name}/tampered.bin`)),
      404,
      'itemNotFound',
    );
  });

  it('Authorization on a fragment is accepted by default', async () => {
    const uploadUrl = await openSession(session, `/${folder.name}/with-auth.bin`);
    const reply = await putFragment(session, uploadUrl, Buffer.from('abc'), 0, 3, {
      authorization: `Bearer ${session.demo.token}`,
    });
    assert.ok([200, 201].includes(reply.status), `got ${reply.status}: ${reply.text()}`);
  });

  it('existing name fails by default', async () => {
    // Upload sessions default to conflictBehavior fail, unlike simple PUT.
    const path = `/${folder.name}/taken.bin`;
    await upload(session.demo, path, 'original');
    const reply = await createSession(session, path);
    if (reply.status === 409) {
      assertGraphError(reply, 409, 'nameAlreadyExists');
    } else {
      assert.equal(reply.status, 200, reply.text());
      const uploadUrl = reply.json<WireUploadSession>().uploadUrl ?? '';
      const commit = await putFragment(session, uploadUrl, Buffer.from('new'), 0, 3);
      assertGraphError(commit, 409, 'nameAlreadyExists');
    }
    const item = (await session.demo.get(byPath(path))).json<WireItem>();
    assertHashes(item, Buffer.from('original'));
  });

  it('conflictBehavior replace in the item body replaces', async () => {
    const path = `/${folder.name}/replaced.bin`;
    const original = await upload(session.demo, path, 'original');
    const uploadUrl = await openSession(session, path, {
      item: { '@microsoft.graph.conflictBehavior': 'replace' },
    });
    const commit = await putFragment(session, uploadUrl, Buffer.from('new'), 0, 3);
    assert.ok([200, 201].includes(commit.status), `got ${commit.status}: ${commit.text()}`);
    assert.equal(commit.json<WireItem>().id, original.id);
  });

  it('item.name differing from the path is 400', async () => {
    const reply = await createSession(session, `/${folder.name}/path-name.bin`, {
      item: { name: 'other-name.bin' },
    });
    assertGraphError(reply, 400, 'invalidRequest');
  });

  it('fileSize over the remaining quota is 507', async () => {
    const reply = await createSession(session, `/${folder.name}/too-big.bin`, {
      item: { fileSize: 50_000_000 },
    });
    assertGraphError(reply, 507, 'quotaLimitReached');
  });

  it('If-Match mismatch on an existing item is 412', async () => {
    const path = `/${folder.name}/guarded.bin`;
    await upload(session.demo, path, 'guarded');
    const reply = await createSession(
      session,
      path,
      { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
      { 'if-match': '"{00000000-0000-0000-0000-000000000000},1"' },
    );
    assertGraphError(reply, 412, 'resourceModified');
  });

  it('If-None-Match matching the item is 412', async () => {
    const path = `/${folder.name}/none-match.bin`;
    const existing = await upload(session.demo, path, 'exists');
    const reply = await createSession(
      session,
      path,
      { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
      { 'if-none-match': existing.eTag ?? '' },
    );
    assertGraphError(reply, 412, 'resourceModified');
  });

  it('invalid name is 400', async () => {
    const reply = await createSession(session, `/${folder.name}/bad|name.bin`);
    assertGraphError(reply, 400, ['invalidRequest', 'nameContainsInvalidCharacters']);
  });
});

describe('upload sessions in strict mode', () => {
  let strict: Session;

  before(async () => {
    strict = await startSession({ strictUploadAuth: true });
  });
  after(async () => {
    await strict?.close();
  });

  it('Authorization on a fragment is 401', async () => {
    const uploadUrl = await openSession(strict, '/strict-auth.bin');
    const reply = await putFragment(strict, uploadUrl, Buffer.from('abc'), 0, 3, {
      authorization: `Bearer ${strict.demo.token}`,
    });
    assertGraphError(reply, 401, 'unauthenticated');
    const clean = await putFragment(strict, uploadUrl, Buffer.from('abc'), 0, 3);
    assert.ok([200, 201].includes(clean.status), `got ${clean.status}: ${clean.text()}`);
  });

  it('non-final fragment off the 320 KiB grid is 400', async () => {
    const uploadUrl = await openSession(strict, '/strict-grid.bin');
    const reply = await putFragment(strict, uploadUrl, Buffer.alloc(4_194_304), 0, 8_000_000);
    assertGraphError(reply, 400, 'invalidRequest');
  });
});

describe('upload session expiry', () => {
  let shortLived: Session;

  before(async () => {
    shortLived = await startSession({ uploadSessionLifetimeSeconds: 1 });
  });
  after(async () => {
    await shortLived?.close();
  });

  it('expired session is 404', async () => {
    const uploadUrl = await openSession(shortLived, '/expiring.bin');
    // Waiting past the configured 1 s lifetime is the only way to reach expiry.
    await delay(2100);
    const reply = await putFragment(shortLived, uploadUrl, Buffer.from('late'), 0, 4);
    assertGraphError(reply, 404, 'itemNotFound');
  });
});
