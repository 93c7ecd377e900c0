import type { Command } from 'commander';
import {
  type Drive,
  INVITE_ROLES,
  type InviteOptions,
  type InviteRole,
  type Permission,
} from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { oneOf, parseExpiry } from '../options-extra.js';
import { itemPath, secondTime } from '../output/format.js';
import { expiryOf, rejectRootOfPersonalDrive } from './link.js';
import { requireItem } from './target.js';

export interface InviteCommandOptions {
  item: string;
  emails: string[];
  role: InviteRole;
  message?: string;
  expires?: string;
}

export function register(program: Command, invoke: Invoke): Command {
  const share = program
    .command('share')
    .helpCommand(false)
    .summary("list, grant and revoke an item's permissions")
    .description(
      'Manage who can open an item. Permissions set on a folder are inherited by everything in it; an inherited permission can only be revoked on the folder it comes from.',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  skydrive share list /Documents',
        '  skydrive share invite /Documents/plan.docx ana@example.com --role write',
        '  skydrive share revoke /Documents/plan.docx aBcD1234',
        '',
      ].join('\n'),
    );

  const list = share
    .command('list')
    .summary("list an item's permissions")
    .description(
      "Print one line per permission: id, roles, what it grants (a link's type and scope, or a person's email) and, for inherited ones, the folder they come from.",
    )
    .argument('<item>', 'path or id of the item')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive share list /Documents\n  skydrive --json share list /Documents\n',
    )
    .action((item: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => runList(item, context)),
    );
  addGlobalOptions(list);

  const invite = share
    .command('invite')
    .summary('give people access by email')
    .description(
      'Grant read or write access to one or more email addresses. No email is sent; give the people the link from: skydrive link.',
    )
    .argument('<item>', 'path or id of the item')
    .argument('<email...>', 'email addresses')
    .option('--role <role>', 'read or write', oneOf('--role', INVITE_ROLES), 'read')
    .option('--message <text>', 'note stored with the invitation (at most 2000 characters)')
    .option('--expires <when>', 'end of access: a date, a UTC time, or a duration (30m, 12h, 7d)')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive share invite /Documents ana@example.com\n  skydrive share invite /Documents/plan.docx ana@example.com bo@example.com --role write --expires 30d\n',
    )
    .action(
      (
        item: string,
        emails: string[],
        options: { role: InviteRole; message?: string; expires?: string },
        cmd: Command,
      ) => invoke(cmd, (context) => runInvite({ item, emails, ...options }, context)),
    );
  addGlobalOptions(invite);

  const revoke = share
    .command('revoke')
    .summary("delete one of an item's permissions")
    .description(
      "Delete a permission by the id that 'share list' prints. A link that is revoked stops working at once.",
    )
    .argument('<item>', 'path or id of the item')
    .argument('<permission-id>', "id from 'skydrive share list'")
    .addHelpText('after', '\nExamples:\n  skydrive share revoke /Documents aBcD1234\n')
    .action((item: string, permissionId: string, _options: unknown, cmd: Command) =>
      invoke(cmd, (context) => runRevoke(item, permissionId, context)),
    );
  addGlobalOptions(revoke);
  return share;
}

export async function runList(typed: string, context: CommandContext): Promise<void> {
  const drive = await context.drive();
  const item = await requireItem(drive, typed);
  const permissions = await collect(drive, item.id, typed);
  for (const permission of permissions) {
    if (context.json) {
      context.printJson(permissionJson(permission));
    } else {
      context.print(permissionLine(permission));
    }
  }
  if (permissions.length === 0 && !context.json) {
    context.note(`${itemPath(item) ?? typed}: not shared`);
  }
}

export async function runInvite(
  options: InviteCommandOptions,
  context: CommandContext,
): Promise<void> {
  for (const email of options.emails) {
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      throw usageError(`invalid email address ${JSON.stringify(email)}: expected name@domain`);
    }
  }
  const inviteOptions: InviteOptions = { recipients: options.emails, role: options.role };
  if (options.message !== undefined) {
    inviteOptions.message = options.message;
  }
  if (options.expires !== undefined) {
    inviteOptions.expires = parseExpiry(options.expires, context.deps.now());
  }
  const drive = await context.drive();
  const item = await requireItem(drive, options.item);
  rejectRootOfPersonalDrive(item, options.item, 'permissions');
  let granted: Permission[];
  try {
    granted = await drive.invite({ id: item.id }, inviteOptions);
  } catch (error) {
    throw toCliError(error, { path: options.item });
  }
  const where = itemPath(item) ?? options.item;
  for (const permission of granted) {
    if (context.json) {
      context.printJson(permissionJson(permission));
    } else {
      context.note(
        `invited ${granteeOf(permission) ?? '?'} to ${where} (${(permission.roles ?? []).join(', ')}): permission ${permission.id}`,
      );
    }
  }
}

