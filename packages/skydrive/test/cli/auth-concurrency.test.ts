// Eight CLI processes refresh one profile's expired token at the same time,
// against refresh tokens that rotate on every use with no grace period.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { startEmulator } from 'skydrive-emulator';
import { signInWithDeviceCode } from '../../src/auth/device-code.ts';
import { resolveAuthSettings } from '../../src/auth/settings.ts';
import { control, tryRefresh } from '../lib/helpers/auth-browser.ts';
import { fakeClock } from '../lib/helpers/scripted-server.ts';
import { createSandbox, type Sandbox } from './harness.ts';

const PROCESSES = 8;
/** Upper bound of the wait for the 1 s access token to expire, in ms. */
const MAX_EXPIRY_WAIT_MS = 3000;

describe('token refresh across processes', () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let sandbox: Sandbox;

  before(async () => {
    emulator = await startEmulator({
      port: 0,
      accessTokenLifetimeSeconds: 1,
      refreshGraceSeconds: 0,
      deviceCodeIntervalSeconds: 1,
    });
    sandbox = await createSandbox();
  });
  after(async () => {
    await sandbox?.cleanup();
    await emulator?.close();
  });

  it('8 processes with an expired token all succeed', async () => {
    const first = await signInWithDeviceCode({
      settings: resolveAuthSettings({ authEndpoint: emulator.url, clientId: 'skydrive-local' }),
      // Starts at the real time, so the saved expiry is real; a poll adds 1 s to it.
      clock: fakeClock(Date.now()),
      onPrompt: async (prompt) => {
        await control(emulator.url, 'device/approve', {
          userCode: prompt.userCode,
          username: 'demo',
        });
      },
    });
    const file = path.join(sandbox.home, 'state', 'skydrive', 'tokens', 'default.json');
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, JSON.stringify({ ...first, endpoint: emulator.graphUrl }), {
      mode: 0o600,
    });

    // Wait, bounded, until the access token has expired on both sides.
    const expiresAtMs = Date.parse(first.expiresAt ?? '');
    assert.ok(expiresAtMs - Date.now() <= MAX_EXPIRY_WAIT_MS);
    await delay(Math.max(0, expiresAtMs - Date.now()) + 50);
    const rejected = await fetch(`${emulator.graphUrl}/me`, {
      headers: { authorization: `Bearer ${first.accessToken}` },
    });
    await rejected.body?.cancel();
    assert.equal(rejected.status, 401);

    const results = await Promise.all(
      Array.from({ length: PROCESSES }, () => sandbox.run(['ls', '/'])),
    );
    for (const [index, result] of results.entries()) {
      assert.deepEqual(result, { code: 0, stdout: '', stderr: '' }, `process ${index + 1}`);
    }

    const last = JSON.parse(await readFile(file, 'utf8')) as typeof first;
    assert.notEqual(last.refreshToken, first.refreshToken);
    // The first refresh token was rotated out, and the saved one is the one valid token.
    assert.deepEqual(await tryRefresh(emulator.url, first.refreshToken as string), {
      status: 400,
      error: 'invalid_grant',
    });
    assert.deepEqual(await tryRefresh(emulator.url, last.refreshToken as string), { status: 200 });
  });
});
