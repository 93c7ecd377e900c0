import type { Command } from 'commander';
import {
  type DriveItem,
  LINK_SCOPES,
  LINK_TYPES,
  type LinkOptions,
  type LinkResult,
  type LinkScope,
  type LinkType,
} from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { oneOf, parseExpiry } from '../options-extra.js';
import { keyValueLines, secondTime } from '../output/format.js';
import { requireItem } from './target.js';

export interface LinkCommandOptions {
  item: string;
  type: LinkType;
  scope?: LinkScope;
  password?: string;
  /** As typed: a date, a time or a duration such as 7d. */
  expires?: string;
}

/** Graph writes this expiry on permissions that never expire. */
export const NO_EXPIRY = '0001-01-01T00:00:00Z';

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('link')
    .summary('create a sharing link')
    .description(
      'Create a sharing link to an item and print its URL. -t view gives read access, edit gives write access, and embed gives an HTML snippet for a web page (OneDrive personal, files only). If a link of that type already exists, the service returns it and "existing" says yes. An anonymous link works without signing in until it expires.',
    )
    .argument('<item>', 'path or id of the item')
    .option('-t, --type <type>', 'view, edit or embed', oneOf('--type', LINK_TYPES), 'view')
    .option(
      '--scope <scope>',
      'anonymous, organization (work accounts) or users (only people given access); default: the account default',
      oneOf('--scope', LINK_SCOPES),
    )
    .option('--password <password>', 'password the link asks for (OneDrive personal)')
    .option(
      '--expires <when>',
      'expiry: a date (2027-01-31), a UTC time, or a duration (30m, 12h, 7d)',
    )
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  skydrive link /Documents/report.pdf',
        '  skydrive link -t edit --scope users /Documents/plan.docx',
        '  skydrive link -t embed /Pictures/cat.jpg',
        '  skydrive link --expires 7d --password s3cret /Documents/report.pdf',
        '',
      ].join('\n'),
    )
    .action(
      (
        item: string,
        options: { type: LinkType; scope?: LinkScope; password?: string; expires?: string },
        cmd: Command,
      ) => invoke(cmd, (context) => run({ item, ...options }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: LinkCommandOptions, context: CommandContext): Promise<void> {
  const linkOptions: LinkOptions = { type: options.type };
  if (options.scope !== undefined) {
    linkOptions.scope = options.scope;
  }
  if (options.password !== undefined) {
    linkOptions.password = options.password;
  }
  if (options.expires !== undefined) {
    linkOptions.expires = parseExpiry(options.expires, context.deps.now());
  }
  const drive = await context.drive();
  const item = await requireItem(drive, options.item);
  rejectRootOfPersonalDrive(item, options.item, 'a link');
  if (options.type === 'embed' && item.file === undefined) {
    throw new CliError(`${options.item}: embed links are for files only; use -t view for a folder`);
  }

  let result: LinkResult;
  try {
    result = await drive.link({ id: item.id }, linkOptions);
  } catch (error) {
    throw toCliError(error, { path: options.item });
  }
  if (context.json) {
    context.printJson(linkJson(result));
    return;
  }
  context.print(formatLink(result).trimEnd());
}

/**
 * Reject sharing the root of a personal drive before sending anything,
 * because Graph rejects such a request with 403 and no reason.
 */
export function rejectRootOfPersonalDrive(item: DriveItem, typed: string, addition: string): void {
  if (item.root !== undefined && item.parentReference?.driveType === 'personal') {
    throw new CliError(
      `${typed}: ${addition} cannot be added to the root folder of a personal drive; share a folder or file inside it`,
    );
  }
}

export function linkJson(result: LinkResult): Record<string, unknown> {
  const permission = result.permission;
  return {
    id: permission.id,
    type: permission.link?.type ?? null,
    scope: permission.link?.scope ?? null,
    roles: permission.roles ?? [],
    webUrl: permission.link?.webUrl ?? null,
    webHtml: permission.link?.webHtml ?? null,
    expires: expiryOf(permission.expirationDateTime),
    hasPassword: permission.hasPassword ?? null,
    created: result.created,
  };
}

export function formatLink(result: LinkResult): string {
  const permission = result.permission;
  const expires = expiryOf(permission.expirationDateTime);
  return keyValueLines([
    ['url', permission.link?.webUrl],
    ['html', permission.link?.webHtml],
    ['type', permission.link?.type],
    ['scope', permission.link?.scope],
    ['roles', permission.roles?.join(', ')],
    ['expires', expires === null ? 'never' : (secondTime(expires) ?? expires)],
    ['password', yesNo(permission.hasPassword)],
    ['id', permission.id],
    ['existing', result.created ? 'no' : 'yes'],
  ]);
}

/** Null for a permission without expiry (missing, or Graph's 0001-01-01 marker). */
export function expiryOf(value: string | undefined): string | null {
  return value === undefined || value === NO_EXPIRY ? null : value;
}

function yesNo(value: boolean | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  return value ? 'yes' : 'no';
}
