import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Drive, send, startDrive } from './drive-helpers.ts';

describe('drive features with --location', () => {
  let dir: string;
  let drive: Drive;
  let fileId: string;
  let specialId: string;
  let linkPath: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'drive-features-'));
    const first = await startDrive({ location: dir });
    try {
      specialId = (await first.graph('GET', '/me/drive/special/documents')).json.id;
      fileId = (await first.put('/Documents/kept.txt', 'old')).id;
      await first.put('/Documents/kept.txt', 'new!');
      const link = await first.graph('POST', `/me/drive/items/${fileId}/createLink`, {
        type: 'view',
        scope: 'anonymous',
      });
      linkPath = new URL(link.json.link.webUrl).pathname;
    } finally {
      await first.close();
    }
    drive = await startDrive({ location: dir });
  });
  after(async () => {
    await drive?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the special folder', async () => {
    const reply = await drive.graph('GET', '/me/drive/special/documents');
    assert.equal(reply.json.id, specialId);
    assert.deepEqual(reply.json.specialFolder, { name: 'documents' });
  });

  it('keeps versions', async () => {
    const reply = await drive.graph('GET', `/me/drive/items/${fileId}/versions`);
    assert.deepEqual(
      reply.json.value.map((version: { id: string }) => version.id),
      ['2.0', '1.0'],
    );
  });

  it('keeps sharing links working', async () => {
    const reply = await send(`${drive.emu.contentUrl}${linkPath}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.bytes.toString(), 'new!');
  });
});
