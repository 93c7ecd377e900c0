import { newCid, newGuid } from '../ids.js';
import type { DriveRecord, MetadataStore, UserRecord } from '../store/types.js';
import { timestamp } from './tree.js';

/**
 * Makes sure every configured user exists with a personal drive and a root
 * folder. Existing users keep their CID, drive and items; their password is
 * updated to the configured one.
 */
export function provisionUsers(
  store: MetadataStore,
  users: ReadonlyArray<{ username: string; password: string }>,
): void {
  store.transaction(() => {
    for (const { username, password } of users) {
      const existing = store.getUser(username);
      if (existing) {
        store.putUser({ ...existing, password });
        continue;
      }
      const user: UserRecord = {
        username,
        password,
        cid: uniqueCid(store),
        createdDateTime: timestamp(),
      };
      store.putUser(user);
      createDrive(store, user);
    }
  });
}

function uniqueCid(store: MetadataStore): string {
  for (;;) {
    const cid = newCid();
    if (!store.getDrive(cid.toLowerCase())) {
      return cid;
    }
  }
}

function createDrive(store: MetadataStore, user: UserRecord): DriveRecord {
  const driveId = user.cid.toLowerCase();
  const now = user.createdDateTime;
  // Item numbers of a new drive start at 101, and the root takes the first one.
  const drive: DriveRecord = {
    id: driveId,
    owner: user.username,
    cid: user.cid,
    rootId: `${user.cid}!101`,
    createdDateTime: now,
  };
  store.insertDrive(drive);
  store.allocateItemNumber(driveId);
  store.insertItem({
    id: drive.rootId,
    driveId,
    parentId: null,
    name: 'root',
    isFolder: true,
    size: 0,
    blobKey: null,
    mimeType: null,
    quickXorHash: null,
    sha1Hash: null,
    sha256Hash: null,
    createdDateTime: now,
    lastModifiedDateTime: now,
    fsCreatedDateTime: now,
    fsModifiedDateTime: now,
    description: null,
    tagGuid: newGuid(),
    eTagVersion: 1,
    cTagVersion: 1,
    createdBy: user.username,
    lastModifiedBy: user.username,
    deletedDateTime: null,
  });
  return drive;
}
