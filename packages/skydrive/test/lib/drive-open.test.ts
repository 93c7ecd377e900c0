import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Drive } from '../../src/drive/drive.ts';

describe('Drive.open endpoint', () => {
  it('rejects an endpoint without the Graph version', async () => {
    for (const endpoint of ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/', 'ftp://x/v1.0']) {
      await assert.rejects(Drive.open({ endpoint, accessToken: 't' }), {
        code: 'INVALID_ARGUMENT',
      });
    }
  });

  it('accepts v1.0, beta and a trailing slash', async () => {
    for (const endpoint of [
      'http://127.0.0.1:8080/v1.0',
      'https://graph.microsoft.com/beta',
      'http://127.0.0.1:8080/graph/v1.0/',
    ]) {
      const drive = await Drive.open({ endpoint, accessToken: 't' });
      await drive.close();
    }
  });
});
