import path from 'node:path';
import Database from 'better-sqlite3';
import { EmulatorError } from '../errors.js';
import {
  type DriveRecord,
  type ItemRecord,
  type MetadataStore,
  nameKey,
  type TokenRecord,
  type UserRecord,
} from './types.js';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  password TEXT NOT NULL,
  cid TEXT NOT NULL UNIQUE,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS drives (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL UNIQUE,
  cid TEXT NOT NULL,
  root_id TEXT NOT NULL,
  next_item_number INTEGER NOT NULL,
  created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  drive_id TEXT NOT NULL,
  parent_id TEXT,
  name_key TEXT NOT NULL,
  is_folder INTEGER NOT NULL,
  size INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_parent ON items (drive_id, parent_id, deleted, name_key);
CREATE TABLE IF NOT EXISTS records (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS tokens (
  token_hash TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  username TEXT NOT NULL,
  scope TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

interface ItemRow {
  data: string;
}

/**
 * Metadata in SQLite (WAL journal) at `{location}/emulator.db`. Items keep
 * their full record as JSON next to the columns that queries filter on, so the
 * record type can grow without a migration for every field.
 */
export class SqliteStore implements MetadataStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(location: string) {
    const file = path.join(location, 'emulator.db');
    try {
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      // FULL keeps a committed upload durable even if the machine, not only the process, stops.
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.exec(SCHEMA);
    } catch (error) {
      throw new EmulatorError('EMULATOR_STORE_OPEN', `cannot open the database ${file}`, {
        cause: error,
      });
    }
    this.checkSchemaVersion(file);
    this.statements = this.prepare();
  }

  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) {
      return fn();
    }
    return this.db.transaction(fn)();
  }

  getUser(username: string): UserRecord | undefined {
    const row = this.statements.getUser.get(username) as UserRow | undefined;
    return row ? userFromRow(row) : undefined;
  }

  listUsers(): UserRecord[] {
    return (this.statements.listUsers.all() as UserRow[]).map(userFromRow);
  }

  putUser(user: UserRecord): void {
    this.statements.putUser.run(user.username, user.password, user.cid, user.createdDateTime);
  }

  getDrive(driveId: string): DriveRecord | undefined {
    const row = this.statements.getDrive.get(driveId) as DriveRow | undefined;
    return row ? driveFromRow(row) : undefined;
  }

  getDriveByOwner(username: string): DriveRecord | undefined {
    const row = this.statements.getDriveByOwner.get(username) as DriveRow | undefined;
    return row ? driveFromRow(row) : undefined;
  }

  insertDrive(drive: DriveRecord): void {
    this.statements.insertDrive.run(
      drive.id,
      drive.owner,
      drive.cid,
      drive.rootId,
      101,
      drive.createdDateTime,
    );
  }

  allocateItemNumber(driveId: string): number {
    return this.transaction(() => {
      const row = this.statements.getCounter.get(driveId) as { next_item_number: number };
      this.statements.advanceCounter.run(driveId);
      return row.next_item_number;
    });
  }

  getItem(driveId: string, itemId: string): ItemRecord | undefined {
    const row = this.statements.getItem.get(itemId, driveId) as ItemRow | undefined;
    return row ? (JSON.parse(row.data) as ItemRecord) : undefined;
  }

  findChild(driveId: string, parentId: string, name: string): ItemRecord | undefined {
    const row = this.statements.findChild.get(driveId, parentId, nameKey(name)) as
      | ItemRow
      | undefined;
    return row ? (JSON.parse(row.data) as ItemRecord) : undefined;
  }

  listChildren(driveId: string, parentId: string): ItemRecord[] {
    const rows = this.statements.listChildren.all(driveId, parentId) as ItemRow[];
    return rows.map((row) => JSON.parse(row.data) as ItemRecord);
  }

  countChildren(driveId: string, parentId: string): number {
    const row = this.statements.countChildren.get(driveId, parentId) as { n: number };
    return row.n;
  }

  insertItem(item: ItemRecord): void {
    this.statements.insertItem.run(...itemColumns(item));
  }

  updateItem(item: ItemRecord): void {
    const [id, ...rest] = itemColumns(item);
    this.statements.updateItem.run(...rest, id);
  }

  listItems(driveId: string): ItemRecord[] {
    const rows = this.statements.listItems.all(driveId) as ItemRow[];
    return rows.map((row) => JSON.parse(row.data) as ItemRecord);
  }

  deleteItem(driveId: string, itemId: string): void {
    this.statements.deleteItem.run(itemId, driveId);
  }

  putRecord(kind: string, key: string, value: unknown): void {
    this.statements.putRecord.run(kind, key, JSON.stringify(value));
  }

  getRecord(kind: string, key: string): unknown {
    const row = this.statements.getRecord.get(kind, key) as ItemRow | undefined;
    return row ? JSON.parse(row.data) : undefined;
  }

  listRecords(kind: string, keyPrefix: string): Array<{ key: string; value: unknown }> {
    // A range scan instead of LIKE, so `%` and `_` in keys need no escaping.
    const rows = this.statements.listRecords.all(kind, keyPrefix, `${keyPrefix}\uffff`) as Array<{
      key: string;
      data: string;
    }>;
    return rows.map((row) => ({ key: row.key, value: JSON.parse(row.data) }));
  }

  deleteRecord(kind: string, key: string): void {
    this.statements.deleteRecord.run(kind, key);
  }

  sumFileBytes(driveId: string, deleted: boolean): number {
    const row = this.statements.sumFileBytes.get(driveId, deleted ? 1 : 0) as { total: number };
    return row.total;
  }

  putToken(token: TokenRecord): void {
    this.statements.putToken.run(
      token.tokenHash,
      token.kind,
      token.username,
      token.scope,
      token.expiresAt,
    );
  }

  getToken(tokenHash: string): TokenRecord | undefined {
    const row = this.statements.getToken.get(tokenHash) as TokenRow | undefined;
    if (!row) {
      return undefined;
    }
    return {
      tokenHash: row.token_hash,
      kind: row.kind === 'refresh' ? 'refresh' : 'access',
      username: row.username,
      scope: row.scope,
      expiresAt: row.expires_at,
    };
  }

  deleteExpiredTokens(nowMs: number): void {
    this.statements.deleteExpiredTokens.run(nowMs);
  }

  deleteUserTokens(username: string, kind: TokenRecord['kind']): number {
    return this.statements.deleteUserTokens.run(username, kind).changes;
  }

  close(): void {
    if (this.db.open) {
      this.db.close();
    }
  }

  private checkSchemaVersion(file: string): void {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get('schemaVersion') as
      | { value: string }
      | undefined;
    if (!row) {
      this.db
        .prepare('INSERT INTO meta (key, value) VALUES (?, ?)')
        .run('schemaVersion', String(SCHEMA_VERSION));
      return;
    }
    if (Number(row.value) !== SCHEMA_VERSION) {
      this.db.close();
      throw new EmulatorError(
        'EMULATOR_STORE_VERSION',
        `the database ${file} has schema version ${row.value}, but this emulator reads version ${SCHEMA_VERSION}; use a new --location`,
      );
    }
  }

  private prepare() {
    const db = this.db;
    return {
      getUser: db.prepare('SELECT * FROM users WHERE username = ?'),
      listUsers: db.prepare('SELECT * FROM users ORDER BY created, username'),
      putUser: db.prepare(
        `INSERT INTO users (username, password, cid, created) VALUES (?, ?, ?, ?)
         ON CONFLICT (username) DO UPDATE SET password = excluded.password`,
      ),
      getDrive: db.prepare('SELECT * FROM drives WHERE id = ?'),
      getDriveByOwner: db.prepare('SELECT * FROM drives WHERE owner = ?'),
      insertDrive: db.prepare(
        'INSERT INTO drives (id, owner, cid, root_id, next_item_number, created) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      getCounter: db.prepare('SELECT next_item_number FROM drives WHERE id = ?'),
      advanceCounter: db.prepare(
        'UPDATE drives SET next_item_number = next_item_number + 1 WHERE id = ?',
      ),
      getItem: db.prepare('SELECT data FROM items WHERE id = ? AND drive_id = ?'),
      findChild: db.prepare(
        'SELECT data FROM items WHERE drive_id = ? AND parent_id = ? AND deleted = 0 AND name_key = ?',
      ),
      listChildren: db.prepare(
        'SELECT data FROM items WHERE drive_id = ? AND parent_id = ? AND deleted = 0',
      ),
      countChildren: db.prepare(
        'SELECT count(*) AS n FROM items WHERE drive_id = ? AND parent_id = ? AND deleted = 0',
      ),
      insertItem: db.prepare(
        `INSERT INTO items (id, drive_id, parent_id, name_key, is_folder, size, deleted, data)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateItem: db.prepare(
        `UPDATE items SET drive_id = ?, parent_id = ?, name_key = ?, is_folder = ?, size = ?,
         deleted = ?, data = ? WHERE id = ?`,
      ),
      sumFileBytes: db.prepare(
        'SELECT coalesce(sum(size), 0) AS total FROM items WHERE drive_id = ? AND is_folder = 0 AND deleted = ?',
      ),
      listItems: db.prepare('SELECT data FROM items WHERE drive_id = ?'),
      deleteItem: db.prepare('DELETE FROM items WHERE id = ? AND drive_id = ?'),
      putRecord: db.prepare('INSERT OR REPLACE INTO records (kind, key, data) VALUES (?, ?, ?)'),
      getRecord: db.prepare('SELECT data FROM records WHERE kind = ? AND key = ?'),
      listRecords: db.prepare(
        'SELECT key, data FROM records WHERE kind = ? AND key >= ? AND key < ? ORDER BY key',
      ),
      deleteRecord: db.prepare('DELETE FROM records WHERE kind = ? AND key = ?'),
      putToken: db.prepare(
        'INSERT OR REPLACE INTO tokens (token_hash, kind, username, scope, expires_at) VALUES (?, ?, ?, ?, ?)',
      ),
      getToken: db.prepare('SELECT * FROM tokens WHERE token_hash = ?'),
      deleteExpiredTokens: db.prepare('DELETE FROM tokens WHERE expires_at <= ?'),
      deleteUserTokens: db.prepare('DELETE FROM tokens WHERE username = ? AND kind = ?'),
    };
  }
}

interface UserRow {
  username: string;
  password: string;
  cid: string;
  created: string;
}

interface DriveRow {
  id: string;
  owner: string;
  cid: string;
  root_id: string;
  created: string;
}

interface TokenRow {
  token_hash: string;
  kind: string;
  username: string;
  scope: string;
  expires_at: number;
}

function userFromRow(row: UserRow): UserRecord {
  return {
    username: row.username,
    password: row.password,
    cid: row.cid,
    createdDateTime: row.created,
  };
}

function driveFromRow(row: DriveRow): DriveRecord {
  return {
    id: row.id,
    owner: row.owner,
    cid: row.cid,
    rootId: row.root_id,
    createdDateTime: row.created,
  };
}

function itemColumns(
  item: ItemRecord,
): [string, string, string | null, string, number, number, number, string] {
  return [
    item.id,
    item.driveId,
    item.parentId,
    nameKey(item.name),
    item.isFolder ? 1 : 0,
    item.size,
    item.deletedDateTime === null ? 0 : 1,
    JSON.stringify(item),
  ];
}
