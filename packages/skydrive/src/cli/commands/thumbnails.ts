import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { checkThumbnailSize, type Thumbnail, type ThumbnailSet } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke } from '../global-options.js';
import { itemPath } from '../output/format.js';
import { requireItem } from './target.js';

export interface ThumbnailsCommandOptions {
  item: string;
  size?: string;
  /** Local file, or '-' for stdout. */
  out?: string;
}

/** Size written by --out when --size is not given. */
const DEFAULT_OUT_SIZE = 'large';

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('thumbnails')
    .summary("list or save an item's thumbnails")
    .description(
      "Print the item's thumbnails (size name, width x height in pixels, URL), or save one with --out. Sizes: small, medium and large (96, 176 and 800 pixels on the longest side), smallSquare, mediumSquare, largeSquare, and cWIDTHxHEIGHT (fits the box) or cWIDTHxHEIGHT_Crop (fills it). The URLs need no sign-in and change when the item changes. Items the service cannot render have no thumbnails.",
    )
    .argument('<item>', 'path or id of the item')
    .option(
      '--size <size>',
      'small, medium, large, …Square or cWxH; --out saves large by default',
      parseSize,
    )
    .option('--out <file>', "save the thumbnail to a local file ('-' for stdout)")
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive thumbnails /Pictures/cat.jpg\n  skydrive thumbnails /Pictures/cat.jpg --size c300x300 --out cat-300.jpg\n',
    )
    .action((item: string, options: { size?: string; out?: string }, cmd: Command) =>
      invoke(cmd, (context) => run({ item, ...options }, context)),
    );
  return addGlobalOptions(command);
}

function parseSize(value: string): string {
  try {
    return checkThumbnailSize(value);
  } catch {
    throw new InvalidArgumentError(
      'expected small, medium, large, smallSquare, mediumSquare, largeSquare, cWIDTHxHEIGHT or cWIDTHxHEIGHT_Crop',
    );
  }
}

export async function run(
  options: ThumbnailsCommandOptions,
  context: CommandContext,
): Promise<void> {
  if (options.out === '-' && context.json) {
    throw new CliError("--json cannot be combined with writing the image to stdout ('-')", 2);
  }
  const drive = await context.drive();
  const item = await requireItem(drive, options.item);
  const where = itemPath(item) ?? options.item;

  let sets: ThumbnailSet[];
  try {
    sets = await drive.thumbnails(
      { id: item.id },
      options.size === undefined ? {} : { sizes: [options.size] },
    );
  } catch (error) {
    throw toCliError(error, { path: options.item });
  }
  const own = sets.find((set) => set.id === '0') ?? sets[0];
  if (own === undefined) {
    throw new CliError(
      `${options.item}: no thumbnails; the service makes them for images, videos and some documents`,
    );
  }

  if (options.out !== undefined) {
    await save(options, where, item.id, context);
    return;
  }
  for (const [size, thumbnail] of sizesOf(own)) {
    if (context.json) {
      context.printJson({
        size,
        width: thumbnail.width ?? null,
        height: thumbnail.height ?? null,
        url: thumbnail.url ?? null,
      });
    } else {
      context.print(
        `${size.padEnd(8)} ${`${thumbnail.width ?? '?'}x${thumbnail.height ?? '?'}`.padEnd(9)} ${thumbnail.url ?? '-'}`,
      );
    }
  }
}

async function save(
  options: ThumbnailsCommandOptions,
  where: string,
  id: string,
  context: CommandContext,
): Promise<void> {
  const size = options.size ?? DEFAULT_OUT_SIZE;
  const out = options.out ?? '-';
  const destination = out === '-' ? context.deps.stdout : context.local(out);
  const drive = await context.drive();
  let bytes: number;
  try {
    ({ bytes } = await drive.downloadThumbnail({ id }, size, destination));
  } catch (error) {
    throw toCliError(error, { path: out === '-' ? where : out });
  }
  if (out === '-') {
    return;
  }
  if (context.json) {
    context.printJson({ path: where, size, localPath: destination, bytes });
  } else {
    context.note(`saved the ${size} thumbnail of ${where} to ${out} (${bytes} bytes)`);
  }
}

/** List the thumbnails of a set, skipping its `id`, in the order the service sent them. */
function sizesOf(set: ThumbnailSet): Array<[string, Thumbnail]> {
  return Object.entries(set).filter(
    (entry): entry is [string, Thumbnail] =>
      entry[0] !== 'id' && typeof entry[1] === 'object' && entry[1] !== null,
  );
}
