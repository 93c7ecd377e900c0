import type { Dispatcher } from 'undici';
import { StoredTokenProvider } from '../auth/stored-provider.js';
import type { TokenProvider } from '../auth/token-provider.js';
import { resolveTokenProvider } from '../auth/token-source.js';
import { SkydriveError } from '../errors.js';
import { GraphClient } from '../graph/client.js';
import { type Clock, systemClock } from '../graph/clock.js';
import { resolveRetryPolicy } from '../graph/retry.js';
import type { DriveItemVersion, Permission, ThumbnailSet } from '../graph/sharing-wire.js';
import { createDispatcher, DEFAULT_TIMEOUTS } from '../http/dispatcher.js';
import { downloadItem } from '../transfer/download.js';
import { downloadFolder, uploadFolder } from '../transfer/folder.js';
import { uploadFile } from '../transfer/upload.js';
import type { DriveContext } from './context.js';
import { locate } from './context.js';
import { copyItem } from './copy.js';
import { ChangeFeed, type ChangesOptions } from './delta.js';
import { getItem, listEntries, makeFolder, moveItem, removeItem } from './items.js';
import { type RecentOptions, type RecentResult, recentItems } from './recent.js';
import { permanentDelete, type RestoreOptions, restoreItem } from './recycle.js';
import { type SearchOptions, searchItems } from './search.js';
import {
  createLink,
  type InviteOptions,
  invite,
  type LinkOptions,
  type LinkResult,
  listPermissions,
  type RevokeOptions,
  revokePermission,
} from './sharing.js';
import { makeSpecialFolder } from './special-folders.js';
import {
  downloadThumbnail,
  listThumbnails,
  type ThumbnailDownload,
  type ThumbnailOptions,
} from './thumbnails.js';
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
import { type ItemUpdate, type UpdateOptions, updateItem } from './update.js';
import { listVersions, restoreVersion } from './versions.js';

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
    const addressing = options.addressing ?? 'auto';
    if (!ADDRESSING_MODES.includes(addressing)) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `addressing ${JSON.stringify(addressing)} must be one of ${ADDRESSING_MODES.join(', ')}`,
      );
    }
    const timeouts = { ...DEFAULT_TIMEOUTS, ...definedOnly(options.timeouts) };
    // The drive owns its pool unless the caller passed one; token refreshes use it too.
    const pool: DispatcherHolder = { current: undefined };
    const tokens = await resolveTokenProvider({
      accessToken: options.accessToken,
      profile: options.profile ?? 'default',
      transport: {
        dispatcher: () => options.dispatcher ?? pool.current,
        ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
      },
    });
    const endpoint = checkEndpoint(endpointFor(options.endpoint, tokens));
    if (options.dispatcher === undefined) {
      pool.current = createDispatcher(timeouts);
    }
    const graph = new GraphClient({
      endpoint,
      token: (tokenOptions) => tokens.getAccessToken(tokenOptions),
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
    if (path.toLowerCase().startsWith('special:')) {
      return makeSpecialFolder(this.context, path, options.parents ?? false);
    }
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

  /** Delete an item (a folder with everything in it); it goes to the recycle bin unless `permanent`. */
  async remove(item: ItemRef, options: RemoveOptions = {}): Promise<void> {
    if (options.permanent === true) {
      return permanentDelete(this.context, item);
    }
    return removeItem(this.context, item, options);
  }

  /** Bring an item back from the recycle bin, by id (OneDrive personal only). */
  async restore(id: string, options: RestoreOptions = {}): Promise<DriveItem> {
    return restoreItem(this.context, id, options);
  }

  /** Change metadata (name, description, fileSystemInfo); only the given fields are sent. */
  async update(
    item: ItemRef,
    changes: ItemUpdate,
    options: UpdateOptions = {},
  ): Promise<DriveItem> {
    return updateItem(this.context, item, changes, options);
  }

  /** Create a sharing link, or get the existing one of the same type (`created` false). */
  async link(item: ItemRef, options: LinkOptions = {}): Promise<LinkResult> {
    return createLink(this.context, item, options);
  }

  /** List an item's permissions: its own first, then inherited ones. */
  permissions(item: ItemRef): AsyncIterableIterator<Permission> {
    return listPermissions(this.context, item);
  }

  /** Grant people access by email; returns one permission per recipient. */
  async invite(item: ItemRef, options: InviteOptions): Promise<Permission[]> {
    return invite(this.context, item, options);
  }

  /** Delete one of an item's own (not inherited) permissions. */
  async revokePermission(
    item: ItemRef,
    permissionId: string,
    options: RevokeOptions = {},
  ): Promise<void> {
    return revokePermission(this.context, item, permissionId, options);
  }

  /** List recently modified files, newest first, with a delta fallback when `recent` fails or is empty. */
  async recent(options: RecentOptions = {}): Promise<RecentResult> {
    return recentItems(this.context, options);
  }

  /** Search below a folder for items whose name or text content matches, across pages. */
  search(text: string, options: SearchOptions = {}): AsyncIterableIterator<DriveItem> {
    return searchItems(this.context, text, options);
  }

  /** Start one round of delta; after iterating, `nextToken` starts the next round. */
  changes(options: ChangesOptions = {}): ChangeFeed {
    return new ChangeFeed(this.context, options);
  }

  /** Get the thumbnail sets of an item ('0' is its own). */
  async thumbnails(item: ItemRef, options: ThumbnailOptions = {}): Promise<ThumbnailSet[]> {
    return listThumbnails(this.context, item, options);
  }

  /** Download one thumbnail size into a local file or a stream. */
  async downloadThumbnail(
    item: ItemRef,
    size: string,
    destination: string | NodeJS.WritableStream,
  ): Promise<ThumbnailDownload> {
    return downloadThumbnail(this.context, item, size, destination);
  }

  /** List the versions of a file, newest (current) first. */
  async versions(item: ItemRef): Promise<DriveItemVersion[]> {
    return listVersions(this.context, item);
  }

  /** Make an earlier version the current content; the service keeps all versions. */
  async restoreVersion(item: ItemRef, versionId: string): Promise<void> {
    return restoreVersion(this.context, item, versionId);
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
  if (
    (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') ||
    !/\/(v\d+\.\d+|beta)\/*$/.test(parsed.pathname)
  ) {
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

/**
 * Picks the Graph endpoint. A token saved by a sign-in belongs to the service that issued
 * it, so it is used only there: with no endpoint option the saved one applies, and an
 * endpoint on another origin is refused rather than sent that token.
 */
function endpointFor(requested: string | undefined, tokens: TokenProvider): string {
  const saved = tokens instanceof StoredTokenProvider ? tokens.token.endpoint : undefined;
  if (saved === undefined || saved === '') {
    return requested ?? DEFAULT_ENDPOINT;
  }
  if (requested === undefined) {
    return saved;
  }
  if (originOf(requested) !== originOf(saved)) {
    const profile = (tokens as StoredTokenProvider).profile;
    throw new SkydriveError(
      'NOT_SIGNED_IN',
      `profile ${profile} is signed in to ${originOf(saved)}, not ${originOf(requested)}; sign in for that endpoint with: skydrive auth login --endpoint ${requested}, or use another profile`,
    );
  }
  return requested;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
