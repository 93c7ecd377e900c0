import { newCid } from '../ids.js';
import type { DriveRecord, MetadataStore, UserRecord } from '../store/types.js';
import { newItem, timestamp } from './tree.js';

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
  // newItem takes the drive's first item number, the one rootId names.
  store.insertItem(
    newItem(
      store,
      drive,
      {
        id: drive.rootId,
        parentId: null,
        name: 'root',
        isFolder: true,
        createdDateTime: now,
        lastModifiedDateTime: now,
        fsCreatedDateTime: now,
        fsModifiedDateTime: now,
      },
      user.username,
    ),
  );
  return drive;
}
