import { newSecret } from './ids.js';

/** Grant behind a pre-authenticated download URL: one version of one file. */
export interface DownloadGrant {
  driveId: string;
  itemId: string;
  blobKey: string;
  name: string;
  size: number;
  mimeType: string;
  eTag: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** State of an asynchronous copy, as its monitor URL reports it. */
export interface CopyJob {
  status: 'inProgress' | 'completed' | 'failed';
  /** Number of monitor requests served so far. */
  polls: number;
  resourceId: string | undefined;
  errorCode: string | undefined;
  expiresAt: number;
}

/** Copy monitors stay readable this long after the copy starts. */
const MONITOR_LIFETIME_MS = 60 * 60 * 1000;
/** Expired entries are swept when the table grows past this many entries. */
const SWEEP_THRESHOLD = 5000;

/**
 * Tokens behind the URLs served by the content listener. Each URL carries a
 * 256-bit random token and needs no Authorization header. Entries live in
 * memory only, so they do not survive a restart (download URLs are
 * short-lived anyway).
 */
export class PreauthRegistry {
  private readonly downloads = new Map<string, DownloadGrant>();
  /** `{itemId} {eTag}` → token of a live grant, so repeated listings reuse URLs. */
  private readonly downloadsByVersion = new Map<string, string>();
  private readonly copies = new Map<string, CopyJob>();

  constructor(
    private readonly origin: () => string,
    private readonly downloadLifetimeMs: number,
  ) {}

  /** Registers a download and returns its absolute URL. */
  createDownloadUrl(grant: Omit<DownloadGrant, 'expiresAt'>, nowMs = Date.now()): string {
    this.sweep(nowMs);
    const versionKey = `${grant.itemId} ${grant.eTag}`;
    const reusable = this.downloadsByVersion.get(versionKey);
    const reused = reusable === undefined ? undefined : this.downloads.get(reusable);
    // Reuse a URL only while it has more than half of its lifetime left.
    if (
      reusable !== undefined &&
      reused &&
      reused.expiresAt - nowMs > this.downloadLifetimeMs / 2
    ) {
      return `${this.origin()}/download/${reusable}`;
    }
    const token = newSecret();
    this.downloads.set(token, { ...grant, expiresAt: nowMs + this.downloadLifetimeMs });
    this.downloadsByVersion.set(versionKey, token);
    // Two path segments, because the Graph JS SDK reads the first one as an API version.
    return `${this.origin()}/download/${token}`;
  }

  findDownload(token: string, nowMs = Date.now()): DownloadGrant | undefined {
    const grant = this.downloads.get(token);
    if (!grant || grant.expiresAt <= nowMs) {
      return undefined;
    }
    return grant;
  }

  /** Registers a copy job and returns its monitor URL. */
  createCopyMonitor(job: Omit<CopyJob, 'expiresAt' | 'polls'>, nowMs = Date.now()): string {
    this.sweep(nowMs);
    const token = newSecret();
    this.copies.set(token, { ...job, polls: 0, expiresAt: nowMs + MONITOR_LIFETIME_MS });
    return `${this.origin()}/monitor/${token}`;
  }

  findCopy(token: string, nowMs = Date.now()): CopyJob | undefined {
    const job = this.copies.get(token);
    if (!job || job.expiresAt <= nowMs) {
      return undefined;
    }
    return job;
  }

  private sweep(nowMs: number): void {
    if (this.downloads.size + this.copies.size < SWEEP_THRESHOLD) {
      return;
    }
    for (const [token, grant] of this.downloads) {
      if (grant.expiresAt <= nowMs) {
        this.downloads.delete(token);
      }
    }
    for (const [versionKey, token] of this.downloadsByVersion) {
      if (!this.downloads.has(token)) {
        this.downloadsByVersion.delete(versionKey);
      }
    }
    for (const [token, job] of this.copies) {
      if (job.expiresAt <= nowMs) {
        this.copies.delete(token);
      }
    }
  }
}
