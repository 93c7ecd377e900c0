import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { Agent } from 'undici';
import { Drive } from '../../src/drive/drive.ts';
import type { RequestEvent } from '../../src/drive/types.ts';
import {
  fakeClock,
  type ScriptedServer,
  sendJson,
  startScriptedServer,
} from './helpers/scripted-server.ts';

const CONTENT = Buffer.from('0123456789abcdef');
const TOKEN = 'very-secret-token';

describe('where the bearer token goes', () => {
  const dispatcher = new Agent();
  let graph: ScriptedServer;
  let content: ScriptedServer;
  let folder: string;
  const events: RequestEvent[] = [];

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'skydrive-origin-'));
    content = await startScriptedServer((request, response, index) => {
      // The first download attempt is throttled: the retry policy applies to this host too.
      if (index === 0) {
        sendJson(response, 429, {}, { 'retry-after': '1' });
        return;
      }
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(request.headers.range ?? ''));
      if (range) {
        const start = Number(range[1]);
        const end = range[2] === '' ? CONTENT.length - 1 : Number(range[2]);
        response.writeHead(206, { 'content-range': `bytes ${start}-${end}/${CONTENT.length}` });
        response.end(CONTENT.subarray(start, end + 1));
        return;
      }
      response.writeHead(200);
      response.end(CONTENT);
    });
    graph = await startScriptedServer((request, response) => {
      if (request.url.endsWith('/content')) {
        response.writeHead(302, { location: `${content.url}/download/abc?tempauth=signed-secret` });
        response.end();
        return;
      }
      sendJson(response, 200, {
        id: 'F!1',
        name: 'f.bin',
        size: CONTENT.length,
        file: { hashes: { quickXorHash: quickXorHash(CONTENT) } },
      });
    });
  });

  after(async () => {
    await graph.close();
    await content.close();
    await dispatcher.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('sends Authorization to Graph and never to the download host', async () => {
    const drive = await Drive.openWith(
      {
        endpoint: `${graph.url}/v1.0`,
        accessToken: TOKEN,
        dispatcher,
        onRequest: (event) => events.push(event),
      },
      fakeClock(),
    );
    const target = path.join(folder, 'f.bin');
    const result = await drive.download('/f.bin', target);
    assert.deepEqual(await readFile(target), CONTENT);
    assert.equal(result.verified, true);

    const ranged = await drive.download('id:F!1', path.join(folder, 'part.bin'), {
      range: { start: 2, end: 5 },
    });
    assert.equal(ranged.bytes, 4);
    assert.equal((await readFile(path.join(folder, 'part.bin'))).toString(), '2345');

    assert.ok(graph.requests.length >= 4);
    for (const request of graph.requests) {
      assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    }
    assert.equal(content.requests.length, 3);
    for (const request of content.requests) {
      assert.equal(request.headers.authorization, undefined);
      assert.equal(request.url, '/download/abc?tempauth=signed-secret');
    }
    assert.equal(content.requests[2]?.headers.range, 'bytes=2-5');
  });

  it('keeps tokens and pre-authenticated queries out of request events', () => {
    const serialized = JSON.stringify(events);
    assert.doesNotMatch(serialized, /very-secret-token|signed-secret/);
    assert.ok(events.some((event) => event.url === `${content.url}/download/<redacted>`));
  });
});
