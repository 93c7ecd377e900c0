import type { Dispatcher } from 'undici';
import { resolveTokenSource } from '../auth/token-source.js';
import { SkydriveError } from '../errors.js';
import { GraphClient } from '../graph/client.js';
import { type Clock, systemClock } from '../graph/clock.js';
import { resolveRetryPolicy } from '../graph/retry.js';
import { createDispatcher, DEFAULT_TIMEOUTS } from '../http/dispatcher.js';
import { downloadItem } from '../transfer/download.js';
import { downloadFolder, uploadFolder } from '../transfer/folder.js';
import { uploadFile } from '../transfer/upload.js';
import type { DriveContext } from './context.js';
import { locate } from './context.js';
import { copyItem } from './copy.js';
import { getItem, listEntries, makeFolder, moveItem, removeItem } from './items.js';
import type {
  Addressing,
  CopyOptions,
  DownloadOptions,
  DownloadResult,
  DriveItem,
  DriveOptions,
  DriveResource,
  FolderTransferOptions,
  FolderTransferResult,
  ItemRef,
  ListEntry,
  ListOptions,
  MkdirOptions,
  MoveTarget,
  Quota,
  RemoveOptions,
  UploadOptions,
  User,
} from './types.js';

export const DEFAULT_ENDPOINT = 'https://graph.microsoft.com/v1.0';
const ADDRESSING_MODES: readonly Addressing[] = ['auto', 'path', 'id'];

/** The drive's own connection pool, replaced when undici leaves a request stuck in it. */
interface DispatcherHolder {
  current: Dispatcher | undefined;
}

/**
 * A OneDrive: the signed-in user's default drive behind a Graph endpoint.
 * Items are addressed by path ('/Docs/a.txt'), by `{ id }`, or by 'id:…'.
 */
export class Drive {
  private readonly context: DriveContext;
  private readonly pool: DispatcherHolder;

  private constructor(context: DriveContext, pool: DispatcherHolder) {
    this.context = context;
    this.pool = pool;
  }

  /** Open a drive. Throws 'NOT_SIGNED_IN' when no token source exists. */
  static async open(options: DriveOptions = {}): Promise<Drive> {
    return Drive.openWith(options, systemClock);
  }

  /** @internal Open with an injected clock, for tests of polling and retries. */
  static async openWith(options: DriveOptions, clock: Clock): Promise<Drive> {
    const endpoint = checkEndpoint(options.endpoint ?? DEFAULT_ENDPOINT);
    const addressing = options.addressing ?? 'auto';
    if (!ADDRESSING_MODES.includes(addressing)) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `addressing ${JSON.stringify(addressing)} must be one of ${ADDRESSING_MODES.join(', ')}`,
      );
    }
    const token = await resolveTokenSource({
      accessToken: options.accessToken,
      profile: options.profile ?? 'default',
    });
    const timeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts) };
    // The drive owns its pool unless the caller passed one.
    const pool: DispatcherHolder = {
      current: options.dispatcher === undefined ? createDispatcher(timeouts) : undefined,
    };
    const graph = new GraphClient({
      endpoint,
      token,
      dispatcher: options.dispatcher ?? (pool.current as Dispatcher),
      retry: resolveRetryPolicy(options.retry),
      onRequest: options.onRequest,
      clock,
      responseTimeoutMs: timeouts.connectMs + timeouts.headersMs,
      replaceDispatcher:
        pool.current === undefined
          ? undefined
          : (stuck) => {
              void stuck.destroy().catch(() => undefined);
              pool.current = createDispatcher(timeouts);
              return pool.current;
            },
    });
    return new Drive({ graph, addressing, clock }, pool);
  }

  /** Metadata of an item. */
  async info(item: ItemRef): Promise<DriveItem> {
    return getItem(this.context, locate(this.context, item));
  }

  /** Children of a folder (default: the root), page by page; `recursive` walks every level. */
  list(folder: ItemRef = '/', options: ListOptions = {}): AsyncIterableIterator<ListEntry> {
    return listEntries(this.context, folder, options);
  }

  /** Create a folder; with `parents`, missing parents too, and an existing folder is fine. */
  async mkdir(path: string, options: MkdirOptions = {}): Promise<DriveItem> {
    return makeFolder(this.context, path, options.parents ?? false);
  }

  /** Upload a local file into a folder, or to a full remote path. */
  async upload(
    localFile: string,
    destination: ItemRef,
    options: UploadOptions = {},
  ): Promise<DriveItem> {
    return uploadFile(this.context, localFile, destination, options);
  }

  /** Download a file to a local path (through '<file>.partial') or into a stream. */
  async download(
    item: ItemRef,
    destination: string | NodeJS.WritableStream,
    options: DownloadOptions = {},
  ): Promise<DownloadResult> {
    return downloadItem(this.context, item, destination, options);
  }

  /** Copy on the server and wait until the copy exists. */
  async copy(
    item: ItemRef,
    destinationFolder: ItemRef,
    options: CopyOptions = {},
  ): Promise<DriveItem> {
    return copyItem(this.context, item, destinationFolder, options);
  }

  /** Move to another folder, rename, or both. */
  async move(item: ItemRef, target: MoveTarget): Promise<DriveItem> {
    return moveItem(this.context, item, target);
  }

  /** Delete an item (a folder with everything in it); it goes to the recycle bin. */
  async remove(item: ItemRef, options: RemoveOptions = {}): Promise<void> {
    return removeItem(this.context, item, options);
  }

  /** Get the drive's quota. Every field may be missing. */
  async quota(): Promise<Quota> {
    return (await this.drive()).quota ?? {};
  }

  async drive(): Promise<DriveResource> {
    return this.context.graph.json<DriveResource>({ method: 'GET', url: '/me/drive' });
  }

  /** Get the signed-in user (GET /me). */
  async user(): Promise<User> {
    return this.context.graph.json<User>({ method: 'GET', url: '/me' });
  }

  /** Upload a local folder as `remoteParent/<folder name>`, mirroring its tree. */
  async uploadFolder(
    localDir: string,
    remoteParent: ItemRef,
    options: FolderTransferOptions = {},
  ): Promise<FolderTransferResult> {
    return uploadFolder(this.context, localDir, remoteParent, options);
  }

  /** Download a folder's contents into a local folder (created if missing). */
  async downloadFolder(
    folder: ItemRef,
    localDir: string,
    options: FolderTransferOptions = {},
  ): Promise<FolderTransferResult> {
    return downloadFolder(this.context, folder, localDir, options);
  }

  /**
   * Close the connection pool, unless the caller passed its own dispatcher.
   * Requests still in flight are aborted.
   */
  async close(): Promise<void> {
    // destroy, not close: close would wait for a request that undici never settles.
    await this.pool.current?.destroy();
    this.pool.current = undefined;
  }
}

function checkEndpoint(endpoint: string): string {
  let parsed: URL;
  try {
    parsed = new URL(endpoint);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `endpoint ${JSON.stringify(endpoint)} must be an http(s) URL with the Graph version, e.g. ${DEFAULT_ENDPOINT}`,
    );
  }
  return endpoint.replace(/\/+$/, '');
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  const result: Partial<T> = {};
  for (const [key, entry] of Object.entries(value ?? {})) {
    if (entry !== undefined) {
      (result as Record<string, unknown>)[key] = entry;
    }
  }
  return result;
}
