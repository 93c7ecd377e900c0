import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from 'skydrive-emulator';
import { Drive } from '../../../src/drive/drive.ts';
import type { RequestEvent } from '../../../src/drive/types.ts';

export interface EmulatorFixture {
  emulator: RunningEmulator;
  token: string;
  drive: Drive;
  /** Every HTTP attempt the drive made, for asserting that none happened. */
  events: RequestEvent[];
  /** A fresh local scratch folder, removed by `close`. */
  local: string;
  close(): Promise<void>;
}

/** Get an access token from the emulator's token endpoint with the demo account. */
export async function emulatorToken(emulator: RunningEmulator): Promise<string> {
  const response = await fetch(`${emulator.url}/common/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: 'skydrive-tests',
      username: 'demo',
      password: 'demo',
      scope: 'Files.ReadWrite.All offline_access User.Read',
    }),
  });
  const body = (await response.json()) as { access_token?: string };
  if (response.status !== 200 || typeof body.access_token !== 'string') {
    throw new Error(`emulator token endpoint answered ${response.status}`);
  }
  return body.access_token;
}

/** Start an in-memory emulator on a free loopback port and open a drive on it. */
export async function startFixture(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await startEmulator({ ...options, port: 0 });
  const events: RequestEvent[] = [];
  let local = '';
  try {
    const token = await emulatorToken(emulator);
    const drive = await Drive.open({
      endpoint: emulator.graphUrl,
      accessToken: token,
      onRequest: (event) => events.push(event),
    });
    local = await mkdtemp(path.join(tmpdir(), 'skydrive-lib-'));
    return {
      emulator,
      token,
      drive,
      events,
      local,
      close: async () => {
        await drive.close();
        await emulator.close();
        await rm(local, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await emulator.close();
    if (local !== '') {
      await rm(local, { recursive: true, force: true });
    }
    throw error;
  }
}
