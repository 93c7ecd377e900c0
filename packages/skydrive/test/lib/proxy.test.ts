import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { GraphClient } from '../../src/graph/client.ts';
import { resolveRetryPolicy } from '../../src/graph/retry.ts';
import { createDispatcher, DEFAULT_TIMEOUTS } from '../../src/http/dispatcher.ts';
import { fakeClock, sendJson, startScriptedServer } from './helpers/scripted-server.ts';

interface Proxy {
  url: string;
  tunnels: string[];
  close(): Promise<void>;
}

/**
 * Start a CONNECT proxy on loopback. It tunnels only to 127.0.0.1, or, with
 * `drop`, closes every tunnel request without a response.
 */
async function startProxy(drop = false): Promise<Proxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_request, response) => {
    response.writeHead(405);
    response.end();
  });
  server.on('connect', (request, client: Socket) => {
    tunnels.push(request.url ?? '');
    sockets.add(client);
    const [host, port] = (request.url ?? '').split(':');
    if (drop || host !== '127.0.0.1') {
      client.destroy();
      return;
    }
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

async function getThrough(env: NodeJS.ProcessEnv, endpoint: string): Promise<unknown> {
  const dispatcher = createDispatcher(DEFAULT_TIMEOUTS, env);
  try {
    const client = new GraphClient({
      endpoint,
      token: async () => 't',
      dispatcher,
      retry: resolveRetryPolicy({ limit: 0 }),
      clock: fakeClock(),
    });
    return await client.json({ method: 'GET', url: '/me' });
  } finally {
    await dispatcher.destroy();
  }
}

describe('proxy from the environment', () => {
  it('tunnels requests through HTTP_PROXY', async () => {
    const target = await startScriptedServer((_request, response) =>
      sendJson(response, 200, { ok: true }),
    );
    const proxy = await startProxy();
    try {
      assert.deepEqual(await getThrough({ HTTP_PROXY: proxy.url }, `${target.url}/v1.0`), {
        ok: true,
      });
      assert.deepEqual(proxy.tunnels, [target.url.replace('http://', '')]);
      assert.equal(target.requests.length, 1);
    } finally {
      await target.close();
      await proxy.close();
    }
  });

  it('bypasses the proxy for NO_PROXY hosts', async () => {
    const target = await startScriptedServer((_request, response) =>
      sendJson(response, 200, { ok: true }),
    );
    const proxy = await startProxy();
    try {
      const env = { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' };
      assert.deepEqual(await getThrough(env, `${target.url}/v1.0`), { ok: true });
      assert.equal(proxy.tunnels.length, 0);
    } finally {
      await target.close();
      await proxy.close();
    }
  });

  it('times out and replaces the pool when the proxy drops tunnels', async () => {
    const proxy = await startProxy(true);
    const env = { HTTP_PROXY: proxy.url };
    let dispatcher = createDispatcher(DEFAULT_TIMEOUTS, env);
    const replaced: unknown[] = [];
    const client = new GraphClient({
      endpoint: 'http://127.0.0.1:9/v1.0',
      token: async () => 't',
      dispatcher,
      retry: resolveRetryPolicy({ limit: 0 }),
      clock: fakeClock(),
      responseTimeoutMs: 200,
      replaceDispatcher: (stuck) => {
        replaced.push(stuck);
        void stuck.destroy();
        dispatcher = createDispatcher(DEFAULT_TIMEOUTS, env);
        return dispatcher;
      },
    });
    try {
      await assert.rejects(client.json({ method: 'GET', url: '/me' }), { code: 'TIMEOUT' });
      assert.equal(replaced.length, 1);
      assert.ok(proxy.tunnels.length >= 1);

      // The replaced pool no longer reconnects once its destroy has run.
      await new Promise((resolve) => setImmediate(resolve));
      const tunnelsAfter = proxy.tunnels.length;
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(proxy.tunnels.length, tunnelsAfter);
    } finally {
      await dispatcher.destroy();
      await proxy.close();
    }
  });
});
