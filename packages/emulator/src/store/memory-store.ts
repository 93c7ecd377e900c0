import { compareCodeUnits } from '../ids.js';
import {
  type DriveRecord,
  type ItemRecord,
  type MetadataStore,
  nameKey,
  type TokenRecord,
  type UserRecord,
} from './types.js';

/**
 * Metadata kept in Maps for the lifetime of the process. Records are copied
 * on the way in and out so callers cannot mutate stored state by accident,
 * and a failed transaction is rolled back from an undo log, so the store
 * behaves like the SQLite one.
 */
export class MemoryStore implements MetadataStore {
  private readonly users = new Map<string, UserRecord>();
  private readonly drives = new Map<string, DriveRecord>();
  private readonly counters = new Map<string, number>();
  private readonly items = new Map<string, ItemRecord>();
  /** parent id → ids of its children, live and recycled. */
  private readonly children = new Map<string, Set<string>>();
  private readonly tokens = new Map<string, TokenRecord>();
  /** `{kind}\u0000{key}` → JSON text, so stored records cannot be mutated by callers. */
  private readonly records = new Map<string, string>();
  /** Steps that undo the writes of the open transaction, newest last. */
  private undoLog: Array<() => void> | undefined;

  transaction<T>(fn: () => T): T {
    if (this.undoLog) {
      return fn();
    }
    const undoLog: Array<() => void> = [];
    this.undoLog = undoLog;
    try {
      return fn();
    } catch (error) {
      for (const step of undoLog.reverse()) {
        step();
      }
      throw error;
    } finally {
      this.undoLog = undefined;
    }
  }

