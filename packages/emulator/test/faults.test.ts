import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  errorCode,
  type Harness,
  innerCode,
  patternBytes,
  putFragment,
  type Reply,
  send,
  startHarness,
  UNIT,
} from './upload-session-helpers.ts';

let h: Harness;

function addFault(body: unknown): Promise<Reply> {
  return send('POST', `${h.emulator.url}/_emulator/faults`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Sends a request and reports whether the connection failed instead of returning a response. */
async function failsWithReset(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return false;
  } catch (error) {
    return /socket|other side closed|ECONNRESET|terminated/i.test(
      String((error as Error).message ?? error) + String((error as { code?: string }).code),
    );
  }
}

/** Downloads a URL with node:http and returns the bytes received before the end or a reset. */
function download(
  url: string,
): Promise<{ status: number; length: number; bytes: Buffer; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, (res) => {
      const chunks: Buffer[] = [];
      let aborted = false;
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('aborted', () => {
        aborted = true;
      });
      res.on('error', () => {
        aborted = true;
      });
      res.on('close', () => {
        const bytes = Buffer.concat(chunks);
        resolve({
          status: res.statusCode ?? 0,
          length: Number(res.headers['content-length']),
          bytes,
          aborted: aborted || !res.complete,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.close();
});
beforeEach(async () => {
  await send('DELETE', `${h.emulator.url}/_emulator/faults`);
});

describe('fault registry', () => {
  it('POST registers and GET lists', async () => {
    const created = await addFault({
      method: 'get',
      path: '^/v1\\.0/me$',
      fault: { type: 'reset' },
    });
    assert.equal(created.status, 201);
    const { id } = created.json<{ id: string }>();
    assert.equal(typeof id, 'string');
    const listed = await send('GET', `${h.emulator.url}/_emulator/faults`);
    assert.equal(listed.status, 200);
    const [fault] = listed.json<{ value: Array<Record<string, unknown>> }>().value;
    assert.equal(fault?.id, id);
    assert.equal(fault?.method, 'GET');
    assert.equal(fault?.listener, 'any');
    assert.equal(fault?.remaining, 1);
  });

  it('DELETE clears every fault', async () => {
    await addFault({ fault: { type: 'reset' } });
    assert.equal((await send('DELETE', `${h.emulator.url}/_emulator/faults`)).status, 204);
    const listed = await send('GET', `${h.emulator.url}/_emulator/faults`);
    assert.deepEqual(listed.json<{ value: unknown[] }>().value, []);
  });

  for (const [name, body] of [
    ['unknown type', { fault: { type: 'explode' } }],
    ['status out of range', { fault: { type: 'status', status: 200 } }],
    ['bad regex', { path: '(', fault: { type: 'reset' } }],
    ['zero count', { count: 0, fault: { type: 'reset' } }],
    ['bad listener', { listener: 'both', fault: { type: 'reset' } }],
  ] as const) {
    it(`${name} is 400`, async () => {
      const reply = await addFault(body);
      assert.equal(reply.status, 400);
      assert.equal(errorCode(reply), 'invalidRequest');
    });
  }
});

describe('fault types', () => {
  it('status fault answers once with Retry-After', async () => {
    await addFault({
      path: '^/v1\\.0/me$',
      fault: { type: 'status', status: 429, retryAfter: '3' },
    });
    const throttled = await h.graph('GET', '/me');
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers['retry-after'], '3');
    assert.equal(errorCode(throttled), 'activityLimitReached');
    assert.equal((await h.graph('GET', '/me')).status, 200);
  });

  it('count makes a fault fire several times', async () => {
    await addFault({
      path: '^/v1\\.0/me$',
      count: 2,
      fault: { type: 'status', status: 503, code: 'serviceNotAvailable' },
    });
    assert.equal((await h.graph('GET', '/me')).status, 503);
    assert.equal((await h.graph('GET', '/me')).status, 503);
    assert.equal((await h.graph('GET', '/me')).status, 200);
  });

  it('method and listener filter the match', async () => {
    await addFault({ method: 'POST', listener: 'content', fault: { type: 'status', status: 500 } });
    assert.equal((await h.graph('GET', '/me')).status, 200);
    const listed = await send('GET', `${h.emulator.url}/_emulator/faults`);
    assert.equal(listed.json<{ value: unknown[] }>().value.length, 1);
  });

  it('reset drops the connection', async () => {
    await addFault({ path: '^/v1\\.0/me$', fault: { type: 'reset' } });
    assert.ok(await failsWithReset(() => h.graph('GET', '/me')));
    assert.equal((await h.graph('GET', '/me')).status, 200);
  });

  it('delay holds the response', async () => {
    await addFault({ path: '^/v1\\.0/me$', fault: { type: 'delay', ms: 200 } });
    const started = Date.now();
    const reply = await h.graph('GET', '/me');
    assert.equal(reply.status, 200);
    assert.ok(Date.now() - started >= 190, 'the response came before the delay');
  });

  it('reset-after-body stores the fragment but loses the response', async () => {
    const url = await h.createSession('/lost.bin');
    await addFault({ method: 'PUT', listener: 'content', fault: { type: 'reset-after-body' } });
    assert.ok(await failsWithReset(() => putFragment(url, patternBytes(UNIT), 0, 2 * UNIT)));
    const retry = await putFragment(url, patternBytes(UNIT), 0, 2 * UNIT);
    assert.equal(retry.status, 416);
    assert.equal(innerCode(retry), 'fragmentOverlap');
    const state = await send('GET', url);
    assert.deepEqual(state.json<{ nextExpectedRanges: string[] }>().nextExpectedRanges, [
      `${UNIT}-${2 * UNIT - 1}`,
    ]);
  });

  it('expire-upload-session makes the fragment 404', async () => {
    const url = await h.createSession('/gone.bin');
    await addFault({ method: 'PUT', path: '^/upload/', fault: { type: 'expire-upload-session' } });
    const reply = await putFragment(url, patternBytes(UNIT), 0, 2 * UNIT);
    assert.equal(reply.status, 404);
    assert.equal(innerCode(reply), 'uploadSessionNotFound');
  });

  it('truncate-body cuts a download short', async () => {
    const data = patternBytes(100_000);
    const created = await h.graph('PUT', '/me/drive/root:/cut.bin:/content', data);
    assert.equal(created.status, 201);
    const location = (await h.graph('GET', '/me/drive/root:/cut.bin:/content')).headers
      .location as string;
    await addFault({
      listener: 'content',
      path: '^/download/',
      fault: { type: 'truncate-body', bytes: 1000 },
    });
    const cut = await download(location);
    assert.equal(cut.status, 200);
    assert.equal(cut.length, data.length);
    assert.equal(cut.bytes.length, 1000);
    assert.ok(cut.aborted);
    assert.deepEqual(cut.bytes, data.subarray(0, 1000));
  });

  it('corrupt-body changes a download', async () => {
    const data = patternBytes(5000);
    await h.graph('PUT', '/me/drive/root:/bad.bin:/content', data);
    const location = (await h.graph('GET', '/me/drive/root:/bad.bin:/content')).headers
      .location as string;
    await addFault({ listener: 'content', fault: { type: 'corrupt-body' } });
    const corrupted = await download(location);
    assert.equal(corrupted.bytes.length, data.length);
    assert.notDeepEqual(corrupted.bytes, data);
    const clean = await download(location);
    assert.deepEqual(clean.bytes, data);
  });

  it('status fault applies to the token endpoint', async () => {
    await addFault({ path: '/oauth2/v2\\.0/token$', fault: { type: 'status', status: 503 } });
    const reply = await send('POST', `${h.emulator.url}/common/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=password&client_id=x&username=demo&password=demo',
    });
    assert.equal(reply.status, 503);
  });
});

describe('control API turned off', () => {
  let off: Harness;

  before(async () => {
    off = await startHarness({ controlEnabled: false });
  });
  after(async () => {
    await off?.close();
  });

  it('fault route does not exist', async () => {
    const reply = await send('POST', `${off.emulator.url}/_emulator/faults`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fault: { type: 'reset' } }),
    });
    assert.equal(reply.status, 400);
    assert.equal(errorCode(reply), 'invalidRequest');
    assert.equal((await off.graph('GET', '/me')).status, 200);
  });
});
