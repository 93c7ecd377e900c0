import type { MetadataStore } from '../store/types.js';

/**
 * Typed access to the side records of the drive features. Each feature owns
 * one kind; keys start with the drive id so that one drive's records can be
 * listed with a prefix scan.
 */
export function readRecord<T>(store: MetadataStore, kind: string, key: string): T | undefined {
  return store.getRecord(kind, key) as T | undefined;
}

export function listRecordValues<T>(store: MetadataStore, kind: string, prefix: string): T[] {
  return store.listRecords(kind, prefix).map((record) => record.value as T);
}

/** Zero-padded decimal, so that keys sort in numeric order. */
export function sortableNumber(value: number): string {
  return value.toString().padStart(12, '0');
}
