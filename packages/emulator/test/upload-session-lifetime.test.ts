import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { UploadSessionStore } from '../src/upload/session-store.ts';
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

/** Finds a port that is free now, so two emulators in a row can share it. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface SessionJson {
  expirationDateTime: string;
  nextExpectedRanges: string[];
}

describe('upload session after restart', () => {
  let location: string;

  before(async () => {
    location = await mkdtemp(path.join(tmpdir(), 'skydrive-upload-restart-'));
  });
  after(async () => {
    await rm(location, { recursive: true, force: true });
  });

  it('persistent emulator still accepts the session', async () => {
    const data = patternBytes(2 * UNIT + 123, 11);
    const contentPort = await freePort();
    const first = await startHarness({ location, contentPort });
    let url: string;
    try {
      url = await first.createSession('/resume.bin');
      assert.equal((await putFragment(url, data.subarray(0, UNIT), 0, data.length)).status, 202);
    } finally {
      await first.close();
    }

    const second = await startHarness({ location, contentPort });
    try {
      assert.ok(url.startsWith(second.emulator.contentUrl));
      const state = await send('GET', url);
      assert.equal(state.status, 200);
      assert.deepEqual(state.json<SessionJson>().nextExpectedRanges, [
        `${UNIT}-${data.length - 1}`,
      ]);
      assert.equal(
        (await putFragment(url, data.subarray(UNIT, 2 * UNIT), UNIT, data.length)).status,
        202,
      );
      const last = await putFragment(url, data.subarray(2 * UNIT), 2 * UNIT, data.length);
      assert.equal(last.status, 201);
      const item = last.json<{ size: number; file: { hashes: { quickXorHash: string } } }>();
      assert.equal(item.size, data.length);
      assert.equal(item.file.hashes.quickXorHash, quickXorHash(data));
    } finally {
      await second.close();
    }
    assert.deepEqual(await readdir(path.join(location, 'upload-sessions')), []);
  });
});

describe('upload session expiry', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness({ uploadSessionLifetimeSeconds: 120 });
  });
  after(async () => {
    await h?.close();
  });

  it('expirationDateTime follows the configured lifetime', async () => {
    const reply = await h.graph('POST', '/me/drive/root:/life.bin:/createUploadSession', {});
    const expires = Date.parse(reply.json<SessionJson>().expirationDateTime);
    assert.ok(expires > Date.now() + 100_000, 'expires too early');
    assert.ok(expires <= Date.now() + 120_000, 'expires too late');
  });

  it('expired session answers 404', async () => {
    const url = await h.createSession('/expired.bin');
    await putFragment(url, patternBytes(UNIT), 0, 2 * UNIT);
    const expire = await send('POST', `${h.emulator.url}/_emulator/uploadSessions/expire`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'demo' }),
    });
    assert.equal(expire.status, 200);
    assert.ok(expire.json<{ expired: number }>().expired >= 1);
    const state = await send('GET', url);
    assert.equal(state.status, 404);
    assert.equal(errorCode(state), 'itemNotFound');
    const fragment = await putFragment(url, patternBytes(UNIT), UNIT, 2 * UNIT);
    assert.equal(fragment.status, 404);
    assert.equal(innerCode(fragment), 'uploadSessionNotFound');
  });

  it('session past its time is removed on restart', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'skydrive-upload-expiry-'));
    try {
      const now = Date.now();
      const first = new UploadSessionStore(root);
      await first.init(now);
      const session = await first.create({
        username: 'demo',
        driveId: 'd',
        parentId: 'p',
        name: 'short.bin',
        targetItemId: null,
        conflictBehavior: 'fail',
        deferCommit: false,
        description: null,
        fsCreatedDateTime: null,
        fsModifiedDateTime: null,
        totalSize: null,
        expiresAt: now + 1000,
      });
      assert.equal((await readdir(first.dir)).length, 2);
      assert.equal(await first.find(session.token, now + 2000), undefined);

      await first.create({ ...session, expiresAt: now + 1000 });
      const restarted = new UploadSessionStore(root);
      assert.equal(await restarted.init(now + 2000), 0);
      assert.deepEqual(await readdir(restarted.dir), []);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
