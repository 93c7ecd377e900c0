import { mkdir, mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Logger, pino } from 'pino';
import { attachConnectProxy } from './connect-proxy.js';
import type { Emulator } from './context.js';
import { attachDriveTracking } from './drive/tracking.js';
import { EmulatorError } from './errors.js';
import { FaultRegistry } from './faults.js';
import { GrantState } from './identity/grants-state.js';
import { provisionUsers } from './model/accounts.js';
import { type EmulatorOptions, type RunningEmulator, resolveOptions } from './options.js';
import { createApiListener, createContentListener } from './pipeline.js';
import { PreauthRegistry } from './preauth.js';
import { createProxyCertificates } from './proxy-ca.js';
import { BlobStore } from './store/blob-store.js';
import { MemoryStore } from './store/memory-store.js';
import { SqliteStore } from './store/sqlite-store.js';
import type { MetadataStore } from './store/types.js';
import { createListener, tlsMaterialOf } from './tls.js';
import { UploadSessionStore } from './upload/session-store.js';

/**
 * Starts the emulator: opens the store, provisions the configured users and
 * binds two listeners, the Graph API (plus identity endpoints) and the
 * content origin for pre-authenticated URLs.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const resolved = resolveOptions(options);
  const log: Logger =
    options.logger === undefined || options.logger === false
      ? pino({ level: 'silent' })
      : options.logger;

  const tls = await tlsMaterialOf(resolved.https);
  const proxyCertificates = resolved.connectProxy ? await createProxyCertificates() : undefined;
  const { store, blobs, inMemory } = await openStorage(resolved.location);
  attachDriveTracking(store);
  const removedTempFiles = await blobs.init();
  if (removedTempFiles > 0) {
    log.info({ removedTempFiles }, 'removed temporary upload files left by an earlier process');
  }
  provisionUsers(store, resolved.users);
  const uploads = new UploadSessionStore(blobs.root);
  const liveSessions = await uploads.init();
  if (liveSessions > 0) {
    log.info({ liveSessions }, 'upload sessions restored');
  }

  const emulator: Emulator = {
    options: resolved,
    store,
    blobs,
    preauth: new PreauthRegistry(
      () => emulator.contentUrl,
      resolved.downloadUrlLifetimeSeconds * 1000,
    ),
    uploads,
    faults: new FaultRegistry(),
    grants: new GrantState(),
    log,
    url: '',
    contentUrl: '',
  };
  log.info(
    { location: resolved.location ?? null, users: resolved.users.map((user) => user.username) },
    'starting skydrive-emulator',
  );

  const apiServer = createListener(createApiListener(emulator), tls);
  const contentServer = createListener(createContentListener(emulator), tls);
  const proxy =
    proxyCertificates === undefined
      ? undefined
      : attachConnectProxy(apiServer, createApiListener(emulator), proxyCertificates, log);
  const scheme = tls ? 'https' : 'http';
  try {
    emulator.url = await listen(apiServer, resolved.host, resolved.port, scheme);
    emulator.contentUrl = await listen(contentServer, resolved.host, resolved.contentPort, scheme);
  } catch (error) {
    await closeServer(apiServer);
    store.close();
    if (inMemory) {
      await blobs.destroy();
    }
    throw error;
  }
  log.info({ url: emulator.url, contentUrl: emulator.contentUrl }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    url: emulator.url,
    graphUrl: `${emulator.url}/v1.0`,
    contentUrl: emulator.contentUrl,
    certificate: tls?.cert,
    proxyUrl: proxy === undefined ? undefined : emulator.url,
    proxyCaCertificate: proxyCertificates?.caCertificate,
    close() {
      closing ??= (async () => {
        proxy?.close();
        await Promise.all([closeServer(apiServer), closeServer(contentServer)]);
        store.close();
        if (inMemory) {
          await blobs.destroy();
        }
        log.info('stopped');
      })();
      return closing;
    },
  };
}

async function openStorage(
  location: string | undefined,
): Promise<{ store: MetadataStore; blobs: BlobStore; inMemory: boolean }> {
  if (location === undefined) {
    const root = await mkdtemp(path.join(tmpdir(), 'skydrive-emulator-'));
    return { store: new MemoryStore(), blobs: new BlobStore(root), inMemory: true };
  }
  const root = path.resolve(location);
  await mkdir(root, { recursive: true });
  return { store: new SqliteStore(root), blobs: new BlobStore(root), inMemory: false };
}

function listen(
  server: Server,
  host: string,
  port: number,
  scheme: 'http' | 'https',
): Promise<string> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      reject(
        new EmulatorError('EMULATOR_LISTEN', `cannot listen on ${host}:${port}: ${error.message}`, {
          cause: error,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`${scheme}://${hostPart}:${address.port}`);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
