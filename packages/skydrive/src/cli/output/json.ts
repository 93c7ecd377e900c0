import type { DriveItem, Quota, User } from '../../index.js';
import { itemPath, itemType } from './format.js';

/**
 * The stable JSON shape of an item for `--json`. Keys always appear in this
 * order; a value the service did not return is null, so scripts can rely on
 * every key being present.
 */
export interface ItemJson {
  id: string;
  name: string | null;
  path: string | null;
  type: string;
  size: number | null;
  created: string | null;
  modified: string | null;
  eTag: string | null;
  mimeType: string | null;
  quickXorHash: string | null;
  sha1Hash: string | null;
  childCount: number | null;
  parentId: string | null;
  webUrl: string | null;
}

/** Project a driveItem onto the stable JSON shape; `path` overrides the derived path. */
export function itemJson(item: DriveItem, path?: string): ItemJson {
  return {
    id: item.id,
    name: item.name ?? null,
    path: path ?? itemPath(item) ?? null,
    type: itemType(item),
    size: item.size ?? null,
    created: item.createdDateTime ?? null,
    modified: item.lastModifiedDateTime ?? null,
    eTag: item.eTag ?? null,
    mimeType: item.file?.mimeType ?? null,
    quickXorHash: item.file?.hashes?.quickXorHash ?? null,
    sha1Hash: item.file?.hashes?.sha1Hash ?? null,
    childCount: item.folder?.childCount ?? null,
    parentId: item.parentReference?.id ?? null,
    webUrl: item.webUrl ?? null,
  };
}

export function quotaJson(quota: Quota): Record<string, number | string | null> {
  return {
    total: quota.total ?? null,
    used: quota.used ?? null,
    remaining: quota.remaining ?? null,
    deleted: quota.deleted ?? null,
    state: quota.state ?? null,
    fileCount: quota.fileCount ?? null,
  };
}

export function userJson(user: User): Record<string, string | null> {
  return {
    id: user.id,
    displayName: user.displayName ?? null,
    userPrincipalName: user.userPrincipalName ?? null,
    mail: user.mail ?? null,
  };
}

/** One line per file of `put --json` / `get --json`. */
export interface TransferJson {
  path: string;
  localPath: string;
  size: number;
  bytesSent?: number;
  bytesReceived?: number;
  /** Byte offset a resumed transfer continued from; null when it started at byte 0. */
  resumedFrom: number | null;
  quickXorHash: string | null;
  verified: boolean;
  error?: { code: string; message: string };
}
