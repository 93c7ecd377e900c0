import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEmulator } from '../src/index.ts';
import { graphClient, passwordToken, spawnEmulator, waitForExit, waitUntil } from './helpers.ts';

const DECLARED_BYTES = 8 * 1024 * 1024;
const SENT_BYTES = 1024 * 1024;

describe('kill -9 during a simple upload', () => {
  let location: string;
  let keptId = '';
  let leftoverTempFiles: string[] = [];

  before(async () => {
    location = await mkdtemp(path.join(tmpdir(), 'emu-crash-'));
    const { child, url } = await spawnEmulator(['--location', location, '--port', '0']);
    try {
      const token = (await passwordToken(url)).access_token;
      const graph = graphClient(`${url}/v1.0`, token);
      keptId = (
        await graph.json<{ id: string }>('PUT', '/me/drive/root:/kept.txt:/content', 'kept')
      ).id;

      // Send part of the declared body, wait until it reaches the temp file, then kill the process.
      const upload = request(`${url}/v1.0/me/drive/root:/partial.bin:/content`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-length': DECLARED_BYTES },
      });
      upload.on('error', () => {
        // The connection dies with the process; that is the point of the test.
      });
      upload.write(Buffer.alloc(SENT_BYTES, 1));
      await waitUntil(async () => (await tempFileBytes(location)) >= SENT_BYTES);
      child.kill('SIGKILL');
      const exit = await waitForExit(child);
      assert.equal(exit.signal, 'SIGKILL');
      upload.destroy();
      leftoverTempFiles = await readdir(path.join(location, 'tmp'));
    } finally {
      child.kill('SIGKILL');
    }
  });

  after(() => rm(location, { recursive: true, force: true }));

  it('kill left a partial temp file behind', () => {
    assert.equal(leftoverTempFiles.length, 1);
  });

  it('restart shows no partial item and removes temp files', async () => {
    const emulator = await startEmulator({ location });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      const names = (
        await graph.json<{ value: Array<{ name: string }> }>('GET', '/me/drive/root/children')
      ).value.map((child) => child.name);
      assert.deepEqual(names, ['kept.txt']);
      const partial = await graph.send('GET', '/me/drive/root:/partial.bin');
      assert.equal(partial.status, 404);
      const kept = await graph.json<{ id: string; size: number }>(
        'GET',
        '/me/drive/root:/kept.txt',
      );
      assert.equal(kept.id, keptId);
      assert.equal(kept.size, 4);
      assert.deepEqual(await readdir(path.join(location, 'tmp')), []);
    } finally {
      await emulator.close();
    }
  });

  it('upload after restart succeeds', async () => {
    const emulator = await startEmulator({ location });
    try {
      const graph = graphClient(
        emulator.graphUrl,
        (await passwordToken(emulator.url)).access_token,
      );
      const response = await graph.send(
        'PUT',
        '/me/drive/root:/partial.bin:/content',
        new Uint8Array(10),
      );
      assert.equal(response.status, 201);
    } finally {
      await emulator.close();
    }
  });
});

async function tempFileBytes(location: string): Promise<number> {
  const folder = path.join(location, 'tmp');
  let total = 0;
  for (const name of await readdir(folder).catch(() => [])) {
    total += (await stat(path.join(folder, name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
