import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { quickXorHash } from '@skydrive/quickxorhash';
import { type RunningEmulator, startEmulator } from 'skydrive-emulator';
import { Drive } from '../../src/drive/drive.ts';
import type { RequestEvent, TransferReport } from '../../src/drive/types.ts';
import { SkydriveError } from '../../src/errors.ts';
import { checkFragmentSize, parseByteSize } from '../../src/transfer/fragments.ts';
import { emulatorToken } from './helpers/emulator.ts';
import { sendJson, startScriptedServer } from './helpers/scripted-server.ts';

const KIB = 1024;
const MIB = 1024 * 1024;
/** Three 320 KiB units: small fragments keep multi-fragment files small. */
const SMALL_FRAGMENT = 960 * KIB;

describe('upload sessions against the emulator', () => {
  let emulator: RunningEmulator;
  let drive: Drive;
  let local: string;
  let stateDir: string;
  const events: RequestEvent[] = [];

  before(async () => {
    // Strict mode returns 401 for any fragment that carries Authorization and
    // 400 for a misaligned fragment, so every upload here checks both rules.
    emulator = await startEmulator({ port: 0, strictUploadAuth: true });
    const token = await emulatorToken(emulator);
    drive = await Drive.open({
      endpoint: emulator.graphUrl,
      accessToken: token,
      retry: { minDelayMs: 1, maxDelayMs: 5 },
      onRequest: (event) => events.push(event),
    });
    local = await mkdtemp(path.join(tmpdir(), 'skydrive-session-'));
    stateDir = path.join(local, 'state');
  });

  after(async () => {
    await drive?.close();
    await emulator?.close();
    await rm(local, { recursive: true, force: true });
  });

  async function fileOf(name: string, size: number): Promise<{ file: string; content: Buffer }> {
    const content = randomBytes(size);
    const file = path.join(local, name);
    await writeFile(file, content);
    return { file, content };
  }

  async function remoteBytes(remotePath: string): Promise<Buffer> {
    const target = path.join(local, `download-${Math.random().toString(36).slice(2)}`);
    await drive.download(remotePath, target);
    const bytes = await readFile(target);
    await rm(target);
    return bytes;
  }

  async function fault(body: object): Promise<void> {
    const response = await fetch(`${emulator.url}/_emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status < 300, true, `fault not accepted: ${response.status}`);
  }

  /** Upload and return the report, with the request events of this upload only. */
  async function upload(file: string, remote: string, fragmentSize?: number) {
    const from = events.length;
    let report: TransferReport | undefined;
    const item = await drive.upload(file, remote, {
      stateDir,
      ...(fragmentSize === undefined ? {} : { fragmentSize }),
      onComplete: (done) => {
        report = done;
      },
    });
    return { item, report, events: events.slice(from) };
  }

  const sessionCreates = (list: RequestEvent[]) =>
    list.filter((event) => event.url.endsWith('/createUploadSession'));
  const fragmentPuts = (list: RequestEvent[]) =>
    list.filter((event) => event.method === 'PUT' && event.url.includes('/upload/'));

  const sizes: Array<[string, number, number | undefined, 'simple' | number]> = [
    ['0 B', 0, undefined, 'simple'],
    ['1 B', 1, undefined, 'simple'],
    ['4 MiB', 4 * MIB, undefined, 'simple'],
    ['4 MiB + 1', 4 * MIB + 1, undefined, 1],
    ['exactly one fragment', 16 * 320 * KIB, 16 * 320 * KIB, 1],
    ['fragments and a short tail', 5 * MIB + 123, SMALL_FRAGMENT, 6],
  ];
  for (const [label, size, fragmentSize, expected] of sizes) {
    it(`uploads ${label} byte-exact`, async () => {
      const name = `size-${size}.bin`;
      const { file, content } = await fileOf(name, size);
      const result = await upload(file, `/${name}`, fragmentSize);

      assert.equal(result.item.size, size);
      assert.equal(result.item.file?.hashes?.quickXorHash, quickXorHash(content));
      assert.equal(result.report?.quickXorHash, quickXorHash(content));
      assert.equal(result.report?.verifiedBy, 'quickXorHash');
      assert.equal(result.report?.bytesTransferred, size);
      assert.equal(result.report?.resumedFrom, null);
      if (expected === 'simple') {
        assert.equal(sessionCreates(result.events).length, 0);
      } else {
        assert.equal(sessionCreates(result.events).length, 1);
        assert.equal(fragmentPuts(result.events).length, expected);
      }
      assert.deepEqual(await remoteBytes(`/${name}`), content);
    });
  }

  it('continues after a lost fragment response', async () => {
    const { file, content } = await fileOf('lost-response.bin', 5 * SMALL_FRAGMENT + 10);
    // The server stores the second fragment but drops the connection instead of responding.
    await fault({
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      fault: { type: 'delay', ms: 0 },
    });
    await fault({
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      fault: { type: 'reset-after-body' },
    });
    const result = await upload(file, '/lost-response.bin', SMALL_FRAGMENT);

    const statuses = fragmentPuts(result.events).map((event) => event.status ?? 'reset');
    assert.deepEqual(statuses, [202, 'reset', 416, 202, 202, 202, 201]);
    assert.equal(
      result.events.filter((event) => event.method === 'GET' && event.url.includes('/upload/'))
        .length,
      1,
    );
    assert.equal(result.item.file?.hashes?.quickXorHash, quickXorHash(content));
  });

  it('starts a new session when the session expires', async () => {
    const { file, content } = await fileOf('expired.bin', 5 * SMALL_FRAGMENT + 10);
    await fault({
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      fault: { type: 'delay', ms: 0 },
    });
    await fault({
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      fault: { type: 'expire-upload-session' },
    });
    const result = await upload(file, '/expired.bin', SMALL_FRAGMENT);

    assert.equal(sessionCreates(result.events).length, 2);
    const puts = fragmentPuts(result.events);
    assert.deepEqual(
      puts.map((event) => event.status),
      [202, 404, 202, 202, 202, 202, 202, 201],
    );
    // The second session is created right after the 404, before any other fragment, and
    // no fragment after it fails, so none went to the dead session. Upload URLs are
    // redacted in events, so the order is what shows which session each fragment used.
    const secondCreate = result.events.indexOf(sessionCreates(result.events)[1] as RequestEvent);
    assert.ok(secondCreate > result.events.indexOf(puts[1] as RequestEvent));
    assert.ok(secondCreate < result.events.indexOf(puts[2] as RequestEvent));
    assert.equal(result.item.file?.hashes?.quickXorHash, quickXorHash(content));
  });

  it('retries a fragment after 503', async () => {
    const { file, content } = await fileOf('retry.bin', 5 * SMALL_FRAGMENT + 1);
    await fault({
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      count: 2,
      fault: { type: 'status', status: 503, retryAfter: '0' },
    });
    const result = await upload(file, '/retry.bin', SMALL_FRAGMENT);
    assert.deepEqual(
      fragmentPuts(result.events).map((event) => event.status),
      [503, 503, 202, 202, 202, 202, 202, 201],
    );
    assert.equal(result.report?.bytesTransferred, 5 * SMALL_FRAGMENT + 1 + 2 * SMALL_FRAGMENT);
    assert.equal(result.item.file?.hashes?.quickXorHash, quickXorHash(content));
  });

  it('cancels the session on a final failure', async () => {
    const { file } = await fileOf('rejected.bin', 5 * SMALL_FRAGMENT + 1);
    await fault({
      method: 'PUT',
      path: '^/upload/',
      listener: 'content',
      fault: { type: 'status', status: 400, code: 'invalidRequest' },
    });
    const from = events.length;
    await assert.rejects(
      drive.upload(file, '/rejected.bin', { stateDir, fragmentSize: SMALL_FRAGMENT }),
      (error: unknown) => error instanceof SkydriveError && error.code === 'GRAPH_ERROR',
    );
    const cancel = events.slice(from).filter((event) => event.method === 'DELETE');
    assert.equal(cancel.length, 1);
    assert.equal(cancel[0]?.status, 204);
    assert.deepEqual(await recordsIn(stateDir), []);
  });

  it('resumes an interrupted upload without resending', async () => {
    const size = 6 * SMALL_FRAGMENT + 77;
    const { file, content } = await fileOf('resume.bin', size);
    const controller = new AbortController();
    await assert.rejects(
      drive.upload(file, '/resume.bin', {
        stateDir,
        fragmentSize: SMALL_FRAGMENT,
        signal: controller.signal,
        onProgress: (offset) => {
          if (offset >= 2 * SMALL_FRAGMENT) {
            controller.abort();
          }
        },
      }),
      (error: unknown) => error instanceof SkydriveError && error.code === 'ABORTED',
    );
    assert.equal((await recordsIn(stateDir)).length, 1);

    const result = await upload(file, '/resume.bin', SMALL_FRAGMENT);
    const resumedFrom = result.report?.resumedFrom ?? 0;
    assert.ok(resumedFrom >= SMALL_FRAGMENT, `resumed from ${resumedFrom}`);
    assert.equal(result.report?.bytesTransferred, size - resumedFrom);
    assert.equal(sessionCreates(result.events).length, 0);
    assert.equal(result.report?.quickXorHash, quickXorHash(content));
    assert.deepEqual(await remoteBytes('/resume.bin'), content);
    assert.deepEqual(await recordsIn(stateDir), []);
  });

  it('starts over when the saved session expired', async () => {
    const size = 5 * SMALL_FRAGMENT + 9;
    const { file, content } = await fileOf('expired-record.bin', size);
    const controller = new AbortController();
    await assert.rejects(
      drive.upload(file, '/expired-record.bin', {
        stateDir,
        fragmentSize: SMALL_FRAGMENT,
        signal: controller.signal,
        onProgress: (offset) => {
          if (offset >= SMALL_FRAGMENT) {
            controller.abort();
          }
        },
      }),
    );
    // The status request of the next run finds the session gone.
    await fault({
      method: 'GET',
      path: '^/upload/',
      listener: 'content',
      fault: { type: 'expire-upload-session' },
    });

    const result = await upload(file, '/expired-record.bin', SMALL_FRAGMENT);
    assert.equal(result.report?.resumedFrom, null);
    assert.equal(result.report?.bytesTransferred, size);
    assert.equal(sessionCreates(result.events).length, 1);
    assert.equal(result.item.file?.hashes?.quickXorHash, quickXorHash(content));
  });

  it('starts over when the local file changed', async () => {
    const size = 5 * SMALL_FRAGMENT + 5;
    const { file } = await fileOf('changed.bin', size);
    const controller = new AbortController();
    await assert.rejects(
      drive.upload(file, '/changed.bin', {
        stateDir,
        fragmentSize: SMALL_FRAGMENT,
        signal: controller.signal,
        onProgress: (offset) => {
          if (offset >= SMALL_FRAGMENT) {
            controller.abort();
          }
        },
      }),
    );
    const replacement = randomBytes(size);
    await writeFile(file, replacement);
    const later = new Date(Date.now() + 5_000);
    await utimes(file, later, later);

    const result = await upload(file, '/changed.bin', SMALL_FRAGMENT);
    assert.equal(result.report?.resumedFrom, null);
    assert.equal(sessionCreates(result.events).length, 1);
    assert.equal(result.item.file?.hashes?.quickXorHash, quickXorHash(replacement));
  });

  it('rejects an invalid fragment size before any request', async () => {
    const { file } = await fileOf('bad-fragment.bin', 4 * MIB + 1);
    const from = events.length;
    await assert.rejects(
      drive.upload(file, '/bad-fragment.bin', { stateDir, fragmentSize: 4 * MIB }),
      (error: unknown) =>
        error instanceof SkydriveError &&
        error.code === 'INVALID_ARGUMENT' &&
        error.message.includes('multiple of 320 KiB'),
    );
    assert.equal(sessionCreates(events.slice(from)).length, 0);
  });
});

describe('upload verification against a scripted server', () => {
  let local: string;

  before(async () => {
    local = await mkdtemp(path.join(tmpdir(), 'skydrive-verify-'));
  });
  after(() => rm(local, { recursive: true, force: true }));

  /** A session server whose committed item carries `hashes`; records every request. */
  async function sessionServer(hashes: Record<string, string> | undefined, size: number) {
    const server = await startScriptedServer((request, response) => {
      if (request.url.endsWith('/createUploadSession')) {
        sendJson(response, 200, { uploadUrl: `${server.url}/up/1`, nextExpectedRanges: ['0-'] });
      } else if (request.method === 'PUT' && request.url === '/up/1') {
        const end = Number(/-(\d+)\//.exec(String(request.headers['content-range']))?.[1]);
        if (end + 1 < size) {
          sendJson(response, 202, { nextExpectedRanges: [`${end + 1}-`] });
        } else {
          sendJson(response, 201, {
            id: 'F1',
            name: 'file.bin',
            size,
            file: hashes === undefined ? {} : { hashes },
          });
        }
      } else if (request.method === 'DELETE') {
        response.writeHead(204).end();
      } else {
        sendJson(response, 404, { error: { code: 'itemNotFound', message: 'not scripted' } });
      }
    });
    return server;
  }

  it('reports a hash mismatch and cancels', async () => {
    const size = 5 * MIB;
    const file = path.join(local, 'mismatch.bin');
    await writeFile(file, randomBytes(size));
    const server = await sessionServer({ quickXorHash: quickXorHash(Buffer.alloc(size)) }, size);
    const drive = await Drive.open({ endpoint: `${server.url}/v1.0`, accessToken: 'token' });
    try {
      await assert.rejects(
        drive.upload(file, '/file.bin', { stateDir: false }),
        (error: unknown) => error instanceof SkydriveError && error.code === 'HASH_MISMATCH',
      );
      const fragments = server.requests.filter((request) => request.method === 'PUT');
      assert.equal(fragments.length, 1);
      assert.equal(fragments[0]?.headers.authorization, undefined);
      assert.equal(fragments[0]?.headers['content-range'], `bytes 0-${size - 1}/${size}`);
      assert.equal(server.requests.filter((request) => request.method === 'DELETE').length, 1);
    } finally {
      await drive.close();
      await server.close();
    }
  });

  it('falls back to size without hashes', async () => {
    const size = 5 * MIB;
    const file = path.join(local, 'no-hash.bin');
    await writeFile(file, randomBytes(size));
    const server = await sessionServer(undefined, size);
    const drive = await Drive.open({ endpoint: `${server.url}/v1.0`, accessToken: 'token' });
    try {
      let report: TransferReport | undefined;
      await drive.upload(file, '/file.bin', {
        stateDir: false,
        onComplete: (done) => {
          report = done;
        },
      });
      assert.equal(report?.verifiedBy, 'size');
    } finally {
      await drive.close();
      await server.close();
    }
  });
});

describe('fragment sizes', () => {
  it('accepts multiples of 320 KiB below 60 MiB', () => {
    assert.equal(checkFragmentSize(327_680), 327_680);
    assert.equal(checkFragmentSize(10 * MIB), 10 * MIB);
    assert.equal(checkFragmentSize(191 * 320 * KIB), 191 * 320 * KIB);
  });

  it('rejects other sizes', () => {
    for (const size of [0, -327_680, 327_679, 4 * MIB, 60 * MIB, 192 * 320 * KIB, 1.5]) {
      assert.throws(() => checkFragmentSize(size), { code: 'INVALID_ARGUMENT' }, String(size));
    }
  });

  it('parses sizes with suffixes', () => {
    assert.equal(parseByteSize('327680'), 327_680);
    assert.equal(parseByteSize('640KiB'), 640 * KIB);
    assert.equal(parseByteSize('10MiB'), 10 * MIB);
    assert.equal(parseByteSize('10m'), 10 * MIB);
    assert.throws(() => parseByteSize('ten'), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => parseByteSize('1GiB'), { code: 'INVALID_ARGUMENT' });
  });
});

async function recordsIn(stateDir: string): Promise<string[]> {
  return readdir(path.join(stateDir, 'uploads')).catch(() => []);
}
