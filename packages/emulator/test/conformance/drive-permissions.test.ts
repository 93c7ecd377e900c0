import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeatureItem, WirePermission } from './feature-helpers.ts';
import {
  assertGraphError,
  byPath,
  createFolder,
  type Session,
  scratchFolder,
  startSession,
  upload,
  type WireCollection,
} from './helpers.ts';

let session: Session;

before(async () => {
  session = await startSession();
});
after(async () => {
  await session?.close();
});

async function createLink(itemId: string, body: Record<string, unknown>) {
  return session.demo.postJson(`/me/drive/items/${itemId}/createLink`, body);
}

async function newFile(content = 'shared bytes'): Promise<FeatureItem> {
  const folder = await scratchFolder(session.demo, 'share');
  return upload(session.demo, `/${folder.name}/file.txt`, content);
}

describe('permissions', () => {
  it('shared item lists own permission and shared facet', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const list = await session.demo.get(`/me/drive/items/${file.id}/permissions`);
    assert.equal(list.status, 200);
    const permissions = list.json<WireCollection<WirePermission>>().value;
    const own = permissions.find((permission) => permission.id === link.id);
    assert.ok(own, 'link must be listed');
    assert.equal(own.inheritedFrom, undefined);

    const one = await session.demo.get(`/me/drive/items/${file.id}/permissions/${link.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.json<WirePermission>().id, link.id);

    const item = (await session.demo.get(`/me/drive/items/${file.id}`)).json<FeatureItem>();
    assert.ok(item.shared, 'shared facet expected');
  });

  it('child lists inherited permission with inheritedFrom', async () => {
    const folder = await scratchFolder(session.demo, 'inherit');
    const child = await upload(session.demo, `/${folder.name}/child.txt`, 'c');
    const link = (await createLink(folder.id, { type: 'edit' })).json<WirePermission>();
    const list = (await session.demo.get(`/me/drive/items/${child.id}/permissions`)).json<
      WireCollection<WirePermission>
    >();
    const inherited = list.value.find((permission) => permission.id === link.id);
    assert.ok(inherited, 'folder link must be listed on the child');
    assert.equal(inherited.inheritedFrom?.id, folder.id);

    const removed = await session.demo.delete(`/me/drive/items/${child.id}/permissions/${link.id}`);
    assertGraphError(removed, 403, 'accessDenied');
    const patched = await session.demo.patchJson(
      `/me/drive/items/${child.id}/permissions/${link.id}`,
      {
        roles: ['read'],
      },
    );
    assertGraphError(patched, 403, 'accessDenied');

    const fromParent = await session.demo.delete(
      `/me/drive/items/${folder.id}/permissions/${link.id}`,
    );
    assert.equal(fromParent.status, 204);
    const after = (await session.demo.get(`/me/drive/items/${child.id}/permissions`)).json<
      WireCollection<WirePermission>
    >();
    assert.equal(
      after.value.find((permission) => permission.id === link.id),
      undefined,
    );
  });

  it('nested child inherits from the grandparent', async () => {
    const folder = await scratchFolder(session.demo, 'deep');
    const inner = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'inner');
    const link = (await createLink(folder.id, { type: 'view' })).json<WirePermission>();
    const list = (await session.demo.get(`/me/drive/items/${inner.id}/permissions`)).json<
      WireCollection<WirePermission>
    >();
    assert.equal(
      list.value.find((permission) => permission.id === link.id)?.inheritedFrom?.id,
      folder.id,
    );
  });

  it('root permissions cannot be created', async () => {
    const root = (await session.demo.get('/me/drive/root')).json<FeatureItem>();
    assertGraphError(await createLink(root.id, { type: 'view' }), 403, 'accessDenied');
    const invite = await session.demo.postJson('/me/drive/root/invite', {
      recipients: [{ email: 'someone@example.com' }],
      roles: ['read'],
    });
    assertGraphError(invite, 403, 'accessDenied');
  });

  it('PATCH changes roles', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}/permissions/${link.id}`,
      {
        roles: ['write'],
      },
    );
    assert.equal(reply.status, 200, reply.text());
    assert.deepEqual(reply.json<WirePermission>().roles, ['write']);
  });

  it('PATCH expiration and matching If-Match', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    assert.equal(link.expirationDateTime, '0001-01-01T00:00:00Z');
    const item = (await session.demo.get(`/me/drive/items/${file.id}`)).json<FeatureItem>();
    const expiry = '2099-01-01T00:00:00Z';
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}/permissions/${link.id}`,
      { roles: ['read'], expirationDateTime: expiry },
      { 'if-match': item.eTag ?? '' },
    );
    assert.equal(reply.status, 200, reply.text());
    assert.equal(
      Date.parse(reply.json<WirePermission>().expirationDateTime ?? ''),
      Date.parse(expiry),
    );
  });

  it('PATCH with an invalid role is 400', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const reply = await session.demo.patchJson(
      `/me/drive/items/${file.id}/permissions/${link.id}`,
      {
        roles: ['owner'],
      },
    );
    assertGraphError(reply, 400, 'invalidRequest');
  });

  it('DELETE with a stale If-Match is 412', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const reply = await session.demo.delete(`/me/drive/items/${file.id}/permissions/${link.id}`, {
      'if-match': '"{00000000-0000-0000-0000-000000000000},1"',
    });
    assertGraphError(reply, 412, 'resourceModified');
    assert.equal(
      (await session.demo.get(`/me/drive/items/${file.id}/permissions/${link.id}`)).status,
      200,
    );
  });

  it('unknown permission is 404', async () => {
    const file = await newFile();
    assertGraphError(
      await session.demo.get(`/me/drive/items/${file.id}/permissions/nope`),
      404,
      'itemNotFound',
    );
  });

  it('permissions by path work', async () => {
    const file = await newFile();
    await createLink(file.id, { type: 'view' });
    const path = `/${file.parentReference?.name ?? ''}/file.txt`;
    const reply = await session.demo.get(`${byPath(path)}/permissions`);
    assert.equal(reply.status, 200);
    assert.ok(reply.json<WireCollection<WirePermission>>().value.length >= 1);
  });
});

describe('invite', () => {
  it('returns one permission per recipient', async () => {
    const file = await newFile();
    const reply = await session.demo.postJson(`/me/drive/items/${file.id}/invite`, {
      recipients: [{ email: 'ann@example.com' }, { email: 'bob@example.com' }],
      roles: ['write'],
      requireSignIn: true,
      sendInvitation: false,
      message: 'hello',
    });
    assert.equal(reply.status, 200, reply.text());
    const value = reply.json<WireCollection<WirePermission>>().value;
    assert.equal(value.length, 2);
    assert.deepEqual(value.map((permission) => permission.invitation?.email).sort(), [
      'ann@example.com',
      'bob@example.com',
    ]);
    for (const permission of value) {
      assert.deepEqual(permission.roles, ['write']);
      assert.equal(permission.invitation?.signInRequired, true);
    }
    const list = (await session.demo.get(`/me/drive/items/${file.id}/permissions`)).json<
      WireCollection<WirePermission>
    >();
    assert.ok(list.value.length >= 2);
  });

  it('missing recipients or bad role is 400', async () => {
    const file = await newFile();
    const noRecipients = await session.demo.postJson(`/me/drive/items/${file.id}/invite`, {
      roles: ['read'],
    });
    assertGraphError(noRecipients, 400, 'invalidRequest');
    const badRole = await session.demo.postJson(`/me/drive/items/${file.id}/invite`, {
      recipients: [{ email: 'ann@example.com' }],
      roles: ['owner'],
    });
    assertGraphError(badRole, 400, 'invalidRequest');
  });

  it('other user cannot list permissions', async () => {
    const file = await newFile();
    const reply = await session.alice.get(
      `/drives/${session.demoDriveId}/items/${file.id}/permissions`,
    );
    assert.equal(reply.status, 403);
  });
});
