import { VERSION_KIND, type VersionEntry } from '../drive/tracking.js';
import { quotaLimitReached } from '../errors.js';
import type { MetadataStore } from '../store/types.js';

export interface Quota {
  total: number;
  used: number;
  remaining: number;
  deleted: number;
  state: 'normal' | 'nearing' | 'critical' | 'exceeded';
}

/**
 * Computes the quota of a drive. `used` counts live files, the recycle bin and
 * earlier file versions, because OneDrive charges all three against storage
 * until they are purged. `deleted` is the recycle-bin share of `used`.
 */
export function quotaOf(store: MetadataStore, driveId: string, totalBytes: number): Quota {
  const live = store.sumFileBytes(driveId, false);
  const deleted = store.sumFileBytes(driveId, true);
  const used = live + deleted + versionBytes(store, driveId);
  const remaining = totalBytes - used;
  return {
    total: totalBytes,
    used,
    remaining,
    deleted,
    state: quotaState(totalBytes, used, remaining),
  };
}

function quotaState(total: number, used: number, remaining: number): Quota['state'] {
  if (used > total) {
    return 'exceeded';
  }
  if (remaining < total * 0.01) {
    return 'critical';
  }
  if (remaining < total * 0.1) {
    return 'nearing';
  }
  return 'normal';
}

/**
 * Throws 507 when a write of `addedBytes` (net of replaced bytes) would pass
 * the quota. While the quota is exceeded OneDrive adds no new files or
 * folders. The emulator still lets a file be replaced by one that is not larger.
 */
export function assertQuota(
  store: MetadataStore,
  driveId: string,
  totalBytes: number,
  addedBytes: number,
  write: 'create' | 'replace',
): void {
  const quota = quotaOf(store, driveId, totalBytes);
  if (quota.state === 'exceeded' && (write === 'create' || addedBytes > 0)) {
    throw quotaLimitReached(addedBytes, quota.remaining);
  }
  if (addedBytes > 0 && addedBytes > quota.remaining) {
    throw quotaLimitReached(addedBytes, quota.remaining);
  }
}

function versionBytes(store: MetadataStore, driveId: string): number {
  let total = 0;
  for (const record of store.listRecords(VERSION_KIND, `${driveId}:`)) {
    total += (record.value as VersionEntry).size;
  }
  return total;
}