  getUser(username: string): UserRecord | undefined {
    const user = this.users.get(username);
    return user ? { ...user } : undefined;
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()].map((user) => ({ ...user }));
  }

  /** Inserts a user, or updates only the password of an existing one (its CID never changes). */
  putUser(user: UserRecord): void {
    const existing = this.users.get(user.username);
    this.remember(() =>
      existing ? this.users.set(user.username, existing) : this.users.delete(user.username),
    );
    this.users.set(
      user.username,
      existing ? { ...existing, password: user.password } : { ...user },
    );
  }

  getDrive(driveId: string): DriveRecord | undefined {
    const drive = this.drives.get(driveId);
    return drive ? { ...drive } : undefined;
  }

  getDriveByOwner(username: string): DriveRecord | undefined {
    for (const drive of this.drives.values()) {
      if (drive.owner === username) {
        return { ...drive };
      }
    }
    return undefined;
  }

  insertDrive(drive: DriveRecord): void {
    this.remember(() => {
      this.drives.delete(drive.id);
      this.counters.delete(drive.id);
    });
    this.drives.set(drive.id, { ...drive });
    this.counters.set(drive.id, 101);
  }

  allocateItemNumber(driveId: string): number {
    const next = this.counters.get(driveId) ?? 101;
    this.remember(() => this.counters.set(driveId, next));
    this.counters.set(driveId, next + 1);
    return next;
  }

  getItem(driveId: string, itemId: string): ItemRecord | undefined {
    const item = this.items.get(itemId);
    return item && item.driveId === driveId ? { ...item } : undefined;
  }

  findChild(driveId: string, parentId: string, name: string): ItemRecord | undefined {
    const key = nameKey(name);
    for (const child of this.liveChildren(driveId, parentId)) {
      if (nameKey(child.name) === key) {
        return { ...child };
      }
    }
    return undefined;
  }

  listChildren(driveId: string, parentId: string): ItemRecord[] {
    return this.liveChildren(driveId, parentId).map((child) => ({ ...child }));
  }

  countChildren(driveId: string, parentId: string): number {
    return this.liveChildren(driveId, parentId).length;
  }

  insertItem(item: ItemRecord): void {
    this.writeItem(item);
  }

  updateItem(item: ItemRecord): void {
    this.writeItem(item);
  }

  listItems(driveId: string): ItemRecord[] {
    return [...this.items.values()]
      .filter((item) => item.driveId === driveId)
      .map((item) => ({ ...item }));
  }

  deleteItem(driveId: string, itemId: string): void {
    const previous = this.items.get(itemId);
    if (!previous || previous.driveId !== driveId) {
      return;
    }
    this.remember(() => {
      this.items.set(itemId, previous);
      this.link(previous);
    });
    this.unlink(previous);
    this.items.delete(itemId);
  }

  putRecord(kind: string, key: string, value: unknown): void {
    this.writeRecord(`${kind}\u0000${key}`, JSON.stringify(value));
  }

  getRecord(kind: string, key: string): unknown {
    const text = this.records.get(`${kind}\u0000${key}`);
    return text === undefined ? undefined : JSON.parse(text);
  }

  listRecords(kind: string, keyPrefix: string): Array<{ key: string; value: unknown }> {
    const start = `${kind}\u0000${keyPrefix}`;
    const found: Array<{ key: string; value: unknown }> = [];
    for (const [fullKey, text] of this.records) {
      if (fullKey.startsWith(start)) {
        found.push({ key: fullKey.slice(kind.length + 1), value: JSON.parse(text) });
      }
    }
    return found.sort((a, b) => compareCodeUnits(a.key, b.key));
  }

  deleteRecord(kind: string, key: string): void {
    this.writeRecord(`${kind}\u0000${key}`, undefined);
  }

  sumFileBytes(driveId: string, deleted: boolean): number {
    let total = 0;
    for (const item of this.items.values()) {
      if (
        item.driveId === driveId &&
        !item.isFolder &&
        (item.deletedDateTime !== null) === deleted
      ) {
        total += item.size;
      }
    }
    return total;
  }

  putToken(token: TokenRecord): void {
    const previous = this.tokens.get(token.tokenHash);
    this.remember(() =>
      previous ? this.tokens.set(token.tokenHash, previous) : this.tokens.delete(token.tokenHash),
    );
    this.tokens.set(token.tokenHash, { ...token });
  }

  deleteUserTokens(username: string, kind: TokenRecord['kind']): number {
    let deleted = 0;
    for (const [hash, token] of this.tokens) {
      if (token.username === username && token.kind === kind) {
        this.remember(() => this.tokens.set(hash, token));
        this.tokens.delete(hash);
        deleted += 1;
      }
    }
    return deleted;
  }

  getToken(tokenHash: string): TokenRecord | undefined {
    const token = this.tokens.get(tokenHash);
    return token ? { ...token } : undefined;
  }

  deleteExpiredTokens(nowMs: number): void {
    for (const [hash, token] of this.tokens) {
      if (token.expiresAt <= nowMs) {
        this.remember(() => this.tokens.set(hash, token));
        this.tokens.delete(hash);
      }
    }
  }

  close(): void {
    this.items.clear();
    this.children.clear();
    this.tokens.clear();
    this.records.clear();
  }

  /** Stores an item and keeps the parent → children index in step with it. */
  private writeItem(item: ItemRecord): void {
    const previous = this.items.get(item.id);
    this.remember(() => {
      this.unlink(item);
      if (previous) {
        this.items.set(item.id, previous);
        this.link(previous);
      } else {
        this.items.delete(item.id);
      }
    });
    if (previous) {
      this.unlink(previous);
    }
    this.items.set(item.id, { ...item });
    this.link(item);
  }

  private writeRecord(fullKey: string, text: string | undefined): void {
    const previous = this.records.get(fullKey);
    this.remember(() =>
      previous === undefined ? this.records.delete(fullKey) : this.records.set(fullKey, previous),
    );
    if (text === undefined) {
      this.records.delete(fullKey);
    } else {
      this.records.set(fullKey, text);
    }
  }

  private remember(undo: () => void): void {
    this.undoLog?.push(undo);
  }

  private unlink(item: ItemRecord): void {
    if (item.parentId !== null) {
      this.children.get(item.parentId)?.delete(item.id);
    }
  }

  private link(item: ItemRecord): void {
    if (item.parentId === null) {
      return;
    }
    let siblings = this.children.get(item.parentId);
    if (!siblings) {
      siblings = new Set();
      this.children.set(item.parentId, siblings);
    }
    siblings.add(item.id);
  }

  private liveChildren(driveId: string, parentId: string): ItemRecord[] {
    const ids = this.children.get(parentId);
    if (!ids) {
      return [];
    }
    const result: ItemRecord[] = [];
    for (const id of ids) {
      const child = this.items.get(id);
      if (child && child.driveId === driveId && child.deletedDateTime === null) {
        result.push(child);
      }
    }
    return result;
  }
}
