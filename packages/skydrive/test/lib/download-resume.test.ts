import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { Drive } from '../../src/drive/drive.ts';
import type { RequestEvent } from '../../src/drive/types.ts';
import { SkydriveError } from '../../src/errors.ts';
import { type EmulatorFixture, startFixture } from './helpers/emulator.ts';
import { type ScriptedServer, sendJson, startScriptedServer } from './helpers/scripted-server.ts';

const MIB = 1024 * 1024;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

describe('download resume against the emulator', () => {
  let fx: EmulatorFixture;
  let stateDir: string;
  const content = randomBytes(5 * MIB + 17);

  before(async () => {
    fx = await startFixture();
    stateDir = path.join(fx.local, 'state');
    const source = path.join(fx.local, 'source.bin');
    await writeFile(source, content);
    await fx.drive.upload(source, '/big.bin', { stateDir: false });
  });
  after(() => fx?.close());

  async function fault(body: object): Promise<void> {
    const response = await fetch(`${fx.emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(response.status < 300, `fault not accepted: ${response.status}`);
  }

  const contentGets = (events: RequestEvent[]) =>
    events.filter((event) => event.method === 'GET' && event.url.includes('/download/'));

  it('resumes a body cut off mid-way', async () => {
    await fault({
      method: 'GET',
      path: '^/download/',
      listener: 'content',
      fault: { type: 'truncate-body', bytes: MIB },
    });
    const target = path.join(fx.local, 'cut.bin');
    const from = fx.events.length;
    const result = await fx.drive.download('/big.bin', target, { stateDir });

    assert.equal(result.verified, true);
    assert.equal(result.bytesTransferred, content.length);
    assert.equal(result.quickXorHash, quickXorHash(content));
    assert.equal(contentGets(fx.events.slice(from)).length, 2);
    assert.deepEqual(await readFile(target), content);
    assert.equal(await exists(`${target}.partial`), false);
  });

  it('reports a corrupted body and keeps the partial file', async () => {
    await fault({
      method: 'GET',
      path: '^/download/',
      listener: 'content',
      fault: { type: 'corrupt-body' },
    });
    const target = path.join(fx.local, 'corrupt.bin');
    await assert.rejects(
      fx.drive.download('/big.bin', target, { stateDir }),
      (error: unknown) => error instanceof SkydriveError && error.code === 'HASH_MISMATCH',
    );
    assert.equal(await exists(target), false);
    assert.equal((await readFile(`${target}.partial`)).length, content.length);
  });

  it('continues a partial file from an earlier run', async () => {
    const target = path.join(fx.local, 'later.bin');
    const controller = new AbortController();
    await assert.rejects(
      fx.drive.download('/big.bin', target, {
        stateDir,
        signal: controller.signal,
        onProgress: (received) => {
          if (received >= MIB) {
            controller.abort();
          }
        },
      }),
      (error: unknown) => error instanceof SkydriveError && error.code === 'ABORTED',
    );
    const kept = (await readFile(`${target}.partial`)).length;
    assert.ok(kept >= MIB, `kept ${kept} bytes`);

    const result = await fx.drive.download('/big.bin', target, { stateDir });
    assert.equal(result.resumedFrom, kept);
    assert.equal(result.bytesTransferred, content.length - kept);
    assert.deepEqual(await readFile(target), content);
    assert.deepEqual(await readdir(path.join(stateDir, 'downloads')), []);
  });

  it('downloads a byte range', async () => {
    const target = path.join(fx.local, 'range.bin');
    const result = await fx.drive.download('/big.bin', target, { range: { start: 10, end: 1033 } });
    assert.equal(result.verified, false);
    assert.deepEqual(await readFile(target), content.subarray(10, 1034));
  });
});

describe('download resume against a scripted server', () => {
  const content = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz'.repeat(1000));
  const item = {
    id: 'FILE1',
    name: 'data.bin',
    size: content.length,
    file: { hashes: { quickXorHash: quickXorHash(content) } },
  };
  let server: ScriptedServer;
  let local: string;
  let responses: Array<(response: import('node:http').ServerResponse, range?: string) => void>;

  before(async () => {
    local = await mkdtemp(path.join(tmpdir(), 'skydrive-dl-'));
    server = await startScriptedServer((request, response) => {
      if (request.url.endsWith('/content')) {
        response.writeHead(302, { location: `${server.url}/blob` });
        response.end();
        return;
      }
      if (request.url.startsWith('/blob')) {
        const next = responses.shift();
        assert.ok(next, 'unexpected content request');
        next(response, request.headers.range as string | undefined);
        return;
      }
      sendJson(response, 200, item);
    });
  });
  after(async () => {
    await server?.close();
    await rm(local, { recursive: true, force: true });
  });

  async function open(): Promise<Drive> {
    return Drive.open({
      endpoint: `${server.url}/v1.0`,
      accessToken: 'token',
      retry: { limit: 0 },
    });
  }

  /** Send headers for the whole file but only `bytes` of the body, then drop the connection. */
  const cut = (eTag: string, bytes: number) => (response: import('node:http').ServerResponse) => {
    response.writeHead(200, { etag: eTag, 'content-length': String(content.length) });
    response.write(content.subarray(0, bytes));
    setImmediate(() => response.socket?.destroy());
  };
  const whole = (eTag: string) => (response: import('node:http').ServerResponse) => {
    response.writeHead(200, { etag: eTag, 'content-length': String(content.length) });
    response.end(content);
  };
  const partial =
    (eTag: string, start: number) =>
    (response: import('node:http').ServerResponse, range?: string) => {
      assert.equal(range, `bytes=${start}-`);
      response.writeHead(206, {
        etag: eTag,
        'content-range': `bytes ${start}-${content.length - 1}/${content.length}`,
      });
      response.end(content.subarray(start));
    };

  it('restarts when the ETag changed', async () => {
    responses = [cut('"v1"', 5000), partial('"v2"', 5000), whole('"v2"')];
    const drive = await open();
    try {
      const result = await drive.download('FILE1', path.join(local, 'etag.bin'), {
        stateDir: false,
      });
      assert.equal(result.verified, true);
      assert.equal(responses.length, 0);
      assert.deepEqual(await readFile(path.join(local, 'etag.bin')), content);
    } finally {
      await drive.close();
    }
  });

  it('restarts from a 200 answer to a range', async () => {
    responses = [cut('"v1"', 7000), whole('"v1"')];
    const drive = await open();
    try {
      const result = await drive.download('FILE1', path.join(local, 'full.bin'), {
        stateDir: false,
      });
      assert.equal(result.bytesTransferred, 7000 + content.length);
      assert.deepEqual(await readFile(path.join(local, 'full.bin')), content);
    } finally {
      await drive.close();
    }
  });

  it('resumes with a matching range answer', async () => {
    responses = [cut('"v1"', 3000), partial('"v1"', 3000)];
    const drive = await open();
    try {
      const result = await drive.download('FILE1', path.join(local, 'resumed.bin'), {
        stateDir: false,
      });
      assert.equal(result.bytesTransferred, content.length);
      assert.deepEqual(await readFile(path.join(local, 'resumed.bin')), content);
    } finally {
      await drive.close();
    }
  });

  it('does not resume without a strong ETag', async () => {
    responses = [cut('W/"v1"', 3000)];
    const drive = await open();
    try {
      await assert.rejects(
        drive.download('FILE1', path.join(local, 'weak.bin'), { stateDir: false }),
        (error: unknown) => error instanceof SkydriveError && error.code === 'NETWORK_ERROR',
      );
      assert.equal(responses.length, 0);
    } finally {
      await drive.close();
    }
  });
});
