import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { Drive } from '../../src/drive/drive.ts';
import {
  fakeClock,
  type RecordedRequest,
  type ScriptedServer,
  sendJson,
  startScriptedServer,
} from './helpers/scripted-server.ts';

const dispatcher = new Agent();
after(() => dispatcher.close());

type MonitorScript = (poll: number, response: import('node:http').ServerResponse) => void;

/** Start a fake Graph whose copy monitor, on a second origin, responds with `script`. */
async function copyServers(
  script: MonitorScript,
): Promise<{ graph: ScriptedServer; monitor: ScriptedServer; close(): Promise<void> }> {
  const monitor = await startScriptedServer((_request, response, index) => script(index, response));
  const graph = await startScriptedServer((request: RecordedRequest, response) => {
    if (request.url === '/v1.0/me/drive/root:/dest') {
      sendJson(response, 200, {
        id: 'D!1',
        name: 'dest',
        folder: {},
        parentReference: { driveId: 'drv', path: '/drive/root:' },
      });
    } else if (request.url === '/v1.0/me/drive/root:/a.txt:/copy') {
      response.writeHead(202, { location: `${monitor.url}/monitor/op-1?sig=abc` });
      response.end();
    } else if (request.url === '/v1.0/me/drive/items/NEW!1') {
      sendJson(response, 200, { id: 'NEW!1', name: 'a.txt', file: {} });
    } else {
      sendJson(response, 404, { error: { code: 'itemNotFound' } });
    }
  });
  return {
    graph,
    monitor,
    close: async () => {
      await graph.close();
      await monitor.close();
    },
  };
}

async function openOn(graph: ScriptedServer, clock = fakeClock()): Promise<Drive> {
  return Drive.openWith(
    { endpoint: `${graph.url}/v1.0`, accessToken: 'secret', dispatcher },
    clock,
  );
}

describe('copy monitor', () => {
  it('polls without Authorization until completed, then fetches the new item', async () => {
    const servers = await copyServers((poll, response) => {
      if (poll < 2) {
        sendJson(response, 202, { status: 'inProgress', percentageComplete: 40 });
      } else {
        sendJson(response, 200, { status: 'completed', resourceId: 'NEW!1' });
      }
    });
    const clock = fakeClock();
    try {
      const drive = await openOn(servers.graph, clock);
      const item = await drive.copy('/a.txt', '/dest', { pollIntervalMs: 250 });
      assert.equal(item.id, 'NEW!1');
      assert.equal(servers.monitor.requests.length, 3);
      assert.ok(
        servers.monitor.requests.every((request) => request.headers.authorization === undefined),
      );
      assert.deepEqual(JSON.parse(servers.graph.requests[1]?.body.toString() ?? ''), {
        parentReference: { driveId: 'drv', id: 'D!1' },
      });
      assert.deepEqual(clock.sleeps, [250, 250]);
    } finally {
      await servers.close();
    }
  });

  it('does not take a bare 200 as done', async () => {
    const servers = await copyServers((poll, response) => {
      if (poll === 0) {
        sendJson(response, 200, {});
      } else {
        sendJson(response, 200, { status: 'completed', resourceId: 'NEW!1' });
      }
    });
    try {
      const item = await (await openOn(servers.graph)).copy('/a.txt', '/dest');
      assert.equal(item.id, 'NEW!1');
      assert.equal(servers.monitor.requests.length, 2);
    } finally {
      await servers.close();
    }
  });

  it('follows a 303 to the new item', async () => {
    const servers = await copyServers((_poll, response) => {
      response.writeHead(303, { location: '/drives/drv/items/NEW!1' });
      response.end();
    });
    try {
      assert.equal((await (await openOn(servers.graph)).copy('/a.txt', '/dest')).id, 'NEW!1');
    } finally {
      await servers.close();
    }
  });

  it('reports a failed copy as COPY_FAILED', async () => {
    const servers = await copyServers((_poll, response) =>
      sendJson(response, 200, { status: 'failed', errorCode: 'nameAlreadyExists' }),
    );
    try {
      await assert.rejects(
        (await openOn(servers.graph)).copy('/a.txt', '/dest'),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, 'COPY_FAILED');
          assert.match(error.message, /nameAlreadyExists/);
          return true;
        },
      );
    } finally {
      await servers.close();
    }
  });

  it('gives up with TIMEOUT when the copy never finishes', async () => {
    const servers = await copyServers((_poll, response) =>
      sendJson(response, 202, { status: 'inProgress', percentageComplete: 10 }),
    );
    const clock = fakeClock();
    try {
      const drive = await openOn(servers.graph, clock);
      await assert.rejects(
        drive.copy('/a.txt', '/dest', { timeoutMs: 5000, pollIntervalMs: 1000 }),
        { code: 'TIMEOUT' },
      );
      assert.equal(clock.sleeps.length, 5);
      assert.equal(servers.monitor.requests.length, 6);
    } finally {
      await servers.close();
    }
  });
});
