import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { debuglog } from 'node:util';
import lockfile from 'proper-lockfile';
import { SkydriveError } from '../errors.js';
import { tokenFilePath } from './token-store.js';

const log = debuglog('skydrive');

/**
 * A lock whose holder has not touched it for this long is taken over, in ms.
 * The holder refreshes the lock's mtime every half of this while it works.
 */
const STALE_LOCK_MS = 10_000;

/**
 * Waits between attempts to take a busy lock, growing from 20 to 400 ms (doubled at
 * random): 30 to 60 s in all. A refresh usually takes well under a second, and the
 * bound keeps a stuck process from blocking the others for longer than that.
 */
const LOCK_RETRIES = { retries: 80, factor: 1.3, minTimeout: 20, maxTimeout: 400, randomize: true };

/**
 * Run `work` while holding the profile's token lock, across processes. The
 * lock is a directory `<profile>.json.lock` beside the token file, so it works
 * before the token file exists. Refresh tokens rotate on every use, so two
 * processes refreshing with the same one would leave one of them signed out.
 */
export async function withTokenLock<T>(profile: string, work: () => Promise<T>): Promise<T> {
  const file = tokenFilePath(profile);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });

  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: STALE_LOCK_MS,
      retries: LOCK_RETRIES,
      onCompromised: (error) => {
        // Another process took the lock over as stale; the refresh in progress still finishes.
        log('token lock of profile %s was taken over: %s', profile, error.message);
      },
    });
  } catch (error) {
    throw new SkydriveError(
      'TIMEOUT',
      `the token lock of profile "${profile}" (${file}.lock) stayed busy; another skydrive process is refreshing or stopped while holding it, so try again in a few seconds`,
      { cause: error },
    );
  }

  try {
    return await work();
  } finally {
    await release().catch((error: Error) => {
      log('releasing the token lock of profile %s failed: %s', profile, error.message);
    });
  }
}
