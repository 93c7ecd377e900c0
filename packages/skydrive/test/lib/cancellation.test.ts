import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Agent } from 'undici';
import { Drive } from '../../src/drive/drive.ts';
import { fakeClock, startScriptedServer } from './helpers/scripted-server.ts';

const dispatcher = new Agent();
after(() => dispatcher.close());

describe('cancellation and timeouts', () => {
  it('ends a request with ABORTED when the signal fires', async () => {
    const controller = new AbortController();
    // The server never responds. It aborts the client once the request has arrived.
    const server = await startScriptedServer(() => controller.abort());
    const drive = await Drive.openWith(
      { endpoint: `${server.url}/v1.0`, accessToken: 't', dispatcher },
      fakeClock(),
    );
    try {
      await assert.rejects(
        drive.download('/x.txt', process.stdout, { signal: controller.signal }),
        { code: 'ABORTED' },
      );
    } finally {
      await server.close();
    }
  });

  it('ends with TIMEOUT when the headers do not arrive in time', async () => {
    const server = await startScriptedServer(() => undefined);
    const drive = await Drive.openWith(
      {
        endpoint: `${server.url}/v1.0`,
        accessToken: 't',
        timeouts: { headersMs: 100 },
        retry: { limit: 0 },
      },
      fakeClock(),
    );
    try {
      await assert.rejects(drive.user(), { code: 'TIMEOUT' });
      assert.equal(server.requests.length, 1);
    } finally {
      await drive.close();
      await server.close();
    }
  });
});
