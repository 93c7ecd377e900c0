import type { Dispatcher } from 'undici';
import type { TokenProvider } from '../auth/token-provider.js';
import type { SkydriveError } from '../errors.js';
import type { RetryPolicy } from '../graph/retry.js';
import type { DriveItem } from '../graph/wire.js';

export type {
  DriveItem,
  DriveResource,
  Quota,
  User,
} from '../graph/wire.js';

/** Addressing mode for string arguments: 'auto' applies the item-id rule, the others force one reading. */
export type Addressing = 'auto' | 'path' | 'id';

/**
 * An item: a drive path ('/a/b', 'a/b', '/' or '' for the root), an id
 * ('id:XYZ', or a string shaped like an item id when addressing is 'auto'),
 * `{ id }` or `{ path }`.
 */
export type ItemRef = string | { id: string } | { path: string };

export type ConflictBehavior = 'fail' | 'replace' | 'rename';

export interface DriveOptions {
  /** Graph base URL with its version. @default 'https://graph.microsoft.com/v1.0' */
  endpoint?: string;
  /**
   * Access token, a function returning one per request, or a TokenProvider
   * that can also refresh it. Else env SKYDRIVE_TOKEN, else the profile's
   * saved token, refreshed through the identity platform it came from.
   */
  accessToken?: string | (() => Promise<string>) | TokenProvider;
  /** Profile whose saved token is used. @default 'default' */
  profile?: string;
  /** @default 'auto' */
  addressing?: Addressing;
  /** undici dispatcher to send requests through; the drive then does not own or close it. */
  dispatcher?: Dispatcher;
  retry?: Partial<RetryPolicy>;
  timeouts?: {
    /** TCP/TLS connect. @default 30_000 */
    connectMs?: number;
    /** From request sent to response headers. @default 60_000 */
    headersMs?: number;
    /** Maximum gap between two body chunks, in ms. @default 120_000 */
    bodyMs?: number;
  };
  /** Called once per HTTP attempt, for diagnostics such as a --debug flag. */
  onRequest?: (event: RequestEvent) => void;
}

export interface RequestEvent {
  method: string;
  /** Credentials and pre-authenticated query strings redacted. */
  url: string;
  status?: number;
  requestId?: string;
  /** 1 for the first attempt. */
  attempt: number;
  durationMs: number;
  /** Set when the attempt failed before a response arrived. */
  error?: string;
  /** Set when another attempt follows after this wait. */
  retryInMs?: number;
}

/** A listed item with its absolute drive path, e.g. '/docs/a.txt'. */
export type ListEntry = DriveItem & { path: string };

export interface ListOptions {
  /** Page size; at most 1000. */
  top?: number;
  /** Graph $orderby, e.g. 'name desc'. */
  orderBy?: string;
  /** Also list every subfolder, depth first, paging each level. @default false */
  recursive?: boolean;
  /** Stop after this many entries. */
  limit?: number;
}

export interface UploadOptions {
  /** Remote file name; default: the local file's name. */
  name?: string;
  /** @default 'replace' */
  conflict?: ConflictBehavior;
  /** Called with the bytes of the file stored on the server so far, counting a resumed start. */
  onProgress?: (bytesSent: number) => void;
  signal?: AbortSignal;
  /** Bytes per upload-session fragment: a multiple of 320 KiB, below 60 MiB. @default 10 MiB */
  fragmentSize?: number;
  /** Folder for resume records of upload sessions, or false to keep none. @default `$XDG_STATE_HOME/skydrive` */
  stateDir?: string | false;
  /** Called once the upload is complete and verified. */
  onComplete?: (report: TransferReport) => void;
}

/** Outcome of a finished transfer: bytes moved, resume offset and how it was verified. */
export interface TransferReport {
  /** Bytes sent or received in this run; bytes from an earlier run are not counted. */
  bytesTransferred: number;
  /** Offset the transfer continued from, or null when it started at byte 0. */
  resumedFrom: number | null;
  /** QuickXorHash of the whole local content, base64. */
  quickXorHash: string;
  /** 'size' when the item carried no usable quickXorHash. */
  verifiedBy: 'quickXorHash' | 'size' | 'none';
}

export interface DownloadOptions {
  /** Byte range; `end` is inclusive and defaults to the end of the file. */
  range?: { start: number; end?: number };
  /** Called with the total bytes received so far. */
  onProgress?: (bytesReceived: number) => void;
  signal?: AbortSignal;
  /** Continue a `<file>.partial` left by an earlier run when its record matches. Files only. @default true */
  resume?: boolean;
  /** Folder for resume records of downloads, or false to keep none. @default `$XDG_STATE_HOME/skydrive` */
  stateDir?: string | false;
}

export interface DownloadResult {
  item: DriveItem;
  bytes: number;
  /** True when the content hash (or, without a hash, the size) matched. Always false for ranges. */
  verified: boolean;
  /** Bytes received in this run. */
  bytesTransferred?: number;
  /** Offset the download continued from, or null when it started at byte 0 (or at the range start). */
  resumedFrom?: number | null;
  /** QuickXorHash of the received content, base64; undefined for ranges. */
  quickXorHash?: string;
  /** 'size' when the item carried no usable quickXorHash; undefined for ranges. */
  verifiedBy?: 'quickXorHash' | 'size' | 'none';
}

export interface CopyOptions {
  /** Name of the copy; default: the source's name. */
  name?: string;
  /** How long to wait for the copy to finish. @default 300_000 */
  timeoutMs?: number;
  /** Wait between monitor polls. @default 1_000 */
  pollIntervalMs?: number;
}

export interface MoveTarget {
  /** New parent folder; default: unchanged. */
  parent?: ItemRef;
  /** New name; default: unchanged. */
  name?: string;
}

export interface RemoveOptions {
  /** Only delete when the item's eTag still equals this value. Ignored with `permanent`. */
  ifMatch?: string;
  /** Skip the recycle bin: the item and everything below it are gone for good. @default false */
  permanent?: boolean;
}

export interface MkdirOptions {
  /** Create missing parents; existing folders on the way are fine. @default false */
  parents?: boolean;
}

export interface FileTransferResult {
  localPath: string;
  remotePath: string;
  size: number;
  ok: boolean;
  error?: SkydriveError;
  verified?: boolean;
  /** Bytes sent or received in this run. */
  bytesTransferred?: number;
  resumedFrom?: number | null;
  /** QuickXorHash of the local content, base64; null when unknown. */
  quickXorHash?: string | null;
}

export interface FolderTransferOptions {
  /** For uploads. @default 'replace' */
  conflict?: ConflictBehavior;
  /** Files in flight at once. @default 4 */
  concurrency?: number;
  /** Called after each file, successful or not. */
  onFile?: (result: FileTransferResult) => void;
  /**
   * Called for a OneNote notebook (`package` item) that a folder download
   * skips with everything in it: it has no content of its own to download.
   */
  onSkip?: (remotePath: string, reason: string) => void;
  signal?: AbortSignal;
  /** Called as a file's bytes move: its remote path, bytes done and size. */
  onFileProgress?: (remotePath: string, done: number, size: number) => void;
  /** For uploads; see UploadOptions. @default 10 MiB */
  fragmentSize?: number;
  /** See UploadOptions and DownloadOptions. @default `$XDG_STATE_HOME/skydrive` */
  stateDir?: string | false;
}

export interface FolderTransferResult {
  files: FileTransferResult[];
  folders: number;
  bytes: number;
  failed: number;
}
