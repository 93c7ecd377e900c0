import { debuglog } from 'node:util';
import type { QuickXorHash } from '@skydrive/quickxorhash';
import type { DriveItem } from '../graph/wire.js';

const log = debuglog('skydrive');

/** Decode a quickXorHash from Graph to its 20 bytes: base64, or 40 hex characters from one old service bug. */
export function decodeQuickXorHash(value: string): Buffer | undefined {
  const trimmed = value.trim();
  if (/^[0-9A-Fa-f]{40}$/.test(trimmed)) {
    return Buffer.from(trimmed, 'hex');
  }
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 20 ? bytes : undefined;
}

export type Verification =
  | { ok: true; method: 'quickXorHash' | 'size' | 'none' }
  | { ok: false; reason: string };

/**
 * Compare local content with the item's metadata. Every hash field is optional on
 * Graph, so without a usable quickXorHash the size is compared instead. With neither,
 * the method is 'none' and nothing was checked.
 */
export function verifyContent(
  item: DriveItem,
  local: { hash: QuickXorHash; size: number },
  subject: string,
): Verification {
  const remote = item.file?.hashes?.quickXorHash;
  const remoteBytes = remote === undefined ? undefined : decodeQuickXorHash(remote);
  if (remoteBytes !== undefined) {
    const localBytes = local.hash.digestBytes();
    if (localBytes.equals(remoteBytes)) {
      return { ok: true, method: 'quickXorHash' };
    }
    return {
      ok: false,
      reason: `quickXorHash differs (local ${localBytes.toString('base64')}, remote ${remote})`,
    };
  }
  log('%s: no usable quickXorHash in the metadata; comparing sizes only', subject);
  if (item.size === undefined) {
    log('%s: the metadata has no size either; the content could not be checked', subject);
    return { ok: true, method: 'none' };
  }
  if (item.size === local.size) {
    return { ok: true, method: 'size' };
  }
  return {
    ok: false,
    reason: `size differs (local ${local.size} bytes, remote ${item.size} bytes)`,
  };
}
