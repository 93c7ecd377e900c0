import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, it } from 'node:test';
import { spawnEmulator, waitForExit } from './helpers.ts';
import { patternBytes, putFragment, send, UNIT } from './upload-session-helpers.ts';

/** Size of the upload; the emulator must not hold it, or any fragment, in memory. */
const FILE_BYTES = 1024 ** 3;
/** 32 × 320 KiB = 10 MiB, the fragment size clients commonly use. */
const FRAGMENT_BYTES = 32 * UNIT;
/** Allowed growth of the emulator's peak RSS over its idle RSS. */
const MAX_RSS_GROWTH_BYTES = 64 * 1024 * 1024;

let emulator: Awaited<ReturnType<typeof spawnEmulator>> | undefined;

before(async () => {
  emulator = await spawnEmulator(['--port', '0']);
});
after(async () => {
  if (emulator) {
    emulator.child.kill('SIGTERM');
    await waitForExit(emulator.child);
  }
});

/** Reads a memory figure of a Linux process from /proc, in bytes. */
async function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  assert.ok(kib, `${field} missing from /proc/${pid}/status`);
  return Number(kib) * 1024;
}

it('1 GiB session upload keeps emulator memory flat', { timeout: 300_000 }, async () => {
  assert.ok(emulator?.child.pid);
  const pid = emulator.child.pid;
  const tokenReply = await send('POST', `${emulator.url}/common/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=password&client_id=memory-test&username=demo&password=demo',
  });
  const token = tokenReply.json<{ access_token: string }>().access_token;
  const created = await send(
    'POST',
    `${emulator.url}/v1.0/me/drive/root:/big.bin:/createUploadSession`,
    {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ item: { fileSize: FILE_BYTES } }),
    },
  );
  assert.equal(created.status, 200);
  const { uploadUrl } = created.json<{ uploadUrl: string }>();

  const idleRss = await memoryOf(pid, 'VmRSS');
  // One buffer is sent for every fragment, so the test itself stays small too.
  const fragment = patternBytes(FRAGMENT_BYTES);
  let last = 0;
  for (let start = 0; start < FILE_BYTES; start += FRAGMENT_BYTES) {
    const length = Math.min(FRAGMENT_BYTES, FILE_BYTES - start);
    const reply = await putFragment(uploadUrl, fragment.subarray(0, length), start, FILE_BYTES);
    last = reply.status;
    assert.ok(
      reply.status === 202 || reply.status === 201,
      `fragment at ${start}: ${reply.status}`,
    );
  }
  assert.equal(last, 201);
  const peakRss = await memoryOf(pid, 'VmHWM');
  const growth = peakRss - idleRss;
  assert.ok(
    growth < MAX_RSS_GROWTH_BYTES,
    `emulator RSS grew by ${Math.round(growth / 2 ** 20)} MiB (idle ${Math.round(idleRss / 2 ** 20)} MiB, peak ${Math.round(peakRss / 2 ** 20)} MiB)`,
  );
});
