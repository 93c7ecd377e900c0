import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Drive, graphError, type Reply, send, startDrive } from './drive-helpers.ts';

/** Follows nextLinks until a deltaLink; returns every item and the deltaLink. */
async function deltaRound(drive: Drive, first: string) {
  const items: Array<Record<string, unknown>> = [];
  let url = first;
  let pages = 0;
  for (;;) {
    pages += 1;
    assert.ok(pages < 50, 'delta did not finish within 50 pages');
    const reply = await send(url, 'GET', undefined, { authorization: `Bearer ${drive.token}` });
    assert.equal(reply.status, 200);
    items.push(...reply.json.value);
    if (reply.json['@odata.deltaLink']) {
      assert.equal(reply.json['@odata.nextLink'], undefined);
      return { items, deltaLink: reply.json['@odata.deltaLink'] as string, pages };
    }
    url = reply.json['@odata.nextLink'];
  }
}

describe('delta', () => {
  let drive: Drive;
  before(async () => {
    drive = await startDrive();
  });
  after(async () => {
    await drive?.close();
  });

  it('first round lists the root and every item without parentReference.path', async () => {
    await drive.mkdir('first');
    await drive.put('/first/a.txt', 'a');
    const round = await deltaRound(drive, `${drive.emu.graphUrl}/me/drive/root/delta`);
    const names = round.items.map((item) => item.name);
    assert.deepEqual(names.slice(0, 1), ['root']);
    assert.ok(names.includes('first'));
    assert.ok(names.includes('a.txt'));
    for (const item of round.items) {
      const reference = item.parentReference as Record<string, unknown> | undefined;
      assert.equal(reference?.path, undefined);
    }
  });

  it('reports create, modify, move and delete between two tokens', async () => {
    const start = await deltaRound(drive, `${drive.emu.graphUrl}/me/drive/root/delta`);
    const keep = await drive.put('/keep.txt', 'v1');
    const gone = await drive.put('/gone.txt', 'bye');
    const target = await drive.mkdir('target');
    await drive.put('/keep.txt', 'v2');
    await drive.graph('PATCH', `/me/drive/items/${keep.id}`, {
      parentReference: { id: target.id },
    });
    await drive.graph('DELETE', `/me/drive/items/${gone.id}`);

    const round = await deltaRound(drive, start.deltaLink);
    const ids = round.items.map((item) => item.id);
    assert.equal(new Set(ids).size, ids.length, 'each item appears once per round');
    const moved = round.items.find((item) => item.id === keep.id) as Reply['json'];
    assert.equal(moved.size, 2);
    assert.equal(moved.parentReference.id, target.id);
    const deleted = round.items.find((item) => item.id === gone.id) as Reply['json'];
    assert.deepEqual(deleted.deleted, {});
    assert.equal(deleted.cTag, undefined);
    assert.equal(deleted.size, undefined);
    assert.equal(deleted.name, 'gone.txt');
  });

  it('a round without changes is empty and keeps working', async () => {
    const start = await deltaRound(drive, `${drive.emu.graphUrl}/me/drive/root/delta`);
    const again = await deltaRound(drive, start.deltaLink);
    assert.deepEqual(again.items, []);
  });

  it('token=latest answers an empty page and a deltaLink that sees later changes', async () => {
    const latest = await drive.graph('GET', '/me/drive/root/delta?token=latest');
    assert.equal(latest.status, 200);
    assert.deepEqual(latest.json.value, []);
    const created = await drive.put('/after-latest.txt', 'x');
    const round = await deltaRound(drive, latest.json['@odata.deltaLink']);
    assert.ok(round.items.some((item) => item.id === created.id));
    assert.ok(!round.items.some((item) => item.name === 'first'));
  });

  it('pages with $top and nextLink within one round', async () => {
    const folder = await drive.mkdir('paged');
    for (let i = 0; i < 5; i += 1) {
      await drive.put(`/paged/${i}.txt`, String(i));
    }
    const round = await deltaRound(
      drive,
      `${drive.emu.graphUrl}/me/drive/items/${folder.id}/delta?$top=2`,
    );
    assert.equal(round.pages, 3);
    assert.equal(round.items.length, 6);
    assert.equal(round.items[0]?.id, folder.id);
  });

  it('folder-scoped delta leaves out changes elsewhere', async () => {
    const scoped = await drive.mkdir('scoped');
    const start = await deltaRound(drive, `${drive.emu.graphUrl}/me/drive/root:/scoped:/delta`);
    const inside = await drive.put('/scoped/in.txt', 'in');
    const outside = await drive.put('/outside.txt', 'out');
    const round = await deltaRound(drive, start.deltaLink);
    const ids = round.items.map((item) => item.id);
    assert.ok(ids.includes(inside.id));
    assert.ok(ids.includes(scoped.id));
    assert.ok(!ids.includes(outside.id));
  });

  it('an expired token answers 410 resyncRequired with a Location that restarts', async () => {
    const start = await deltaRound(drive, `${drive.emu.graphUrl}/me/drive/root/delta`);
    const control = await send(`${drive.emu.url}/_emulator/delta/expire`, 'POST', {
      username: 'demo',
    });
    assert.equal(control.status, 200);
    const stale = await send(start.deltaLink, 'GET', undefined, {
      authorization: `Bearer ${drive.token}`,
    });
    assert.equal(stale.status, 410);
    assert.equal(graphError(stale).code, 'resyncRequired');
    assert.equal(graphError(stale).innerError.code, 'resyncChangesApplyDifferences');
    const location = stale.headers.location as string;
    assert.match(location, /\/delta$/);
    const restarted = await deltaRound(drive, location);
    assert.equal(restarted.items[0]?.name, 'root');
  });

  it('a malformed token answers 410', async () => {
    const reply = await drive.graph('GET', '/me/drive/root/delta?token=not-a-token');
    assert.equal(reply.status, 410);
    assert.equal(graphError(reply).code, 'resyncRequired');
  });

  it('delta on a file is 400 and a bad $top is 400', async () => {
    const file = await drive.put('/plain.txt', 'p');
    assert.equal((await drive.graph('GET', `/me/drive/items/${file.id}/delta`)).status, 400);
    const badTop = await drive.graph('GET', '/me/drive/root/delta?$top=0');
    assert.equal(badTop.status, 400);
  });

  it('delta without a token is 401', async () => {
    const reply = await send(`${drive.emu.graphUrl}/me/drive/root/delta`);
    assert.equal(reply.status, 401);
  });
});

