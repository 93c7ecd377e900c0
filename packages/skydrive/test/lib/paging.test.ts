import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { Drive } from '../../src/drive/drive.ts';
import { fakeClock, sendJson, startScriptedServer } from './helpers/scripted-server.ts';

const dispatcher = new Agent();
after(() => dispatcher.close());

const folder = {
  id: 'D!1',
  name: 'big',
  folder: { childCount: 5 },
  parentReference: { path: '/drive/root:' },
};

describe('paging', () => {
  it('follows @odata.nextLink verbatim until it is absent', async () => {
    const server = await startScriptedServer((request, response) => {
      if (request.url === '/v1.0/me/drive/root:/big') {
        sendJson(response, 200, folder);
      } else if (request.url === '/v1.0/me/drive/items/D!1/children?$top=2') {
        sendJson(response, 200, {
          value: [
            { id: '1', name: 'a' },
            { id: '2', name: 'b' },
          ],
          '@odata.nextLink': `${server.url}/v1.0/opaque?$skiptoken=X%2BY`,
        });
      } else if (request.url === '/v1.0/opaque?$skiptoken=X%2BY') {
        sendJson(response, 200, { value: [{ id: '3', name: 'c' }] });
      } else {
        sendJson(response, 404, { error: { code: 'itemNotFound' } });
      }
    });
    const drive = await Drive.openWith(
      { endpoint: `${server.url}/v1.0`, accessToken: 't', dispatcher },
      fakeClock(),
    );
    try {
      const paths: string[] = [];
      for await (const entry of drive.list('/big', { top: 2 })) {
        paths.push(entry.path);
      }
      assert.deepEqual(paths, ['/big/a', '/big/b', '/big/c']);
    } finally {
      await server.close();
    }
  });

  it('stops with an error when a nextLink repeats', async () => {
    const server = await startScriptedServer((request, response) => {
      if (request.url === '/v1.0/me/drive/root:/big') {
        sendJson(response, 200, folder);
        return;
      }
      sendJson(response, 200, {
        value: [{ id: '1', name: 'a' }],
        '@odata.nextLink': `${server.url}/v1.0/same`,
      });
    });
    const drive = await Drive.openWith(
      { endpoint: `${server.url}/v1.0`, accessToken: 't', dispatcher },
      fakeClock(),
    );
    try {
      let count = 0;
      await assert.rejects(
        (async () => {
          for await (const _entry of drive.list('/big')) {
            count++;
          }
        })(),
        { code: 'PROTOCOL_ERROR' },
      );
      assert.equal(count, 2);
      assert.equal(server.requests.length, 3);
    } finally {
      await server.close();
    }
  });

  it('refuses page sizes above the service maximum before any request', async () => {
    const server = await startScriptedServer((_request, response) => sendJson(response, 500, {}));
    const drive = await Drive.openWith(
      { endpoint: `${server.url}/v1.0`, accessToken: 't', dispatcher },
      fakeClock(),
    );
    try {
      await assert.rejects(drive.list('/', { top: 5000 }).next(), { code: 'INVALID_ARGUMENT' });
      assert.equal(server.requests.length, 0);
    } finally {
      await server.close();
    }
  });
});
