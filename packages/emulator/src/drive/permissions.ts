import { createHash } from 'node:crypto';
import type { Principal, RequestContext } from '../context.js';
import { accessDenied, invalidRequest, itemNotFound, methodNotAllowed } from '../errors.js';
import { parseDateTime } from '../handlers/items.js';
import { checkIfMatch } from '../handlers/shared.js';
import { readJsonObject, sendEmpty, sendJson } from '../http.js';
import { newSecret } from '../ids.js';
import { identityOf } from '../model/item-json.js';
import type { DriveRecord, ItemRecord, MetadataStore } from '../store/types.js';
import { listRecordValues, readRecord } from './records.js';

/** A permission stored on one item; children see it as inherited. */
export interface PermissionEntry {
  id: string;
  driveId: string;
  itemId: string;
  roles: string[];
  createdDateTime: string;
  expirationDateTime: string | null;
  link?: { type: 'view' | 'edit' | 'embed'; scope: 'anonymous' | 'users'; token: string };
  /** SHA-256 of the link password, hex; the password itself is never stored. */
  passwordHash?: string;
  invitation?: { email: string; signInRequired: boolean };
}

/** Target of a sharing-link token. */
export interface LinkTarget {
  driveId: string;
  itemId: string;
  permissionId: string;
}

const PERMISSION_KIND = 'permission';
export const LINK_KIND = 'link';
const LINK_ROLES = { view: 'read', edit: 'write', embed: 'read' } as const;

function permissionKey(driveId: string, itemId: string, permissionId = ''): string {
  return `${driveId}:${itemId}:${permissionId}`;
}

export function ownPermissions(store: MetadataStore, item: ItemRecord): PermissionEntry[] {
  return listRecordValues<PermissionEntry>(
    store,
    PERMISSION_KIND,
    permissionKey(item.driveId, item.id),
  );
}

export function findPermission(
  store: MetadataStore,
  target: LinkTarget,
): PermissionEntry | undefined {
  return readRecord<PermissionEntry>(
    store,
    PERMISSION_KIND,
    permissionKey(target.driveId, target.itemId, target.permissionId),
  );
}

export function hashPassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

/** Own permissions first, then those of each ancestor, nearest first. */
function effectivePermissions(
  store: MetadataStore,
  item: ItemRecord,
): Array<{ entry: PermissionEntry; from: ItemRecord | undefined }> {
  const result: Array<{ entry: PermissionEntry; from: ItemRecord | undefined }> = [];
  let current: ItemRecord | undefined = item;
  while (current) {
    for (const entry of ownPermissions(store, current)) {
      result.push({ entry, from: current.id === item.id ? undefined : current });
    }
    current =
      current.parentId === null ? undefined : store.getItem(current.driveId, current.parentId);
  }
  return result;
}

export function linkUrl(ctx: RequestContext, token: string): string {
  return `${ctx.emulator.contentUrl}/s/${token}`;
}

function permissionJson(
  ctx: RequestContext,
  drive: DriveRecord,
  entry: PermissionEntry,
  from: ItemRecord | undefined,
): Record<string, unknown> {
  const json: Record<string, unknown> = {
    id: entry.id,
    roles: entry.roles,
    shareId: `s!${entry.id}`,
    expirationDateTime: entry.expirationDateTime ?? '0001-01-01T00:00:00Z',
    hasPassword: entry.passwordHash !== undefined,
  };
  if (entry.link) {
    const webUrl = linkUrl(ctx, entry.link.token);
    const link: Record<string, unknown> = {
      type: entry.link.type,
      scope: entry.link.scope,
      webUrl,
      application: { id: 'skydrive-emulator', displayName: 'skydrive-emulator' },
    };
    if (entry.link.type === 'embed') {
      link.webHtml = `<iframe src="${webUrl}/embed" width="98" height="120" frameborder="0" scrolling="no"></iframe>`;
    }
    json.link = link;
  }
  if (entry.invitation) {
    json.invitation = {
      email: entry.invitation.email,
      signInRequired: entry.invitation.signInRequired,
    };
    json.grantedToV2 = {
      user: { email: entry.invitation.email, displayName: entry.invitation.email },
    };
    json.grantedToIdentitiesV2 = [json.grantedToV2];
  }
  if (from) {
    json.inheritedFrom = { driveId: drive.id, driveType: 'personal', id: from.id };
  }
  return json;
}

