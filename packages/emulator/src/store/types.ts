/**
 * Metadata storage contract. The SQLite store (persistent, `--location`) and
 * the in-memory store implement it identically; everything above this layer
 * is shared. All calls are synchronous because better-sqlite3 is.
 */

export interface UserRecord {
  username: string;
  password: string;
  /** 16 uppercase hex characters; the personal account id. */
  cid: string;
  createdDateTime: string;
}

export interface DriveRecord {
  /** The CID in lowercase, as personal OneDrive shows drive ids. */
  id: string;
  owner: string;
  cid: string;
  rootId: string;
  createdDateTime: string;
}

export interface ItemRecord {
  /** `{CID}!{n}`; never contains `#`. */
  id: string;
  driveId: string;
  /** Null only for the drive root. */
  parentId: string | null;
  name: string;
  isFolder: boolean;
  /** File length in bytes; 0 for folders (their size is computed on read). */
  size: number;
  /** Content address of the file bytes in the blob store; null for folders. */
  blobKey: string | null;
  mimeType: string | null;
  quickXorHash: string | null;
  sha1Hash: string | null;
  sha256Hash: string | null;
  createdDateTime: string;
  lastModifiedDateTime: string;
  /** Client-supplied times (`fileSystemInfo`). */
  fsCreatedDateTime: string;
  fsModifiedDateTime: string;
  description: string | null;
  /** GUID shared by the eTag and cTag of this item. */
  tagGuid: string;
  eTagVersion: number;
  cTagVersion: number;
  createdBy: string;
  lastModifiedBy: string;
  /** Set when the item sits in the recycle bin. */
  deletedDateTime: string | null;
}

export interface TokenRecord {
  /** SHA-256 of the token, hex; the token itself is never stored. */
  tokenHash: string;
  kind: 'access' | 'refresh';
  username: string;
  scope: string;
  /** Expiry in milliseconds since the epoch. */
  expiresAt: number;
}

export interface MetadataStore {
  /** Runs `fn` atomically; nested calls join the outer transaction. */
  transaction<T>(fn: () => T): T;

  getUser(username: string): UserRecord | undefined;
  listUsers(): UserRecord[];
  /** Inserts a user, or updates only the password of an existing one. */
  putUser(user: UserRecord): void;

  getDrive(driveId: string): DriveRecord | undefined;
  getDriveByOwner(username: string): DriveRecord | undefined;
  insertDrive(drive: DriveRecord): void;
  /** Returns the next item number of the drive and advances the counter. */
  allocateItemNumber(driveId: string): number;

  getItem(driveId: string, itemId: string): ItemRecord | undefined;
  /** Finds a live (not recycled) child by name, ignoring case. */
  findChild(driveId: string, parentId: string, name: string): ItemRecord | undefined;
  listChildren(driveId: string, parentId: string): ItemRecord[];
  countChildren(driveId: string, parentId: string): number;
  insertItem(item: ItemRecord): void;
  updateItem(item: ItemRecord): void;
  /** Sums file sizes of live (`deleted` false) or recycled (`deleted` true) files. */
  sumFileBytes(driveId: string, deleted: boolean): number;

  /** Every item of the drive, live and recycled, in no particular order. */
  listItems(driveId: string): ItemRecord[];
  /** Removes an item record for good (a purge from the recycle bin). */
  deleteItem(driveId: string, itemId: string): void;
  /** Side records of the drive features (change log, versions, permissions…): JSON by kind and key. */
  putRecord(kind: string, key: string, value: unknown): void;
  getRecord(kind: string, key: string): unknown;
  /** Records of a kind whose key starts with `keyPrefix`, ordered by key. */
  listRecords(kind: string, keyPrefix: string): Array<{ key: string; value: unknown }>;
  deleteRecord(kind: string, key: string): void;

  putToken(token: TokenRecord): void;
  getToken(tokenHash: string): TokenRecord | undefined;
  deleteExpiredTokens(nowMs: number): void;
  /** Deletes every token of one kind held by a user (revocation); returns how many. */
  deleteUserTokens(username: string, kind: TokenRecord['kind']): number;

  close(): void;
}

/** Key used for case-insensitive name matching within a folder. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}
