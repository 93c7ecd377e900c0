import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startEmulator } from '../src/index.ts';
import { graphClient, passwordToken } from './helpers.ts';

interface Item {
  id: string;
  name: string;
  eTag: string;
  cTag: string;
  size: number;
  file?: { hashes: { quickXorHash: string; sha1Hash: string; sha256Hash: string } };
  '@microsoft.graph.downloadUrl'?: string;
}

describe('persistent store across restart', () => {
  let location: string;
  const created: Record<string, Item> = {};
  let refreshToken = '';
  let accessToken = '';
  let deletedBytes = 0;

  before(async () => {
    location = await mkdtemp(path.join(tmpdir(), 'emu-persist-'));
    const emulator = await startEmulator({
      location,
      users: [{ username: 'demo', password: 'demo' }],
    });
    try {
      const tokens = await passwordToken(emulator.url);
      accessToken = tokens.access_token;
      refreshToken = tokens.refresh_token;
      const graph = graphClient(emulator.graphUrl, accessToken);
      created.folder = await graph.json<Item>('POST', '/me/drive/root/children', {
        name: 'Docs',
        folder: {},
      });
      created.sub = await graph.json<Item>(
        'POST',
        `/me/drive/items/${created.folder.id}/children`,
        {
          name: 'Sub #1',
          folder: {},
        },
      );
      created.file = await graph.json<Item>(
        'PUT',
        '/me/drive/root:/Docs/Sub%20%231/notes+1.txt:/content',
        'persisted bytes',
      );
      created.binary = await graph.json<Item>(
        'PUT',
        '/me/drive/root:/data.bin:/content',
        new Uint8Array(4096).fill(7),
      );
      const doomed = await graph.json<Item>(
        'PUT',
        '/me/drive/root:/doomed.txt:/content',
        'recycle me',
      );
      deletedBytes = doomed.size;
      const deleted = await graph.send('DELETE', `/me/drive/items/${doomed.id}`);
      assert.equal(deleted.status, 204);
    } finally {
      await emulator.close();
    }
  });

  after(() => rm(location, { recursive: true, force: true }));

  it('database uses the WAL journal', () => {
    const db = new Database(path.join(location, 'emulator.db'), { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('items keep ids, tags and hashes', async () => {
    const emulator = await startEmulator({ location });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      for (const key of ['folder', 'sub', 'file', 'binary']) {
        const before = created[key] as Item;
        const after = await graph.json<Item>('GET', `/me/drive/items/${before.id}`);
        assert.equal(after.name, before.name, key);
        assert.equal(after.eTag, before.eTag, key);
        if (before.file) {
          assert.equal(after.size, before.size, key);
        }
        assert.deepEqual(after.file?.hashes, before.file?.hashes, key);
      }
      const byPath = await graph.json<Item>('GET', '/me/drive/root:/docs/SUB%20%231/notes+1.txt');
      assert.equal(byPath.id, created.file?.id);
    } finally {
      await emulator.close();
    }
  });

  it('file bytes download after restart', async () => {
    const emulator = await startEmulator({ location });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      const item = await graph.json<Item>('GET', `/me/drive/items/${created.binary?.id}`);
      const url = item['@microsoft.graph.downloadUrl'];
      assert.ok(url);
      const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
      assert.equal(bytes.length, 4096);
      const sha256 = createHash('sha256').update(bytes).digest('hex').toUpperCase();
      assert.equal(sha256, created.binary?.file?.hashes.sha256Hash);
    } finally {
      await emulator.close();
    }
  });

  it('tokens stay valid after restart', async () => {
    const emulator = await startEmulator({ location });
    try {
      const me = await fetch(`${emulator.graphUrl}/me`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      assert.equal(me.status, 200);
      const refreshed = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'x',
          refresh_token: refreshToken,
        }),
      });
      assert.equal(refreshed.status, 200);
    } finally {
      await emulator.close();
    }
  });

  it('recycle bin and new ids survive restart', async () => {
    const emulator = await startEmulator({ location });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      const drive = await graph.json<{ quota: { deleted: number } }>('GET', '/me/drive');
      assert.equal(drive.quota.deleted, deletedBytes);
      const fresh = await graph.json<Item>('POST', '/me/drive/root/children', {
        name: 'After',
        folder: {},
      });
      const known = new Set(Object.values(created).map((item) => item.id));
      assert.ok(!known.has(fresh.id), `id ${fresh.id} was reused`);
      const names = (
        await graph.json<{ value: Item[] }>('GET', '/me/drive/root/children')
      ).value.map((child) => child.name);
      assert.deepEqual(names.sort(), ['After', 'data.bin', 'Docs'].sort());
    } finally {
      await emulator.close();
    }
  });

  it('blob folder holds no temp files', async () => {
    assert.deepEqual(await readdir(path.join(location, 'tmp')), []);
  });
});
