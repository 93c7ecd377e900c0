import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, type Reply, send, startDrive } from './drive-helpers.ts';

describe('OneNote packages', () => {
  let drive: Drive;
  let notebook: Reply['json'];
  before(async () => {
    drive = await startDrive();
    await drive.mkdir('Notes');
    const reply = await send(`${drive.emu.url}/_emulator/packages`, 'POST', {
      username: 'demo',
      parentPath: '/Notes',
      name: 'Journal',
      files: [{ name: 'Section.one', content: 'page text' }],
    });
    assert.equal(reply.status, 201);
    notebook = reply.json;
  });
  after(async () => {
    await drive?.close();
  });

  it('a package has the package facet and neither folder nor file', async () => {
    assert.deepEqual(notebook.package, { type: 'oneNote' });
    assert.equal(notebook.folder, undefined);
    assert.equal(notebook.file, undefined);
    const listed = await drive.graph('GET', '/me/drive/root:/Notes:/children');
    const entry = listed.json.value.find((item: { name: string }) => item.name === 'Journal');
    assert.deepEqual(entry.package, { type: 'oneNote' });
  });

  it('its children are listable and its content is 404', async () => {
    const children = await drive.graph('GET', `/me/drive/items/${notebook.id}/children`);
    assert.deepEqual(
      children.json.value.map((item: { name: string }) => item.name),
      ['Section.one'],
    );
    const content = await drive.graph('GET', `/me/drive/items/${notebook.id}/content`);
    assert.equal(content.status, 404);
    assert.equal(graphError(content).code, 'itemNotFound');
  });

  it('package control route rejects bad input', async () => {
    const bad = await send(`${drive.emu.url}/_emulator/packages`, 'POST', { name: 42 });
    assert.equal(bad.status, 400);
    const taken = await send(`${drive.emu.url}/_emulator/packages`, 'POST', {
      parentPath: '/Notes',
      name: 'journal',
      files: [],
    });
    assert.equal(taken.status, 409);
    const missing = await send(`${drive.emu.url}/_emulator/packages`, 'POST', {
      parentPath: '/Nowhere',
      name: 'X',
      files: [],
    });
    assert.equal(missing.status, 404);
  });
});

describe('control routes of the drive features', () => {
  it('are absent when the control API is off', async () => {
    const drive = await startDrive({ controlEnabled: false });
    try {
      const reply = await send(`${drive.emu.url}/_emulator/recycleBin`);
      assert.notEqual(reply.status, 200);
      const expire = await send(`${drive.emu.url}/_emulator/delta/expire`, 'POST', {});
      assert.notEqual(expire.status, 200);
    } finally {
      await drive.close();
    }
  });

  it('delta/expire refuses GET and an unknown user', async () => {
    const drive = await startDrive();
    try {
      assert.equal((await send(`${drive.emu.url}/_emulator/delta/expire`)).status, 405);
      const unknown = await send(`${drive.emu.url}/_emulator/delta/expire`, 'POST', {
        username: 'ghost',
      });
      assert.equal(unknown.status, 404);
    } finally {
      await drive.close();
    }
  });
});
