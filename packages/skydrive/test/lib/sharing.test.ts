// Sharing links, permissions and metadata updates through the public Drive
// API against the emulator, plus the PATCH body checked on a scripted server.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Drive } from '../../src/drive/drive.ts';
import { GraphError, SkydriveError } from '../../src/errors.ts';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';
import { sendJson, startScriptedServer } from './helpers/scripted-server.ts';

describe('sharing links and permissions', () => {
  let fixture: EmulatorFixture;
  let drive: Drive;

  before(async () => {
    fixture = await startFixture();
    drive = fixture.drive;
    await drive.mkdir('/Shared');
    const local = path.join(fixture.local, 'note.txt');
    await writeFile(local, 'shared content');
    await drive.upload(local, '/Shared/');
  });

  after(async () => {
    await fixture?.close();
  });

  it('link is created once per type', async () => {
    const first = await drive.link('/Shared/note.txt', { type: 'view', scope: 'anonymous' });
    assert.equal(first.created, true);
    assert.deepEqual(first.permission.roles, ['read']);
    assert.equal(first.permission.link?.type, 'view');
    const again = await drive.link('/Shared/note.txt', { type: 'view', scope: 'anonymous' });
    assert.equal(again.created, false);
    assert.equal(again.permission.id, first.permission.id);
  });

  it('anonymous link downloads without a token until it expires', async () => {
    const { permission } = await drive.link('/Shared/note.txt', {
      type: 'edit',
      scope: 'anonymous',
    });
    const url = permission.link?.webUrl;
    assert.ok(url !== undefined);
    const open = await fetch(url);
    assert.equal(open.status, 200);
    assert.equal(await open.text(), 'shared content');

    // Move the expiry into the past on the service, as time passing would.
    const item = await drive.info('/Shared/note.txt');
    const patch = await fetch(
      `${fixture.emulator.graphUrl}/me/drive/items/${item.id}/permissions/${permission.id}`,
      {
        method: 'PATCH',
        headers: { authorization: `Bearer ${fixture.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ roles: ['write'], expirationDateTime: '2026-01-01T00:00:00Z' }),
      },
    );
    assert.equal(patch.status, 200);
    const expired = await fetch(url);
    assert.equal(expired.status, 410);
    await expired.body?.cancel();
  });

  it('embed link carries webHtml', async () => {
    const { permission } = await drive.link('/Shared/note.txt', { type: 'embed' });
    assert.match(permission.link?.webHtml ?? '', /^<iframe /);
  });

  it('link options are checked before sending', async () => {
    const before = fixture.events.length;
    await assert.rejects(
      drive.link('/Shared/note.txt', { type: 'share' as never }),
      (error: unknown) => error instanceof SkydriveError && error.code === 'INVALID_ARGUMENT',
    );
    await assert.rejects(
      drive.link('/Shared/note.txt', { expires: 'next week' }),
      (error: unknown) => error instanceof SkydriveError && error.code === 'INVALID_ARGUMENT',
    );
    assert.equal(fixture.events.length, before);
  });

  it('invite, list and revoke a permission', async () => {
    const granted = await drive.invite('/Shared', {
      recipients: ['ana@example.com'],
      role: 'write',
    });
    assert.equal(granted.length, 1);
    const permission = granted[0];
    assert.ok(permission !== undefined);
    assert.deepEqual(permission.roles, ['write']);
    assert.equal(permission.invitation?.email, 'ana@example.com');

    const inherited = [];
    for await (const entry of drive.permissions('/Shared/note.txt')) {
      inherited.push(entry);
    }
    const fromFolder = inherited.find((entry) => entry.id === permission.id);
    assert.ok(fromFolder?.inheritedFrom !== undefined, 'the file inherits the folder permission');

    await drive.revokePermission('/Shared', permission.id);
    const left = [];
    for await (const entry of drive.permissions('/Shared')) {
      left.push(entry.id);
    }
    assert.equal(left.includes(permission.id), false);
  });

  it('root of a personal drive refuses permissions', async () => {
    await assert.rejects(
      drive.invite('/', { recipients: ['ana@example.com'] }),
      (error: unknown) => error instanceof GraphError && error.status === 403,
    );
  });

  it('update renames and sets description and times', async () => {
    const local = path.join(fixture.local, 'draft.txt');
    await writeFile(local, 'draft');
    await drive.upload(local, '/Shared/');
    const updated = await drive.update('/Shared/draft.txt', {
      name: 'final.txt',
      description: 'ready',
      fileSystemInfo: { lastModifiedDateTime: '2025-06-01T12:00:00Z' },
    });
    assert.equal(updated.name, 'final.txt');
    assert.equal(updated.description, 'ready');
    assert.equal(
      Date.parse(updated.fileSystemInfo?.lastModifiedDateTime ?? ''),
      Date.parse('2025-06-01T12:00:00Z'),
    );
  });

  it('update with a stale eTag gets 412', async () => {
    const item = await drive.info('/Shared/final.txt');
    await drive.update({ id: item.id }, { description: 'changed elsewhere' });
    await assert.rejects(
      drive.update({ id: item.id }, { description: 'mine' }, { ifMatch: item.eTag ?? '' }),
      (error: unknown) => error instanceof GraphError && error.status === 412,
    );
  });

  it('update rejects computed and empty changes', async () => {
    for (const update of [
      {},
      { size: 3 },
      { name: 'a/b' },
      { fileSystemInfo: { lastModifiedDateTime: 'yesterday' } },
    ]) {
      await assert.rejects(
        drive.update('/Shared/final.txt', update),
        SkydriveError,
        JSON.stringify(update),
      );
    }
  });
});

describe('update request body', () => {
  it('sends only the given fields with If-Match', async () => {
    const server = await startScriptedServer((_request, response) =>
      sendJson(response, 200, { id: 'A!1', name: 'b.txt' }),
    );
    const drive = await Drive.open({ endpoint: `${server.url}/v1.0`, accessToken: 'token' });
    try {
      await drive.update('/a.txt', { name: 'b.txt', description: undefined }, { ifMatch: '"e1"' });
      const request = server.requests[0];
      assert.equal(request?.method, 'PATCH');
      assert.equal(request?.url, '/v1.0/me/drive/root:/a.txt');
      assert.equal(request?.headers['if-match'], '"e1"');
      assert.deepEqual(JSON.parse(request?.body.toString() ?? ''), { name: 'b.txt' });
    } finally {
      await drive.close();
      await server.close();
    }
  });
});
