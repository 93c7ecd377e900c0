import { SkydriveError } from '../errors.js';
import { items } from '../graph/paging.js';
import type { Permission } from '../graph/sharing-wire.js';
import { encodeSegment, itemUrlPath } from '../graph/url.js';
import { type DriveContext, describe, locate } from './context.js';
import { parseJson } from './json-body.js';
import type { ItemRef } from './types.js';
import { isIsoTime } from './update.js';

export const LINK_TYPES = ['view', 'edit', 'embed'] as const;
export const LINK_SCOPES = ['anonymous', 'organization', 'users'] as const;
export const INVITE_ROLES = ['read', 'write'] as const;

export type LinkType = (typeof LINK_TYPES)[number];
export type LinkScope = (typeof LINK_SCOPES)[number];
export type InviteRole = (typeof INVITE_ROLES)[number];

export interface LinkOptions {
  /** @default 'view' */
  type?: LinkType;
  /** Without it the service applies the account's default scope. */
  scope?: LinkScope;
  /** OneDrive personal only. */
  password?: string;
  /** ISO 8601 time after which the link stops working. */
  expires?: string;
}

export interface LinkResult {
  permission: Permission;
  /** False when a link of this type already existed and the service returned it (200 instead of 201). */
  created: boolean;
}

export interface InviteOptions {
  /** Email addresses of the people to invite. */
  recipients: string[];
  /** @default 'read' */
  role?: InviteRole;
  /** Text of the invitation, at most 2000 characters. */
  message?: string;
  /** @default true */
  requireSignIn?: boolean;
  /** Send an email to the recipients. @default false */
  sendInvitation?: boolean;
  /** ISO 8601 time after which the permission ends. */
  expires?: string;
}

export interface RevokeOptions {
  /** Only delete when the item's eTag still equals this value. */
  ifMatch?: string;
}

/** Graph's limit on the length of an invitation message, in characters. */
const MAX_MESSAGE_LENGTH = 2000;

export async function createLink(
  context: DriveContext,
  item: ItemRef,
  options: LinkOptions = {},
): Promise<LinkResult> {
  const type = options.type ?? 'view';
  checkOneOf('link type', type, LINK_TYPES);
  const body: Record<string, unknown> = { type };
  if (options.scope !== undefined) {
    checkOneOf('link scope', options.scope, LINK_SCOPES);
    body.scope = options.scope;
  }
  if (options.password !== undefined) {
    if (options.password === '') {
      throw new SkydriveError('INVALID_ARGUMENT', 'a link password cannot be empty');
    }
    body.password = options.password;
  }
  if (options.expires !== undefined) {
    body.expirationDateTime = checkTime('expiry', options.expires);
  }

  const locator = locate(context, item);
  const response = await context.graph.request({
    method: 'POST',
    url: itemUrlPath(locator, 'createLink'),
    json: body,
  });
  const permission = parseJson<Permission>(
    await response.body.text(),
    () => `createLink ${describe(locator)}`,
  );
  return { permission, created: response.status === 201 };
}

/** Permissions of an item: its own first, then those inherited from ancestors. */
export function listPermissions(
  context: DriveContext,
  item: ItemRef,
): AsyncIterableIterator<Permission> {
  return items<Permission>(context.graph, itemUrlPath(locate(context, item), 'permissions'));
}

export async function invite(
  context: DriveContext,
  item: ItemRef,
  options: InviteOptions,
): Promise<Permission[]> {
  const recipients = options.recipients ?? [];
  if (recipients.length === 0) {
    throw new SkydriveError('INVALID_ARGUMENT', 'an invitation needs at least one email address');
  }
  for (const email of recipients) {
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `invalid email address ${JSON.stringify(email)}: expected name@domain`,
      );
    }
  }
  const role = options.role ?? 'read';
  checkOneOf('role', role, INVITE_ROLES);
  const body: Record<string, unknown> = {
    recipients: recipients.map((email) => ({ email })),
    roles: [role],
    requireSignIn: options.requireSignIn ?? true,
    sendInvitation: options.sendInvitation ?? false,
  };
  if (options.message !== undefined) {
    if (options.message.length > MAX_MESSAGE_LENGTH) {
      throw new SkydriveError(
        'INVALID_ARGUMENT',
        `the invitation message has ${options.message.length} characters; Graph accepts at most ${MAX_MESSAGE_LENGTH}`,
      );
    }
    body.message = options.message;
  }
  if (options.expires !== undefined) {
    body.expirationDateTime = checkTime('expiry', options.expires);
  }
  const result = await context.graph.json<{ value?: Permission[] }>({
    method: 'POST',
    url: itemUrlPath(locate(context, item), 'invite'),
    json: body,
  });
  return result.value ?? [];
}

export async function revokePermission(
  context: DriveContext,
  item: ItemRef,
  permissionId: string,
  options: RevokeOptions = {},
): Promise<void> {
  if (permissionId === '') {
    throw new SkydriveError('INVALID_ARGUMENT', 'a permission id cannot be empty');
  }
  const headers: Record<string, string> = {};
  if (options.ifMatch !== undefined) {
    headers['if-match'] = options.ifMatch;
  }
  const response = await context.graph.request({
    method: 'DELETE',
    url: itemUrlPath(locate(context, item), `permissions/${encodeSegment(permissionId)}`),
    headers,
  });
  await response.body.dump();
}

function checkOneOf(what: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} must be one of ${allowed.join(', ')}`,
    );
  }
}

/** Check an ISO 8601 time and return it in the UTC form Graph documents (yyyy-MM-ddTHH:mm:ssZ). */
function checkTime(what: string, value: string): string {
  if (!isIsoTime(value) && !/^\d{4}-\d\d-\d\d$/.test(value)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} must be an ISO 8601 date or time such as 2027-01-31 or 2027-01-31T12:00:00Z`,
    );
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${what} ${JSON.stringify(value)} is not a valid date`,
    );
  }
  return `${new Date(time).toISOString().slice(0, 19)}Z`;
}
