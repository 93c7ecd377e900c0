import type { Command } from 'commander';
import { type DriveItem, GraphError, type ItemUpdate, isIsoTime } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { itemJson } from '../output/json.js';

export interface SetOptions {
  item: string;
  /** `key=value` arguments and JSON objects of Graph properties, applied in order. */
  assignments: string[];
  ifMatch?: string;
}

/** Keys of `key=value` and where each goes in the PATCH body. */
const KEYS = ['name', 'description', 'mtime', 'ctime'] as const;

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('set')
    .aliases(['info-set', 'info_set'])
    .summary("change an item's name, description or times")
    .description(
      "Change an item's metadata with key=value pairs: name, description, mtime and ctime (the file system's modified and created times, ISO 8601 with a zone). An argument that starts with '{' is a JSON object of Graph driveItem properties, as in: set <item> --json '{…}'. Only the given fields are sent. --if-match updates only while the item's eTag is unchanged; otherwise nothing changes and the exit code is 1.",
    )
    .argument('<item>', 'path or id of the item')
    .argument('[key=value...]', "name=…, description=…, mtime=…, ctime=…, or a JSON object '{…}'")
    .option('--if-match <etag>', "update only while the item's eTag is this value")
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  skydrive set /Documents/a.txt name=b.txt',
        '  skydrive set /Documents/a.txt description="final draft" mtime=2026-12-01T09:00:00Z',
        '  skydrive set /Documents/a.txt --json \'{"fileSystemInfo":{"createdDateTime":"2020-01-01T00:00:00Z"}}\'',
        '  skydrive set /Documents/a.txt name=c.txt --if-match \'"{ETAG},2"\'',
        '',
      ].join('\n'),
    )
    .action((item: string, assignments: string[], options: { ifMatch?: string }, cmd: Command) =>
      invoke(cmd, (context) => run({ item, assignments, ifMatch: options.ifMatch }, context)),
    );
  return addGlobalOptions(command);
}

export async function run(options: SetOptions, context: CommandContext): Promise<void> {
  const update = buildUpdate(options);
  const drive = await context.drive();
  let item: DriveItem;
  try {
    item = await drive.update(
      options.item,
      update,
      options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch },
    );
  } catch (error) {
    if (error instanceof GraphError && error.status === 412) {
      throw new CliError(
        `${options.item}: the item changed since --if-match ${options.ifMatch ?? ''} was read (412 ${error.graphCode}); get the current eTag with: skydrive info ${options.item}`,
      );
    }
    throw toCliError(error, { path: options.item });
  }
  if (context.json) {
    context.printJson(itemJson(item));
    return;
  }
  context.note(`updated ${itemPath(item) ?? options.item}: ${Object.keys(update).join(', ')}`);
}

/** Merge JSON objects and key=value pairs into one PATCH body; a later argument wins. */
export function buildUpdate(options: SetOptions): ItemUpdate {
  let update: ItemUpdate = {};
  for (const assignment of options.assignments) {
    if (assignment.trimStart().startsWith('{')) {
      update = { ...update, ...parseJsonObject(assignment) };
      continue;
    }
    const cut = assignment.indexOf('=');
    if (cut <= 0) {
      throw usageError(
        `expected key=value, got ${JSON.stringify(assignment)}; keys: ${KEYS.join(', ')}`,
      );
    }
    const key = assignment.slice(0, cut);
    const value = assignment.slice(cut + 1);
    switch (key) {
      case 'name':
      case 'description':
        update[key] = value;
        break;
      case 'mtime':
      case 'ctime': {
        if (!isIsoTime(value)) {
          throw usageError(
            `${key} ${JSON.stringify(value)} must be an ISO 8601 time with a zone, e.g. 2026-12-04T20:10:00Z`,
          );
        }
        const field = key === 'mtime' ? 'lastModifiedDateTime' : 'createdDateTime';
        update.fileSystemInfo = { ...update.fileSystemInfo, [field]: value };
        break;
      }
      default:
        throw usageError(`unknown key ${JSON.stringify(key)}; keys: ${KEYS.join(', ')}`);
    }
  }
  if (Object.keys(update).length === 0) {
    throw usageError(
      'nothing to set; give key=value pairs or a JSON object such as \'{"description":"x"}\'',
    );
  }
  return update;
}

function parseJsonObject(text: string): ItemUpdate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw usageError(
      `invalid JSON object ${JSON.stringify(text)}; quote it for the shell, e.g. '{"description":"x"}'`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw usageError(`expected a JSON object, got ${JSON.stringify(text)}`);
  }
  return parsed as ItemUpdate;
}