export async function runRevoke(
  typed: string,
  permissionId: string,
  context: CommandContext,
): Promise<void> {
  const drive = await context.drive();
  const item = await requireItem(drive, typed);

  // Check first, so a wrong or inherited id gets a reason instead of a bare 403 or 404.
  const permissions = await collect(drive, item.id, typed);
  const target = permissions.find((permission) => permission.id === permissionId);
  if (target === undefined) {
    throw new CliError(
      `${typed}: no permission with id ${permissionId}; list them with: skydrive share list ${typed}`,
    );
  }
  if (target.inheritedFrom !== undefined) {
    const from =
      target.inheritedFrom.id === undefined ? 'a parent folder' : `id:${target.inheritedFrom.id}`;
    throw new CliError(
      `${typed}: permission ${permissionId} is inherited from ${from}; revoke it there: skydrive share revoke ${from} ${permissionId}`,
    );
  }
  try {
    await drive.revokePermission({ id: item.id }, permissionId);
  } catch (error) {
    throw toCliError(error, { path: typed });
  }
  const where = itemPath(item) ?? typed;
  if (context.json) {
    context.printJson({ path: where, id: item.id, permissionId, revoked: true });
  } else {
    context.note(`revoked permission ${permissionId} on ${where}`);
  }
}

async function collect(drive: Drive, id: string, typed: string): Promise<Permission[]> {
  const permissions: Permission[] = [];
  try {
    for await (const permission of drive.permissions({ id })) {
      permissions.push(permission);
    }
  } catch (error) {
    throw toCliError(error, { path: typed });
  }
  return permissions;
}

/** Return the person a permission was granted to: an email, else a display name. */
function granteeOf(permission: Permission): string | undefined {
  const identity =
    permission.grantedToV2?.user ??
    permission.grantedTo?.user ??
    permission.grantedToIdentitiesV2?.[0]?.user ??
    permission.grantedToIdentities?.[0]?.user;
  return permission.invitation?.email ?? identity?.email ?? identity?.displayName;
}

export function permissionLine(permission: Permission): string {
  const roles = (permission.roles ?? []).join(',') || '-';
  let grant: string;
  if (permission.link !== undefined) {
    const kind = [permission.link.type, permission.link.scope].filter(Boolean).join(' ');
    grant = `link ${kind}${permission.link.webUrl === undefined ? '' : ` ${permission.link.webUrl}`}`;
  } else {
    grant = `user ${granteeOf(permission) ?? '?'}`;
  }
  const expires = expiryOf(permission.expirationDateTime);
  const notes: string[] = [];
  if (expires !== null) {
    notes.push(`expires ${secondTime(expires) ?? expires}`);
  }
  if (permission.hasPassword === true) {
    notes.push('password');
  }
  if (permission.inheritedFrom !== undefined) {
    notes.push(`inherited from id:${permission.inheritedFrom.id ?? '?'}`);
  }
  const tail = notes.length === 0 ? '' : `  (${notes.join(', ')})`;
  return `${permission.id}  ${roles.padEnd(5)}  ${grant}${tail}`;
}

export function permissionJson(permission: Permission): Record<string, unknown> {
  return {
    id: permission.id,
    roles: permission.roles ?? [],
    kind: permission.link === undefined ? 'user' : 'link',
    linkType: permission.link?.type ?? null,
    scope: permission.link?.scope ?? null,
    webUrl: permission.link?.webUrl ?? null,
    email: permission.link === undefined ? (granteeOf(permission) ?? null) : null,
    expires: expiryOf(permission.expirationDateTime),
    hasPassword: permission.hasPassword ?? null,
    inheritedFrom: permission.inheritedFrom?.id ?? null,
  };
}