/** Permissions on the root of a personal drive cannot be created or changed. */
function rejectRootChange(item: ItemRecord): void {
  if (item.parentId === null) {
    throw accessDenied('permissions on the root of a personal drive cannot be created or changed');
  }
}

function expirationOf(value: unknown): string | null {
  return value === undefined || value === null ? null : parseDateTime('expirationDateTime', value);
}

/** `POST …/createLink`: 201 with a new link, or 200 with the existing link of that type and scope. */
export async function handleCreateLink(
  ctx: RequestContext,
  drive: DriveRecord,
  item: ItemRecord,
): Promise<void> {
  const body = await readJsonObject(ctx.req);
  rejectRootChange(item);
  const type = body.type;
  if (type !== 'view' && type !== 'edit' && type !== 'embed') {
    throw invalidRequest(
      `type is ${JSON.stringify(type)}; it must be view, edit or embed`,
      'invalidParameterFormat',
    );
  }
  const scope = body.scope ?? 'anonymous';
  if (scope === 'organization') {
    throw invalidRequest(
      'organization links exist only on business drives; use anonymous or users',
    );
  }
  if (scope !== 'anonymous' && scope !== 'users') {
    throw invalidRequest(
      `scope is ${JSON.stringify(scope)}; it must be anonymous or users`,
      'invalidParameterFormat',
    );
  }
  if (type === 'embed' && item.isFolder) {
    throw invalidRequest('embed links are only available for files');
  }
  const password = body.password;
  if (password !== undefined && (typeof password !== 'string' || password === '')) {
    throw invalidRequest('password must be a non-empty string', 'invalidParameterFormat');
  }
  const expirationDateTime = expirationOf(body.expirationDateTime);
  const { store } = ctx.emulator;
  const existing = ownPermissions(store, item).find(
    (entry) => entry.link?.type === type && entry.link.scope === scope,
  );
  if (existing) {
    sendJson(ctx.res, 200, permissionJson(ctx, drive, existing, undefined));
    return;
  }
  const entry: PermissionEntry = {
    id: newSecret().slice(0, 16),
    driveId: drive.id,
    itemId: item.id,
    roles: [LINK_ROLES[type]],
    createdDateTime: new Date().toISOString(),
    expirationDateTime,
    link: { type, scope, token: newSecret() },
  };
  if (typeof password === 'string') {
    entry.passwordHash = hashPassword(password);
  }
  savePermission(store, entry);
  sendJson(ctx.res, 201, permissionJson(ctx, drive, entry, undefined));
}

function savePermission(store: MetadataStore, entry: PermissionEntry): void {
  store.putRecord(PERMISSION_KIND, permissionKey(entry.driveId, entry.itemId, entry.id), entry);
  if (entry.link) {
    const target: LinkTarget = {
      driveId: entry.driveId,
      itemId: entry.itemId,
      permissionId: entry.id,
    };
    store.putRecord(LINK_KIND, entry.link.token, target);
  }
}

/** Handles `POST …/invite`: creates one permission per recipient and returns 200 `{value:[…]}`. */
export async function handleInvite(
  ctx: RequestContext,
  drive: DriveRecord,
  item: ItemRecord,
): Promise<void> {
  const body = await readJsonObject(ctx.req);
  rejectRootChange(item);
  const recipients = body.recipients;
  if (!Array.isArray(recipients) || recipients.length === 0) {
    throw invalidRequest(
      'recipients must be a non-empty array of {email}',
      'invalidParameterFormat',
    );
  }
  const roles = body.roles;
  if (
    !Array.isArray(roles) ||
    roles.length !== 1 ||
    (roles[0] !== 'read' && roles[0] !== 'write')
  ) {
    throw invalidRequest('roles must be ["read"] or ["write"]', 'invalidParameterFormat');
  }
  if (typeof body.message === 'string' && body.message.length > 2000) {
    throw invalidRequest('message is longer than 2000 characters', 'parameterIsTooLong');
  }
  const expirationDateTime = expirationOf(body.expirationDateTime);
  const emails = recipients.map((recipient: unknown) => {
    const fields = (recipient ?? {}) as Record<string, unknown>;
    const email = fields.email ?? fields.alias ?? fields.objectId;
    if (typeof email !== 'string' || email.trim() === '') {
      throw invalidRequest(
        'each recipient needs an email, alias or objectId',
        'invalidParameterFormat',
      );
    }
    return email.trim();
  });
  const { store } = ctx.emulator;
  const created = store.transaction(() =>
    emails.map((email) => {
      const entry: PermissionEntry = {
        id: newSecret().slice(0, 16),
        driveId: drive.id,
        itemId: item.id,
        roles: [roles[0] as string],
        createdDateTime: new Date().toISOString(),
        expirationDateTime,
        invitation: { email, signInRequired: body.requireSignIn !== false },
      };
      savePermission(store, entry);
      return entry;
    }),
  );
  sendJson(ctx.res, 200, {
    value: created.map((entry) => permissionJson(ctx, drive, entry, undefined)),
  });
}