describe('delta token lifetime and persistence', () => {
  it('tokens older than deltaTokenLifetimeSeconds answer 410', async () => {
    const drive = await startDrive({ deltaTokenLifetimeSeconds: 0.001 });
    try {
      const first = await drive.graph('GET', '/me/drive/root/delta');
      const link = first.json['@odata.deltaLink'] as string;
      // The token records its issue time in milliseconds; wait until one millisecond has surely passed.
      const issued = Date.now();
      while (Date.now() - issued < 5) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const reply = await send(link, 'GET', undefined, { authorization: `Bearer ${drive.token}` });
      assert.equal(reply.status, 410);
    } finally {
      await drive.close();
    }
  });

  it('a delta token survives a restart with --location', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'delta-persist-'));
    try {
      const drive = await startDrive({ location: dir });
      let link: string;
      try {
        link = (await drive.graph('GET', '/me/drive/root/delta')).json['@odata.deltaLink'];
        await drive.put('/persisted.txt', 'p');
      } finally {
        await drive.close();
      }
      const again = await startDrive({ location: dir });
      try {
        const moved = link.replace(/^http:\/\/[^/]+/, again.emu.url);
        const reply = await send(moved, 'GET', undefined, {
          authorization: `Bearer ${again.token}`,
        });
        assert.equal(reply.status, 200);
        assert.ok(reply.json.value.some((item: { name: string }) => item.name === 'persisted.txt'));
      } finally {
        await again.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
