import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FeatureItem, WirePermission } from './feature-helpers.ts';
import {
  assertClientError,
  assertGraphError,
  byPath,
  type Session,
  scratchFolder,
  send,
  startSession,
  upload,
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

function fetchLink(url: string, headers: Record<string, string> = {}) {
  return send(session.dispatcher, 'GET', url, { headers });
}

describe('createLink', () => {
  it('new link is 201, same type again 200', async () => {
    const file = await newFile();
    const first = await createLink(file.id, { type: 'view', scope: 'anonymous' });
    assert.equal(first.status, 201, first.text());
    const created = first.json<WirePermission>();
    assert.equal(typeof created.id, 'string');
    assert.deepEqual(created.roles, ['read']);
    assert.equal(created.link?.type, 'view');
    assert.equal(created.link?.scope, 'anonymous');
    assert.equal(typeof created.link?.webUrl, 'string');

    const second = await createLink(file.id, { type: 'view', scope: 'anonymous' });
    assert.equal(second.status, 200);
    assert.equal(second.json<WirePermission>().id, created.id);
    assert.equal(second.json<WirePermission>().link?.webUrl, created.link?.webUrl);
  });

  it('edit link is a separate write permission', async () => {
    const file = await newFile();
    const view = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const edit = await createLink(file.id, { type: 'edit' });
    assert.equal(edit.status, 201);
    assert.deepEqual(edit.json<WirePermission>().roles, ['write']);
    assert.notEqual(edit.json<WirePermission>().id, view.id);
  });

  it('anonymous view link downloads without a token', async () => {
    const file = await newFile('anonymous content');
    const link = (
      await createLink(file.id, { type: 'view', scope: 'anonymous' })
    ).json<WirePermission>();
    const reply = await fetchLink(link.link?.webUrl ?? '');
    assert.equal(reply.status, 200);
    assert.equal(reply.text(), 'anonymous content');
  });

  it('link serves the current version', async () => {
    const file = await newFile('first');
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    await upload(session.demo, `/${file.parentReference?.name ?? ''}/file.txt`, 'second');
    assert.equal((await fetchLink(link.link?.webUrl ?? '')).text(), 'second');
  });

  it('expired link is not served', async () => {
    const file = await newFile();
    const past = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const reply = await createLink(file.id, { type: 'view', expirationDateTime: past });
    if (reply.status >= 400) {
      // Creating an already expired link may be rejected outright, which also keeps it unusable.
      assert.equal(reply.status, 400);
      return;
    }
    const link = reply.json<WirePermission>();
    const fetched = await fetchLink(link.link?.webUrl ?? '');
    assert.equal(fetched.status, 410);
  });

  it('future expiry is served and reported', async () => {
    const file = await newFile('valid for now');
    const future = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const link = (
      await createLink(file.id, { type: 'view', expirationDateTime: future })
    ).json<WirePermission>();
    assert.equal(Date.parse(link.expirationDateTime ?? ''), Date.parse(future));
    assert.equal((await fetchLink(link.link?.webUrl ?? '')).text(), 'valid for now');
  });

  it('link stops working once its expiry passes', async () => {
    const file = await newFile('until then');
    const future = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const link = (
      await createLink(file.id, { type: 'view', expirationDateTime: future })
    ).json<WirePermission>();
    const url = link.link?.webUrl ?? '';
    assert.equal((await fetchLink(url)).status, 200);
    // Moving the expiry into the past replaces waiting until it passes.
    const past = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    const patched = await session.demo.patchJson(
      `/me/drive/items/${file.id}/permissions/${link.id}`,
      {
        roles: ['read'],
        expirationDateTime: past,
      },
    );
    assert.equal(patched.status, 200, patched.text());
    assert.equal((await fetchLink(url)).status, 410);
  });

  it('embed link carries webHtml', async () => {
    const file = await newFile();
    const reply = await createLink(file.id, { type: 'embed' });
    assert.equal(reply.status, 201, reply.text());
    const link = reply.json<WirePermission>();
    assert.equal(link.link?.type, 'embed');
    assert.deepEqual(link.roles, ['read']);
    assert.match(link.link?.webHtml ?? '', /<iframe/i);
  });

  it('embed on a folder is rejected', async () => {
    const folder = await scratchFolder(session.demo, 'embed');
    const reply = await createLink(folder.id, { type: 'embed' });
    assertClientError(reply);
  });

  it('password link needs the password', async () => {
    const file = await newFile('secret');
    const link = (
      await createLink(file.id, { type: 'view', password: 'pa ss' })
    ).json<WirePermission>();
    assert.equal(link.hasPassword, true);
    const url = link.link?.webUrl ?? '';
    assert.equal((await fetchLink(url)).status, 403);
    assert.equal((await fetchLink(url, { 'x-skydrive-link-password': 'wrong' })).status, 403);
    assert.equal((await fetchLink(url, { 'x-skydrive-link-password': 'pa ss' })).text(), 'secret');
  });

  it('invalid type or organization scope is 400', async () => {
    const file = await newFile();
    assertGraphError(await createLink(file.id, { type: 'print' }), 400, 'invalidRequest');
    assertGraphError(
      await createLink(file.id, { type: 'view', scope: 'organization' }),
      400,
      'invalidRequest',
    );
    assertGraphError(await createLink(file.id, {}), 400, 'invalidRequest');
  });

  it('anonymous folder link lists children', async () => {
    const folder = await scratchFolder(session.demo, 'share-folder');
    await upload(session.demo, `/${folder.name}/inside.txt`, 'abc');
    const link = (await createLink(folder.id, { type: 'view' })).json<WirePermission>();
    const reply = await fetchLink(link.link?.webUrl ?? '');
    assert.equal(reply.status, 200);
    const listing = reply.json<{
      name?: string;
      children?: Array<{ name?: string; size?: number }>;
    }>();
    assert.equal(listing.name, folder.name);
    assert.deepEqual(
      listing.children?.map((child) => [child.name, child.size]),
      [['inside.txt', 3]],
    );
  });

  it('users link is not served anonymously', async () => {
    const file = await newFile();
    const reply = await createLink(file.id, { type: 'view', scope: 'users' });
    assert.equal(reply.status, 201);
    const link = reply.json<WirePermission>();
    assert.equal(link.link?.scope, 'users');
    assert.equal((await fetchLink(link.link?.webUrl ?? '')).status, 403);
  });

  it('unknown link token is 404', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const url = new URL(link.link?.webUrl ?? '');
    const forged = `${url.origin}/s/${'A'.repeat(43)}`;
    assert.equal((await fetchLink(forged)).status, 404);
  });

  it('bad expirationDateTime is 400', async () => {
    const file = await newFile();
    assertGraphError(
      await createLink(file.id, { type: 'view', expirationDateTime: 'tomorrow' }),
      400,
      'invalidRequest',
    );
  });

  it('anonymous edit link downloads too', async () => {
    const file = await newFile('editable');
    const link = (await createLink(file.id, { type: 'edit' })).json<WirePermission>();
    const url = link.link?.webUrl ?? '';
    assert.equal((await fetchLink(url)).text(), 'editable');
    const head = await send(session.dispatcher, 'HEAD', url);
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('password in the query is accepted', async () => {
    const file = await newFile('query secret');
    const link = (
      await createLink(file.id, { type: 'view', password: 'p&w' })
    ).json<WirePermission>();
    const url = `${link.link?.webUrl ?? ''}?password=${encodeURIComponent('p&w')}`;
    assert.equal((await fetchLink(url)).text(), 'query secret');
  });

  it('recycled item cannot get a link', async () => {
    const file = await newFile();
    await session.demo.delete(`/me/drive/items/${file.id}`);
    assertGraphError(await createLink(file.id, { type: 'view' }), 404, 'itemNotFound');
  });

  it('createLink by path works', async () => {
    const file = await newFile();
    const path = `/${file.parentReference?.name ?? ''}/file.txt`;
    const reply = await session.demo.postJson(`${byPath(path)}/createLink`, { type: 'view' });
    assert.equal(reply.status, 201, reply.text());
  });

  it('deleted link stops working', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    const removed = await session.demo.delete(`/me/drive/items/${file.id}/permissions/${link.id}`);
    assert.equal(removed.status, 204);
    assert.equal((await fetchLink(link.link?.webUrl ?? '')).status, 404);
  });

  it('link of a recycled item is not served', async () => {
    const file = await newFile();
    const link = (await createLink(file.id, { type: 'view' })).json<WirePermission>();
    assert.equal((await session.demo.delete(`/me/drive/items/${file.id}`)).status, 204);
    const reply = await fetchLink(link.link?.webUrl ?? '');
    assert.ok(reply.status === 404 || reply.status === 410, `answered ${reply.status}`);
  });

  it('unknown item is 404', async () => {
    assertGraphError(
      await createLink('0123456789ABCDEF!999999', { type: 'view' }),
      404,
      'itemNotFound',
    );
  });
});
