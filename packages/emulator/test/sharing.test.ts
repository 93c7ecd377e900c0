import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, send, startDrive } from './drive-helpers.ts';

describe('createLink and the link webUrl', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('createLink 201 new, 200 existing', async () => {
    const file = await drive.put('/shared.txt', 'shared bytes');
    const first = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
    });
    assert.equal(first.status, 201);
    assert.deepEqual(first.json.roles, ['read']);
    assert.equal(first.json.link.type, 'view');
    assert.equal(first.json.link.scope, 'anonymous');
    assert.equal(first.json.link.webHtml, undefined);
    const second = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
    });
    assert.equal(second.status, 200);
    assert.equal(second.json.id, first.json.id);
    const edit = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'edit',
    });
    assert.equal(edit.status, 201);
    assert.deepEqual(edit.json.roles, ['write']);
    assert.notEqual(edit.json.id, first.json.id);
  });

  it('an anonymous link downloads the file without any token', async () => {
    const file = await drive.put('/open.txt', 'open to all');
    const link = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
    });
    const webUrl = link.json.link.webUrl as string;
    assert.ok(webUrl.startsWith(`${drive.emu.contentUrl}/s/`));
    const reply = await send(webUrl);
    assert.equal(reply.status, 200);
    assert.equal(reply.bytes.toString(), 'open to all');
  });

  it('after expiry the link answers 410', async () => {
    const file = await drive.put('/brief.txt', 'soon gone');
    const soon = new Date(Date.now() + 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const link = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
      expirationDateTime: soon,
    });
    assert.equal(link.status, 201);
    assert.equal(link.json.expirationDateTime, new Date(soon).toISOString());
    assert.equal((await send(link.json.link.webUrl)).status, 200);
    const past = '2000-01-01T00:00:00Z';
    const patched = await drive.graph(
      'PATCH',
      `/me/drive/items/${file.id}/permissions/${link.json.id}`,
      { roles: ['read'], expirationDateTime: past },
    );
    assert.equal(patched.status, 200);
    const expired = await send(link.json.link.webUrl);
    assert.equal(expired.status, 410);
  });

  it('a password link needs the password header or query parameter', async () => {
    const file = await drive.put('/locked.txt', 'secret');
    const link = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
      password: 'hunter2',
    });
    assert.equal(link.json.hasPassword, true);
    const url = link.json.link.webUrl as string;
    assert.equal((await send(url)).status, 403);
    assert.equal(
      (await send(url, 'GET', undefined, { 'x-skydrive-link-password': 'nope' })).status,
      403,
    );
    const ok = await send(url, 'GET', undefined, { 'x-skydrive-link-password': 'hunter2' });
    assert.equal(ok.bytes.toString(), 'secret');
    assert.equal((await send(`${url}?password=hunter2`)).status, 200);
  });

  it('embed returns webHtml with an iframe, and a folder link lists the folder', async () => {
    const file = await drive.put('/embedded.txt', 'e');
    const embed = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'embed',
    });
    assert.equal(embed.status, 201);
    assert.match(
      embed.json.link.webHtml,
      /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/s\/[^"]+\/embed"/,
    );
    const folder = await drive.mkdir('public');
    await drive.put('/public/inside.txt', 'in');
    const link = await drive.graph('POST', `/me/drive/items/${folder.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
    });
    const listing = await send(link.json.link.webUrl);
    assert.equal(listing.status, 200);
    assert.equal(listing.json.name, 'public');
    assert.deepEqual(
      listing.json.children.map((child: { name: string }) => child.name),
      ['inside.txt'],
    );
  });

  it('bad input: unknown type, organization scope, the root, unknown links', async () => {
    const file = await drive.put('/bad.txt', 'b');
    const badType = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'download',
    });
    assert.equal(badType.status, 400);
    assert.equal(graphError(badType).code, 'invalidRequest');
    const org = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'organization',
    });
    assert.equal(org.status, 400);
    const root = await drive.graph('POST', '/me/drive/root/createLink', { type: 'view' });
    assert.equal(root.status, 403);
    assert.equal(graphError(root).code, 'accessDenied');
    assert.equal((await send(`${drive.emu.contentUrl}/s/unknown-token`)).status, 404);
  });

  it('a users link is not opened anonymously', async () => {
    const file = await drive.put('/users.txt', 'u');
    const link = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'users',
    });
    assert.equal(link.status, 201);
    assert.equal((await send(link.json.link.webUrl)).status, 403);
  });
});

describe('permissions', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('invite adds a permission per recipient, inherited by children', async () => {
    const folder = await drive.mkdir('team');
    const child = await drive.put('/team/plan.txt', 'plan');
    const reply = await drive.graph('POST', `/me/drive/items/${folder.id}/invite`, {
      recipients: [{ email: 'ann@example.com' }, { email: 'bob@example.com' }],
      roles: ['write'],
      requireSignIn: true,
      sendInvitation: false,
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.json.value.length, 2);
    assert.deepEqual(reply.json.value[0].roles, ['write']);
    assert.deepEqual(reply.json.value[0].invitation, {
      email: 'ann@example.com',
      signInRequired: true,
    });

    const own = await drive.graph('GET', `/me/drive/items/${folder.id}/permissions`);
    assert.equal(own.json.value.length, 2);
    assert.equal(own.json.value[0].inheritedFrom, undefined);
    const inherited = await drive.graph('GET', `/me/drive/items/${child.id}/permissions`);
    assert.equal(inherited.json.value.length, 2);
    assert.equal(inherited.json.value[0].inheritedFrom.id, folder.id);

    const id = inherited.json.value[0].id;
    const denied = await drive.graph('DELETE', `/me/drive/items/${child.id}/permissions/${id}`);
    assert.equal(denied.status, 403);
    const one = await drive.graph('GET', `/me/drive/items/${folder.id}/permissions/${id}`);
    assert.equal(one.status, 200);
    const removed = await drive.graph('DELETE', `/me/drive/items/${folder.id}/permissions/${id}`);
    assert.equal(removed.status, 204);
    const missing = await drive.graph('GET', `/me/drive/items/${folder.id}/permissions/${id}`);
    assert.equal(missing.status, 404);
  });

  it('PATCH changes roles; If-Match mismatch is 412', async () => {
    const file = await drive.put('/roles.txt', 'r');
    const invite = await drive.graph('POST', `/me/drive/items/${file.id}/invite`, {
      recipients: [{ email: 'cy@example.com' }],
      roles: ['read'],
    });
    const id = invite.json.value[0].id;
    const patched = await drive.graph('PATCH', `/me/drive/items/${file.id}/permissions/${id}`, {
      roles: ['write'],
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.json.roles, ['write']);
    const stale = await drive.graph(
      'DELETE',
      `/me/drive/items/${file.id}/permissions/${id}`,
      undefined,
      { 'if-match': '"{00000000-0000-0000-0000-000000000000},1"' },
    );
    assert.equal(stale.status, 412);
    assert.equal(graphError(stale).code, 'resourceModified');
  });

  it('createLink permissions appear in the list and the item is shared', async () => {
    const file = await drive.put('/listed-link.txt', 'l');
    const link = await drive.graph('POST', `/me/drive/items/${file.id}/createLink`, {
      type: 'view',
      scope: 'anonymous',
    });
    const list = await drive.graph('GET', `/me/drive/items/${file.id}/permissions`);
    assert.deepEqual(
      list.json.value.map((permission: { id: string }) => permission.id),
      [link.json.id],
    );
    const item = await drive.graph('GET', `/me/drive/items/${file.id}`);
    assert.equal(item.json.shared.scope, 'anonymous');
    await drive.graph('DELETE', `/me/drive/items/${file.id}/permissions/${link.json.id}`);
    assert.equal((await send(link.json.link.webUrl)).status, 404);
  });

  it('bad invites and the drive root are refused', async () => {
    const file = await drive.put('/invite-bad.txt', 'i');
    const noRecipients = await drive.graph('POST', `/me/drive/items/${file.id}/invite`, {
      recipients: [],
      roles: ['read'],
    });
    assert.equal(noRecipients.status, 400);
    const badRole = await drive.graph('POST', `/me/drive/items/${file.id}/invite`, {
      recipients: [{ email: 'd@example.com' }],
      roles: ['owner'],
    });
    assert.equal(badRole.status, 400);
    const root = await drive.graph('POST', '/me/drive/root/invite', {
      recipients: [{ email: 'd@example.com' }],
      roles: ['read'],
    });
    assert.equal(root.status, 403);
    assert.equal(graphError(root).code, 'accessDenied');
  });
});
