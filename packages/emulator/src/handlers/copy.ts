import type { Principal, RequestContext } from '../context.js';
import { accessDenied, invalidRequest, itemNotFound, nameAlreadyExists } from '../errors.js';
import { readJsonObject, sendEmpty } from '../http.js';
import { validateName } from '../model/names.js';
import { assertQuota } from '../model/quota.js';
import {
  assertPathLength,
  folderSize,
  isWithin,
  newItem,
  requireItem,
  touchAncestors,
} from '../model/tree.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';

/**
 * `POST …/copy`: 202 with a monitor URL on the content listener. The copy is
 * done before the 202 is sent, because blobs are shared by content address and
 * even large trees copy quickly. The monitor still reports `inProgress` on its
 * first poll, so clients exercise their polling loop. A name already used at
 * the destination fails at once with 409, before any monitor exists.
 */
export async function handleCopy(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  source: ItemRecord,
): Promise<void> {
  const body = await readJsonObject(ctx.req);
  const { store, options, preauth } = ctx.emulator;
  if (source.parentId === null) {
    throw invalidRequest('the root folder cannot be copied; copy its children instead');
  }
  const target = resolveDestination(ctx, principal, drive, source, body.parentReference);
  const nameValue = body.name ?? source.name;
  if (typeof nameValue !== 'string') {
    throw invalidRequest('name must be a string', 'invalidParameterFormat');
  }
  validateName(nameValue, source.isFolder ? 'folder' : 'file');
  if (source.isFolder && isWithin(store, target.parent, source)) {
    throw invalidRequest('a folder cannot be copied into itself or one of its descendants');
  }

  const copy = store.transaction(() => {
    assertPathLength(store, target.parent, nameValue);
    if (store.findChild(target.drive.id, target.parent.id, nameValue)) {
      throw nameAlreadyExists(nameValue);
    }
    const bytes = source.isFolder ? folderSize(store, source) : source.size;
    assertQuota(store, target.drive.id, options.quotaBytes, bytes, 'create');
    const root = copyTree(
      store,
      target.drive,
      source,
      target.parent.id,
      nameValue,
      principal.user.username,
    );
    touchAncestors(store, target.parent);
    return root;
  });

  ctx.log.info({ sourceId: source.id, copyId: copy.id, name: copy.name }, 'item copied');
  const monitor = preauth.createCopyMonitor({
    status: 'completed',
    resourceId: copy.id,
    errorCode: undefined,
  });
  sendEmpty(ctx.res, 202, { Location: monitor });
}

function resolveDestination(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  source: ItemRecord,
  reference: unknown,
): { drive: DriveRecord; parent: ItemRecord } {
  const { store } = ctx.emulator;
  const sourceParent = requireItem(store, drive.id, source.parentId as string);
  if (reference === undefined || reference === null) {
    return { drive, parent: sourceParent };
  }
  if (typeof reference !== 'object') {
    throw invalidRequest('parentReference must be an object', 'invalidParameterFormat');
  }
  const { driveId, id } = reference as Record<string, unknown>;

  let targetDrive = drive;
  if (driveId !== undefined && driveId !== null) {
    if (typeof driveId !== 'string') {
      throw invalidRequest('parentReference.driveId must be a string', 'invalidParameterFormat');
    }
    const found = store.getDrive(driveId);
    if (!found) {
      throw itemNotFound(`drive ${driveId} was not found`);
    }
    if (found.owner !== principal.user.username) {
      throw accessDenied('the signed-in user has no access to the destination drive');
    }
    targetDrive = found;
  }

  if (id === undefined || id === null) {
    return { drive: targetDrive, parent: sourceParent };
  }
  if (typeof id !== 'string') {
    throw invalidRequest('parentReference.id must be a string', 'invalidParameterFormat');
  }
  const parent = requireItem(store, targetDrive.id, id === 'root' ? targetDrive.rootId : id);
  if (!parent.isFolder) {
    throw invalidRequest(`the destination ${parent.id} is not a folder`);
  }
  return { drive: targetDrive, parent };
}

/** Copies `source` (and its subtree) under `parentId`; file copies share the source blobs. */
function copyTree(
  store: MetadataStore,
  drive: DriveRecord,
  source: ItemRecord,
  parentId: string,
  name: string,
  actor: string,
): ItemRecord {
  const copy = newItem(
    store,
    drive,
    {
      parentId,
      name,
      isFolder: source.isFolder,
      size: source.size,
      blobKey: source.blobKey,
      mimeType: source.mimeType,
      quickXorHash: source.quickXorHash,
      sha1Hash: source.sha1Hash,
      sha256Hash: source.sha256Hash,
      fsCreatedDateTime: source.fsCreatedDateTime,
      fsModifiedDateTime: source.fsModifiedDateTime,
      description: source.description,
    },
    actor,
  );
  store.insertItem(copy);
  if (source.isFolder) {
    for (const child of store.listChildren(source.driveId, source.id)) {
      copyTree(store, drive, child, copy.id, child.name, actor);
    }
  }
  return copy;
}
