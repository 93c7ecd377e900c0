import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeltaPage, FeatureItem } from './feature-helpers.ts';
import { postControl } from './feature-helpers.ts';
import {
  assertClientError,
  assertGraphError,
  byPath,
  createFolder,
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

function getUrl(url: string) {
  return send(session.dispatcher, 'GET', url, {
    headers: { authorization: `Bearer ${session.demo.token}` },
  });
}

/** Follows nextLinks through one delta round (at most 50 pages) and returns its items and deltaLink. */
async function round(
  firstUrl: string,
): Promise<{ items: FeatureItem[]; pages: DeltaPage[]; deltaLink: string }> {
  const pages: DeltaPage[] = [];
  let url = firstUrl;
  for (let count = 0; count < 50; count += 1) {
    const reply = await getUrl(url);
    assert.equal(reply.status, 200, `delta page answered ${reply.status}: ${reply.text()}`);
    const page = reply.json<DeltaPage>();
    pages.push(page);
    if (page['@odata.deltaLink'] !== undefined) {
      assert.equal(
        page['@odata.nextLink'],
        undefined,
        'a page carries nextLink or deltaLink, not both',
      );
      return {
        items: pages.flatMap((each) => each.value),
        pages,
        deltaLink: page['@odata.deltaLink'],
      };
    }
    const next = page['@odata.nextLink'];
    assert.ok(next, 'a page without deltaLink must carry nextLink');
    url = next;
  }
  assert.fail('delta round did not end within 50 pages');
}

function graph(path: string): string {
  return `${session.emu.graphUrl}${path}`;
}

async function latestLink(folderAddress: string): Promise<string> {
  const reply = await getUrl(graph(`${folderAddress}/delta?token=latest`));
  assert.equal(reply.status, 200, reply.text());
  const page = reply.json<DeltaPage>();
  assert.deepEqual(page.value, []);
  assert.ok(page['@odata.deltaLink'], 'token=latest must return a deltaLink');
  return page['@odata.deltaLink'];
}

describe('delta', () => {
  it('first round enumerates the folder subtree', async () => {
    const folder = await scratchFolder(session.demo, 'delta-full');
    const inner = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'inner');
    const file = await upload(session.demo, `/${folder.name}/inner/a.txt`, 'a');
    const { items } = await round(graph(`/me/drive/items/${folder.id}/delta`));
    const ids = items.map((item) => item.id);
    assert.ok(ids.includes(folder.id), 'the folder itself is listed');
    assert.ok(ids.includes(inner.id));
    assert.ok(ids.includes(file.id));
    assert.ok(ids.indexOf(inner.id) < ids.indexOf(file.id), 'parents come before children');
    for (const item of items) {
      assert.equal(
        item.parentReference?.path,
        undefined,
        `${item.name} must not carry parentReference.path`,
      );
    }
  });

  it('nextLink pages within a round', async () => {
    const folder = await scratchFolder(session.demo, 'delta-pages');
    for (let index = 0; index < 7; index += 1) {
      await upload(session.demo, `/${folder.name}/f${index}.txt`, `${index}`);
    }
    const { items, pages } = await round(graph(`/me/drive/items/${folder.id}/delta?$top=3`));
    assert.ok(pages.length >= 3, `expected at least 3 pages, got ${pages.length}`);
    for (const page of pages) {
      assert.ok(page.value.length <= 3, 'a page holds at most $top items');
    }
    const ids = items.map((item) => item.id);
    assert.equal(new Set(ids).size, ids.length, 'an item appears once per round');
    assert.equal(ids.length, 8);
  });

  it('token=latest returns empty value and deltaLink', async () => {
    const folder = await scratchFolder(session.demo, 'delta-latest');
    await upload(session.demo, `/${folder.name}/old.txt`, 'old');
    const link = await latestLink(`/me/drive/items/${folder.id}`);
    const { items } = await round(link);
    assert.deepEqual(items, []);
  });

  it('reports create, modify, move and delete', async () => {
    const folder = await scratchFolder(session.demo, 'delta-changes');
    const keep = await upload(session.demo, `/${folder.name}/keep.txt`, 'keep');
    const edited = await upload(session.demo, `/${folder.name}/edited.txt`, 'v1');
    const moved = await upload(session.demo, `/${folder.name}/moved.txt`, 'm');
    const doomed = await upload(session.demo, `/${folder.name}/doomed.txt`, 'd');
    const target = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'target');
    const link = await latestLink(`/me/drive/items/${folder.id}`);

    const created = await upload(session.demo, `/${folder.name}/created.txt`, 'new');
    await upload(session.demo, `/${folder.name}/edited.txt`, 'v2 longer');
    const move = await session.demo.patchJson(`/me/drive/items/${moved.id}`, {
      parentReference: { id: target.id },
    });
    assert.equal(move.status, 200);
    assert.equal((await session.demo.delete(`/me/drive/items/${doomed.id}`)).status, 204);

    const { items, deltaLink } = await round(link);
    const byId = new Map(items.map((item) => [item.id, item]));
    assert.equal(byId.size, items.length, 'an item appears once per round');
    assert.ok(byId.has(created.id), 'created file listed');
    assert.equal(
      byId.get(edited.id)?.size,
      'v2 longer'.length,
      'modified file has its latest state',
    );
    assert.equal(
      byId.get(moved.id)?.parentReference?.id,
      target.id,
      'moved file has its new parent',
    );
    assert.equal(byId.has(keep.id), false, 'unchanged file not listed');

    const gone = byId.get(doomed.id);
    assert.ok(gone, 'deleted file listed');
    assert.ok(gone.deleted, 'deleted facet expected');
    assert.equal(gone.cTag, undefined);
    assert.equal(gone.size, undefined);
    for (const item of items) {
      assert.equal(item.parentReference?.path, undefined);
    }

    const next = await round(deltaLink);
    assert.deepEqual(next.items, [], 'no changes since the last deltaLink');
  });

  it('item changed twice appears once with latest state', async () => {
    const folder = await scratchFolder(session.demo, 'delta-twice');
    const file = await upload(session.demo, `/${folder.name}/x.txt`, '1');
    const link = await latestLink(`/me/drive/items/${folder.id}`);
    await upload(session.demo, `/${folder.name}/x.txt`, '22');
    const renamed = await session.demo.patchJson(`/me/drive/items/${file.id}`, { name: 'y.txt' });
    assert.equal(renamed.status, 200);
    const { items } = await round(link);
    const entries = items.filter((item) => item.id === file.id);
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.name, 'y.txt');
    assert.equal(entries[0]?.size, 2);
  });

  it('deleted folder reports its subtree as deleted', async () => {
    const folder = await scratchFolder(session.demo, 'delta-subtree');
    const inner = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'inner');
    const file = await upload(session.demo, `/${folder.name}/inner/leaf.txt`, 'leaf');
    const link = await latestLink(`/me/drive/items/${folder.id}`);
    assert.equal((await session.demo.delete(`/me/drive/items/${inner.id}`)).status, 204);
    const { items } = await round(link);
    const folderEntry = items.find((item) => item.id === inner.id);
    assert.ok(folderEntry?.deleted, 'deleted folder listed with deleted facet');
    assert.ok(folderEntry.folder, 'deleted folder keeps an empty folder facet');
    const leaf = items.find((item) => item.id === file.id);
    if (leaf !== undefined) {
      assert.ok(leaf.deleted, 'a listed descendant must carry deleted');
    }
  });

  it('restore and purge are reported', async () => {
    const folder = await scratchFolder(session.demo, 'delta-restore');
    const back = await upload(session.demo, `/${folder.name}/back.txt`, 'b');
    const purged = await upload(session.demo, `/${folder.name}/purged.txt`, 'p');
    await session.demo.delete(`/me/drive/items/${back.id}`);
    const link = await latestLink(`/me/drive/items/${folder.id}`);
    const restored = await session.demo.postJson(`/me/drive/items/${back.id}/restore`, {});
    assert.equal(restored.status, 200);
    const purge = await session.demo.call('POST', `/me/drive/items/${purged.id}/permanentDelete`);
    assert.equal(purge.status, 204);
    const { items } = await round(link);
    const backEntry = items.find((item) => item.id === back.id);
    assert.ok(backEntry, 'restored file listed');
    assert.equal(backEntry.deleted, undefined);
    assert.equal(backEntry.size, 1);
    const purgedEntry = items.find((item) => item.id === purged.id);
    assert.ok(purgedEntry?.deleted, 'purged file listed as deleted');
    assert.equal(purgedEntry.size, undefined);
  });

  it('change below lists the changed ancestors', async () => {
    const folder = await scratchFolder(session.demo, 'delta-ancestors');
    const inner = await createFolder(session.demo, `/me/drive/items/${folder.id}`, 'inner');
    const link = await latestLink('/me/drive/root');
    const file = await upload(session.demo, `/${folder.name}/inner/new.txt`, 'n');
    const { items } = await round(link);
    const ids = items.map((item) => item.id);
    assert.ok(ids.includes(file.id));
    assert.ok(ids.includes(inner.id), 'parent listed');
    assert.ok(ids.includes(folder.id), 'grandparent listed');
    // Graph promises no order within an incremental round, so only membership is checked.
  });

  it('other user cannot read the delta', async () => {
    const reply = await session.alice.get(`/drives/${session.demoDriveId}/root/delta`);
    assert.equal(reply.status, 403);
  });

  it('delta by path matches delta by id', async () => {
    const folder = await scratchFolder(session.demo, 'delta-path');
    const file = await upload(session.demo, `/${folder.name}/p.txt`, 'p');
    const { items } = await round(graph(`${byPath(`/${folder.name}`)}/delta`));
    assert.ok(items.some((item) => item.id === file.id));
  });

  it('deltaLink keeps $select', async () => {
    const folder = await scratchFolder(session.demo, 'delta-select');
    await upload(session.demo, `/${folder.name}/s.txt`, 's');
    const first = await round(graph(`/me/drive/items/${folder.id}/delta?$select=id,name`));
    for (const item of first.items) {
      assert.equal(item.size, undefined, 'size not selected');
    }
    await upload(session.demo, `/${folder.name}/t.txt`, 't');
    const second = await round(first.deltaLink);
    assert.ok(second.items.length > 0);
    for (const item of second.items) {
      assert.equal(item.size, undefined, 'deltaLink must keep $select');
    }
  });

  it('expired token is 410 with Location', async () => {
    const folder = await scratchFolder(session.demo, 'delta-expire');
    const link = await latestLink(`/me/drive/items/${folder.id}`);
    const expire = await postControl(session.dispatcher, session.emu.url, 'delta/expire', {
      username: 'demo',
    });
    assert.equal(expire.status, 200, expire.text());

    const reply = await getUrl(link);
    assertGraphError(reply, 410, 'resyncRequired');
    const location = reply.header('location');
    assert.ok(location, 'Location header expected');
    const restarted = await round(new URL(location, session.emu.url).href);
    assert.ok(
      restarted.items.some((item) => item.id === folder.id),
      'Location restarts the enumeration',
    );
  });

  it('function form of the token works', async () => {
    const folder = await scratchFolder(session.demo, 'delta-function');
    const link = await latestLink(`/me/drive/items/${folder.id}`);
    const token = new URL(link).searchParams.get('token');
    assert.ok(token, `deltaLink has no token parameter: ${link}`);
    const file = await upload(session.demo, `/${folder.name}/fn.txt`, 'f');
    const reply = await getUrl(graph(`/me/drive/items/${folder.id}/delta(token='${token}')`));
    assert.equal(reply.status, 200, reply.text());
    assert.ok(reply.json<DeltaPage>().value.some((item) => item.id === file.id));
  });

  it('invalid $top is 400', async () => {
    for (const top of ['0', '-1', 'x']) {
      const reply = await getUrl(graph(`/me/drive/root/delta?$top=${top}`));
      assertGraphError(reply, 400, 'invalidRequest');
    }
  });

  it('$top above 1000 is capped', async () => {
    // Graph treats the page size as a hint, so a large $top is served in pages of 1000 at most.
    const reply = await getUrl(graph('/me/drive/root/delta?$top=5000'));
    assert.equal(reply.status, 200, reply.text());
    assert.ok(reply.json<DeltaPage>().value.length <= 1000);
  });

  it('malformed token is 410', async () => {
    const reply = await getUrl(graph('/me/drive/root/delta?token=garbage'));
    assert.equal(reply.status, 410);
    assert.ok(reply.header('location'));
  });

  it('delta on a file is rejected', async () => {
    const folder = await scratchFolder(session.demo, 'delta-file');
    const file = await upload(session.demo, `/${folder.name}/f.txt`, 'f');
    const reply = await getUrl(graph(`/me/drive/items/${file.id}/delta`));
    assertClientError(reply);
  });
});
