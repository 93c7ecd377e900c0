import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { QuickXorHash } from '@skydrive/quickxorhash';
import { Agent } from 'undici';
import { Drive } from '../../src/drive/drive.ts';
import type { RequestEvent } from '../../src/drive/types.ts';
import { GraphError, SkydriveError } from '../../src/errors.ts';
import { GraphClient } from '../../src/graph/client.ts';
import { resolveRetryPolicy } from '../../src/graph/retry.ts';
import {
  fakeClock,
  type Handler,
  resetConnection,
  type ScriptedServer,
  sendJson,
  startScriptedServer,
} from './helpers/scripted-server.ts';

const dispatcher = new Agent({ keepAliveTimeout: 1000 });
after(() => dispatcher.close());

async function withServer(
  handler: Handler,
  body: (
    server: ScriptedServer,
    client: GraphClient,
    clock: ReturnType<typeof fakeClock>,
    events: RequestEvent[],
  ) => Promise<void>,
): Promise<void> {
  const server = await startScriptedServer(handler);
  const clock = fakeClock();
  const events: RequestEvent[] = [];
  const client = new GraphClient({
    endpoint: `${server.url}/v1.0`,
    token: async () => 'secret-token',
    dispatcher,
    retry: resolveRetryPolicy({}),
    onRequest: (event) => events.push(event),
    clock,
  });
  try {
    await body(server, client, clock, events);
  } finally {
    await server.close();
  }
}

/** Respond with `first` on the first attempts, then 200 `{ ok: true }`. */
function thenOk(...first: Handler[]): Handler {
  return (request, response, index) => {
    const step = first[index];
    if (step !== undefined) {
      return step(request, response, index);
    }
    sendJson(response, 200, { ok: true });
  };
}

describe('retries against a scripted server', () => {
  it('waits the Retry-After seconds after a 429', async () => {
    const throttle: Handler = (_q, response) =>
      sendJson(response, 429, { error: { code: 'activityLimitReached' } }, { 'retry-after': '7' });
    await withServer(thenOk(throttle), async (server, client, clock, events) => {
      assert.deepEqual(await client.json({ method: 'GET', url: '/me' }), { ok: true });
      assert.deepEqual(clock.sleeps, [7000]);
      assert.equal(server.requests.length, 2);
      assert.deepEqual(
        events.map((event) => [event.status, event.attempt, event.retryInMs]),
        [
          [429, 1, 7000],
          [200, 2, undefined],
        ],
      );
    });
  });

  it('waits until the Retry-After HTTP-date', async () => {
    const start = fakeClock().now();
    const date = new Date(start + 4000).toUTCString();
    const throttle: Handler = (_q, response) =>
      sendJson(response, 429, {}, { 'retry-after': date });
    await withServer(thenOk(throttle), async (_server, client, clock) => {
      await client.json({ method: 'GET', url: '/me' });
      assert.deepEqual(clock.sleeps, [4000]);
    });
  });

  it('retries a 503 with Retry-After', async () => {
    const busy: Handler = (_q, response) => sendJson(response, 503, {}, { 'retry-after': '2' });
    await withServer(thenOk(busy, busy), async (server, client, clock) => {
      await client.json({ method: 'GET', url: '/me' });
      assert.deepEqual(clock.sleeps, [2000, 2000]);
      assert.equal(server.requests.length, 3);
    });
  });

  it('retries after a reset connection with backoff', async () => {
    await withServer(
      thenOk((_q, response) => resetConnection(response)),
      async (server, client, clock, events) => {
        await client.json({ method: 'GET', url: '/me' });
        assert.equal(server.requests.length, 2);
        assert.deepEqual(clock.sleeps, [500]);
        assert.match(events[0]?.error ?? '', /ECONNRESET|UND_ERR_SOCKET|other side closed/);
      },
    );
  });

  it('retries a 500 then succeeds, backing off more each time', async () => {
    const fail: Handler = (_q, response) =>
      sendJson(response, 500, { error: { code: 'generalException' } });
    await withServer(thenOk(fail, fail, fail), async (_server, client, clock) => {
      await client.json({ method: 'GET', url: '/me' });
      assert.deepEqual(clock.sleeps, [500, 1000, 2000]);
    });
  });

  it('gives up after the limit with a GraphError carrying the details', async () => {
    const fail: Handler = (_q, response) =>
      sendJson(
        response,
        503,
        {
          error: {
            code: 'serviceNotAvailable',
            message: 'busy',
            innererror: { code: 'throttledRequest', innerError: { code: 'deeper' } },
          },
        },
        { 'request-id': 'req-42' },
      );
    await withServer(fail, async (server, client, clock) => {
      await assert.rejects(client.json({ method: 'GET', url: '/me/drive' }), (error: unknown) => {
        assert.ok(error instanceof GraphError);
        assert.equal(error.code, 'GRAPH_ERROR');
        assert.equal(error.status, 503);
        assert.equal(error.graphCode, 'serviceNotAvailable');
        assert.deepEqual(error.innerCodes, ['throttledRequest', 'deeper']);
        assert.equal(error.requestId, 'req-42');
        assert.equal(error.method, 'GET');
        assert.equal(error.url, `${server.url}/v1.0/me/drive`);
        assert.match(error.message, /gave up after 4 retries/);
        return true;
      });
      assert.equal(server.requests.length, 5);
      assert.equal(clock.sleeps.length, 4);
    });
  });

  it('does not retry a request whose body stream cannot be replayed', async () => {
    await withServer(
      thenOk((_q, response) => sendJson(response, 503, {}, { 'retry-after': '1' })),
      async (server, client) => {
        await assert.rejects(
          client.json({
            method: 'PUT',
            url: '/x',
            body: () => Readable.from([Buffer.from('abc')]),
            replayable: false,
          }),
          (error: unknown) => error instanceof GraphError && error.status === 503,
        );
        assert.equal(server.requests.length, 1);
      },
    );
  });

  it('does not retry a 404', async () => {
    await withServer(
      (_q, response) => sendJson(response, 404, { error: { code: 'itemNotFound' } }),
      async (server, client) => {
        await assert.rejects(client.json({ method: 'GET', url: '/x' }), {
          code: 'GRAPH_ERROR',
          status: 404,
          graphCode: 'itemNotFound',
          message: `GET ${server.url}/v1.0/x failed with 404 itemNotFound`,
        });
        assert.equal(server.requests.length, 1);
      },
    );
  });

  it('reports a refused connection as NETWORK_ERROR after retries', async () => {
    const server = await startScriptedServer(() => undefined);
    const url = server.url;
    await server.close();
    const clock = fakeClock();
    const client = new GraphClient({
      endpoint: url,
      token: async () => 't',
      dispatcher,
      retry: resolveRetryPolicy({ limit: 2 }),
      clock,
    });
    await assert.rejects(client.json({ method: 'GET', url: '/me' }), { code: 'NETWORK_ERROR' });
    assert.equal(clock.sleeps.length, 2);
  });
});