/** `…/permissions` and `…/permissions/{id}` (GET, PATCH roles, DELETE). */
export async function handlePermissions(
  ctx: RequestContext,
  principal: Principal,
  drive: DriveRecord,
  item: ItemRecord,
  rest: string[],
): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  const { store } = ctx.emulator;
  const all = effectivePermissions(store, item);
  const [permissionId, ...extra] = rest;
  if (permissionId === undefined) {
    if (method !== 'GET' && method !== 'HEAD') {
      throw methodNotAllowed(method, 'permissions');
    }
    sendJson(ctx.res, 200, {
      value: all.map(({ entry, from }) => permissionJson(ctx, drive, entry, from)),
    });
    return;
  }
  const found = all.find(({ entry }) => entry.id === permissionId);
  if (!found || extra.length > 0) {
    throw itemNotFound(`item ${item.id} has no permission ${permissionId}`);
  }
  if (method === 'GET' || method === 'HEAD') {
    sendJson(ctx.res, 200, permissionJson(ctx, drive, found.entry, found.from));
    return;
  }
  checkIfMatch(ctx, item);
  if (found.from) {
    throw accessDenied(
      `permission ${permissionId} is inherited from ${found.from.id}; change it on that item`,
    );
  }
  rejectRootChange(item);
  if (method === 'DELETE') {
    store.transaction(() => {
      store.deleteRecord(PERMISSION_KIND, permissionKey(drive.id, item.id, permissionId));
      if (found.entry.link) {
        store.deleteRecord(LINK_KIND, found.entry.link.token);
      }
    });
    ctx.log.info(
      { itemId: item.id, permissionId, by: principal.user.username },
      'permission removed',
    );
    sendEmpty(ctx.res, 204);
    return;
  }
  if (method === 'PATCH') {
    const body = await readJsonObject(ctx.req);
    const roles = body.roles;
    if (
      !Array.isArray(roles) ||
      roles.length !== 1 ||
      (roles[0] !== 'read' && roles[0] !== 'write')
    ) {
      throw invalidRequest('roles must be ["read"] or ["write"]', 'invalidParameterFormat');
    }
    const updated: PermissionEntry = { ...found.entry, roles: [roles[0] as string] };
    if ('expirationDateTime' in body) {
      updated.expirationDateTime = expirationOf(body.expirationDateTime);
    }
    savePermission(store, updated);
    sendJson(ctx.res, 200, permissionJson(ctx, drive, updated, undefined));
    return;
  }
  throw methodNotAllowed(method, 'a permission');
}

/** Builds the `shared` facet of an item that has its own permissions. */
export function sharedFacetOf(
  store: MetadataStore,
  item: ItemRecord,
): Record<string, unknown> | undefined {
  const own = ownPermissions(store, item);
  if (own.length === 0) {
    return undefined;
  }
  const anonymous = own.some((entry) => entry.link?.scope === 'anonymous');
  const owner = identityOf(store.getUser(item.createdBy), item.createdBy);
  return {
    owner,
    scope: anonymous ? 'anonymous' : 'users',
    sharedDateTime: own.map((entry) => entry.createdDateTime).sort()[0],
  };
}
