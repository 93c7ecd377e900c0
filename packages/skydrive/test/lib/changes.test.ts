// Delta through Drive.changes against the emulator (tokens, moves, deletes,
// paging, 410 recovery) and against scripted servers for protocol edge cases.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ChangeFeed, ChangesOptions, ResyncEvent } from '../../src/drive/delta.ts';
import { tokenOfDeltaLink } from '../../src/drive/delta.ts';
import { Drive } from '../../src/drive/drive.ts';
import { SkydriveError } from '../../src/errors.ts';
import type { DriveItem } from '../../src/graph/wire.ts';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';
import { sendJson, startScriptedServer } from './helpers/scripted-server.ts';

async function drain(feed: ChangeFeed): Promise<DriveItem[]> {
  const seen: DriveItem[] = [];
  for await (const item of feed) {
    seen.push(item);
  }
  return seen;
}

describe('changes against the emulator', () => {
  let fixture: EmulatorFixture;
  let drive: Drive;
  const write = async (name: string, content: string) => {
    const local = path.join(fixture.local, name);
    await writeFile(local, content);
    return local;
  };

  before(async () => {
    fixture = await startFixture();
    drive = fixture.drive;
  });

  after(async () => {
    await fixture?.close();
  });

  it('full enumeration ends with a token', async () => {
    await drive.mkdir('/Start');
    const feed = drive.changes();
    const items = await drain(feed);
    assert.ok(items.some((item) => item.root !== undefined));
    assert.ok(items.some((item) => item.name === 'Start'));
    assert.equal(typeof feed.nextToken, 'string');
    assert.equal(feed.resynced, false);
  });

  it('latest returns no items and a token', async () => {
    const feed = drive.changes({ since: 'latest' });
    assert.deepEqual(await drain(feed), []);
    assert.ok((feed.nextToken ?? '') !== '');
  });

  it('reports create, modify, move and delete between tokens', async () => {
    const start = drive.changes({ since: 'latest' });
    await drain(start);

    const created = await drive.upload(await write('c.txt', 'new'), '/Start/');
    const modified = await drive.upload(await write('m.txt', 'one'), '/');
    const moved = await drive.upload(await write('mv.txt', 'move me'), '/');
    const doomed = await drive.upload(await write('d.txt', 'delete me'), '/');
    const middle = drive.changes({ since: start.nextToken });
    await drain(middle);

    await drive.upload(await write('m.txt', 'two, longer'), '/');
    await drive.move('/mv.txt', { parent: '/Start' });
    await drive.remove('/d.txt');
    const round = drive.changes({ since: middle.nextToken });
    const items = await drain(round);
    const byId = new Map(items.map((item) => [item.id, item]));

    assert.equal(byId.has(created.id), false, 'unchanged since the middle token');
    assert.equal(byId.get(modified.id)?.size, 'two, longer'.length);
    const startFolder = await drive.info('/Start');
    assert.equal(byId.get(moved.id)?.parentReference?.id, startFolder.id);
    const deleted = byId.get(doomed.id);
    assert.ok(deleted?.deleted !== undefined, 'deleted item has the deleted facet');
    assert.equal(deleted?.size, undefined, 'deleted item carries no size');
    assert.equal(deleted?.cTag, undefined, 'deleted item carries no cTag');
  });

  it('an item changed twice appears with its last state', async () => {
    const start = drive.changes({ since: 'latest' });
    await drain(start);
    await drive.upload(await write('twice.txt', 'a'), '/');
    await drive.upload(await write('twice.txt', 'abc'), '/');
    const items = await drain(drive.changes({ since: start.nextToken }));
    const versions = items.filter((item) => item.name === 'twice.txt');
    assert.ok(versions.length >= 1);
    assert.equal(versions.at(-1)?.size, 3);
  });

  it('pages within a round follow nextLink', async () => {
    const paged = drive.changes({ top: 1 });
    const items = await drain(paged);
    assert.ok(items.length > 3);
    const pageRequests = fixture.events.filter((event) => event.url.includes('delta'));
    assert.ok(pageRequests.length >= items.length, 'one request per item with $top=1');
    assert.ok(paged.nextToken !== undefined);
  });

  it('restarts the enumeration after 410 and says so', async () => {
    const start = drive.changes({ since: 'latest' });
    await drain(start);
    const expire = await fetch(`${fixture.emulator.url}/_emulator/delta/expire`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(expire.status, 200);
    await expire.body?.cancel();

    const events: ResyncEvent[] = [];
    const feed = drive.changes({ since: start.nextToken, onResync: (event) => events.push(event) });
    const items = await drain(feed);
    assert.equal(feed.resynced, true);
    assert.equal(events.length, 1);
    assert.equal(events[0]?.graphCode, 'resyncRequired');
    assert.ok(
      items.some((item) => item.root !== undefined),
      'a full enumeration follows',
    );
    assert.ok(feed.nextToken !== undefined);

    const next = drive.changes({ since: feed.nextToken });
    assert.deepEqual(await drain(next), []);
    assert.equal(next.resynced, false);
  });

  it('a feed can be read only once', async () => {
    const feed = drive.changes({ since: 'latest' });
    await drain(feed);
    assert.throws(() => feed[Symbol.asyncIterator](), SkydriveError);
  });

  it('rejects an empty token and a bad page size', () => {
    assert.throws(() => drive.changes({ since: '' }), SkydriveError);
    assert.throws(() => drive.changes({ top: 0 }), SkydriveError);
  });
});

describe('changes against scripted servers', () => {
  interface ScriptStep {
    status: number;
    body: unknown;
    headers?: Record<string, string>;
  }
  const resync = (location?: string): ScriptStep => ({
    status: 410,
    body: {
      error: {
        code: 'resyncRequired',
        message: 'Resync required.',
        innerError: { code: 'resyncChangesApplyDifferences' },
      },
    },
    headers: location === undefined ? {} : { location },
  });

  async function withServer(
    script: (url: string, index: number) => ScriptStep,
    options: ChangesOptions,
    check: (feed: ChangeFeed, urls: string[], items: DriveItem[] | Error) => void,
  ): Promise<void> {
    let base = '';
    const server = await startScriptedServer((request, response, index) => {
      const step = script(`${base}${request.url}`, index);
      sendJson(response, step.status, step.body, step.headers ?? {});
    });
    base = server.url;
    const drive = await Drive.open({ endpoint: `${server.url}/v1.0`, accessToken: 'token' });
    try {
      const feed = drive.changes(options);
      let result: DriveItem[] | Error;
      try {
        result = await drain(feed);
      } catch (error) {
        result = error as Error;
      }
      check(
        feed,
        server.requests.map((request) => request.url),
        result,
      );
    } finally {
      await drive.close();
      await server.close();
    }
  }

  it('follows the Location of a 410', async () => {
    await withServer(
      (url, index) => {
        if (index === 0) {
          return resync(`${new URL(url).origin}/v1.0/me/drive/root/delta?restart=1`);
        }
        return {
          status: 200,
          body: {
            value: [{ id: 'R', root: {} }],
            '@odata.deltaLink': `${new URL(url).origin}/v1.0/me/drive/root/delta?token=T2`,
          },
        };
      },
      { since: 'OLD' },
      (feed, urls, items) => {
        assert.deepEqual(urls, [
          '/v1.0/me/drive/root/delta?token=OLD',
          '/v1.0/me/drive/root/delta?restart=1',
        ]);
        assert.ok(Array.isArray(items));
        assert.equal(feed.resynced, true);
        assert.equal(feed.nextToken, 'T2');
      },
    );
  });

  it('ignores a Location on another origin', async () => {
    await withServer(
      (url, index) =>
        index === 0
          ? resync('http://127.0.0.2:9/elsewhere')
          : {
              status: 200,
              body: { value: [], '@odata.deltaLink': `${new URL(url).origin}/v1.0/x?token=T` },
            },
      { since: 'OLD' },
      (_feed, urls) => {
        assert.deepEqual(urls, [
          '/v1.0/me/drive/root/delta?token=OLD',
          '/v1.0/me/drive/root/delta',
        ]);
      },
    );
  });

  it('stops after repeated 410 answers', async () => {
    await withServer(
      () => resync(),
      { since: 'OLD' },
      (_feed, urls, result) => {
        assert.ok(result instanceof SkydriveError);
        assert.equal(result.code, 'PROTOCOL_ERROR');
        assert.equal(urls.length, 3, 'the token, then two restarts');
      },
    );
  });

  it('fails on a last page without deltaLink', async () => {
    await withServer(
      () => ({ status: 200, body: { value: [] } }),
      {},
      (feed, _urls, result) => {
        assert.ok(result instanceof SkydriveError);
        assert.equal(result.code, 'PROTOCOL_ERROR');
        assert.equal(feed.nextToken, undefined);
      },
    );
  });
});

describe('tokenOfDeltaLink', () => {
  it('reads the token from each documented link form', () => {
    assert.equal(tokenOfDeltaLink('https://g/v1.0/me/drive/root/delta?token=abc%3D'), 'abc=');
    assert.equal(tokenOfDeltaLink("https://g/v1.0/me/drive/root/delta(token='xyz')"), 'xyz');
    assert.equal(
      tokenOfDeltaLink('https://g/v1.0/me/drive/root/delta(token=1230919asd190410jlka)'),
      '1230919asd190410jlka',
    );
    assert.equal(tokenOfDeltaLink('https://g/v1.0/opaque/link'), 'https://g/v1.0/opaque/link');
  });
});