describe('uploads under retry', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'skydrive-retry-'));
  });
  after(() => rm(folder, { recursive: true, force: true }));

  it('re-reads the file for every attempt', async () => {
    const file = path.join(folder, 'a.txt');
    const content = Buffer.from('hello, retried world');
    await writeFile(file, content);
    const hash = new QuickXorHash().update(content).digest();
    const server = await startScriptedServer((request, response, index) => {
      if (index === 0) {
        sendJson(response, 503, {}, { 'retry-after': '1' });
        return;
      }
      sendJson(response, 201, {
        id: 'F!1',
        name: 'a.txt',
        size: request.body.length,
        file: { hashes: { quickXorHash: hash } },
      });
    });
    const clock = fakeClock();
    const drive = await Drive.openWith(
      { endpoint: `${server.url}/v1.0`, accessToken: 't', dispatcher },
      clock,
    );
    try {
      const item = await drive.upload(file, '/docs/');
      assert.equal(item.id, 'F!1');
      assert.equal(server.requests.length, 2);
      assert.deepEqual(
        server.requests.map((request) => request.body.toString()),
        [content.toString(), content.toString()],
      );
      assert.equal(
        server.requests[1]?.url,
        '/v1.0/me/drive/root:/docs/a.txt:/content?@microsoft.graph.conflictBehavior=replace',
      );
      assert.deepEqual(clock.sleeps, [1000]);
    } finally {
      await drive.close();
      await server.close();
    }
  });

  it('fails with HASH_MISMATCH when the server reports another hash', async () => {
    const file = path.join(folder, 'b.txt');
    await writeFile(file, 'abc');
    const server = await startScriptedServer((_request, response) =>
      sendJson(response, 201, {
        id: 'F!2',
        name: 'b.txt',
        size: 3,
        file: { hashes: { quickXorHash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' } },
      }),
    );
    const drive = await Drive.openWith(
      { endpoint: `${server.url}/v1.0`, accessToken: 't', dispatcher },
      fakeClock(),
    );
    try {
      await assert.rejects(
        drive.upload(file, '/'),
        (error: unknown) => error instanceof SkydriveError && error.code === 'HASH_MISMATCH',
      );
    } finally {
      await server.close();
    }
  });
});
