import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { type Command, InvalidArgumentError } from 'commander';
import type { Drive, DriveItem, ItemRef } from '../../index.js';
import { defaultStateDir } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, positiveInteger, signalOption } from '../global-options.js';
import { isContainer, itemPath, itemType } from '../output/format.js';
import { newTally, reportFile, shownLocal, summaryLine } from '../output/transfer.js';
import { type FileProgress, startTransferProgress, withResumeHint } from '../transfer-progress.js';

/** An inclusive byte range; no `end` means to the end of the file. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface GetOptions {
  item: string;
  /** Local file or folder; '-' writes the file to stdout. */
  local?: string;
  recursive: boolean;
  range?: ByteRange;
  /** Files in flight at once within a folder. @default 4 */
  transfers?: number;
  /** Emit JSON progress events on stderr. */
  progressJson?: boolean;
  /** Continue a `.partial` file of an earlier run. @default true */
  resume?: boolean;
}

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('get')
    .summary('download files and folders')
    .description(
      "Download a file (or a folder with -r). The local argument defaults to the item's name in the current folder; an existing local folder receives the file under its own name; '-' writes the file to stdout. With -r the folder's contents are written into the local folder, which is created if missing. Files are written to '<name>.partial' and renamed when complete and verified.",
    )
    .argument('<item>', 'path or id of the remote file or folder')
    .argument('[local]', "local file or folder, or '-' for stdout")
    .option('-r, --recursive', 'download a folder with everything in it')
    .option(
      '--range <A-B>',
      'download bytes A to B only (inclusive, from 0); A- means to the end',
      parseRange,
    )
    .option(
      '--transfers <n>',
      'files downloaded at once within a folder (default 4)',
      positiveInteger('--transfers', 64),
    )
    .option('--progress-json', 'print progress events as JSON lines on stderr')
    .option('--no-resume', "start over instead of continuing a '<name>.partial' file")
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive get /Documents/report.pdf\n  skydrive get -r /Photos ./photos\n  skydrive get --range 0-1023 /Backup/disk.img - | xxd | head\n',
    )
    .action(
      (
        item: string,
        local: string | undefined,
        options: {
          recursive?: boolean;
          range?: ByteRange;
          transfers?: number;
          progressJson?: boolean;
          resume?: boolean;
        },
        cmd: Command,
      ) =>
        invoke(cmd, (context) =>
          run(
            {
              item,
              local,
              recursive: options.recursive === true,
              range: options.range,
              transfers: options.transfers,
              progressJson: options.progressJson === true,
              resume: options.resume !== false,
            },
            context,
          ),
        ),
    );
  return addGlobalOptions(command);
}

/** Parse '--range A-B' or 'A-'; both ends are byte offsets from 0, inclusive. */
export function parseRange(value: string): ByteRange {
  const match = /^(\d+)-(\d*)$/.exec(value);
  const start = Number(match?.[1]);
  const end = match?.[2] === '' ? undefined : Number(match?.[2]);
  if (
    match === null ||
    !Number.isSafeInteger(start) ||
    (end !== undefined && !Number.isSafeInteger(end))
  ) {
    throw new InvalidArgumentError('expected A-B or A- with byte offsets, e.g. 0-1023');
  }
  if (end !== undefined && end < start) {
    throw new InvalidArgumentError(`the end ${end} is before the start ${start}`);
  }
  return end === undefined ? { start } : { start, end };
}

export async function run(options: GetOptions, context: CommandContext): Promise<void> {
  if (options.range !== undefined && options.recursive) {
    throw usageError('--range applies to one file and cannot be combined with -r');
  }
  if (options.local === '-' && context.json) {
    throw usageError("--json cannot be combined with writing the file to stdout ('-')");
  }
  const drive = await context.drive();
  let item: DriveItem;
  try {
    item = await drive.info(options.item);
  } catch (error) {
    throw toCliError(error, { path: options.item });
  }
  const ref: ItemRef = { id: item.id };
  const remotePath = itemPath(item) ?? options.item;

  if (isContainer(item)) {
    if (itemType(item) === 'package') {
      throw new CliError(
        `${options.item}: is a OneNote notebook (package), which cannot be downloaded as a file or folder; open it in OneNote, or list its parts with: skydrive ls '${options.item}'`,
      );
    }
    if (!options.recursive) {
      throw new CliError(`${options.item}: is a folder; use get -r to download folders`);
    }
    if (options.local === '-') {
      throw usageError("a folder cannot be written to stdout ('-'); give a local folder");
    }
    await getFolder(drive, item, options, context);
    return;
  }
  if (item.file === undefined) {
    throw new CliError(`${options.item}: has no content to download (neither a file nor a folder)`);
  }
  const fileSize = item.size ?? 0;
  if (options.range !== undefined && fileSize === 0) {
    throw new CliError(
      `${options.item}: the file is empty, so --range selects nothing; omit --range`,
    );
  }
  if (options.range !== undefined && options.range.start >= fileSize) {
    throw new CliError(
      `${options.item}: --range starts at byte ${options.range.start} but the file has ${fileSize} bytes; the last byte is ${fileSize - 1}`,
    );
  }

  if (options.local === '-') {
    await getToStdout(drive, ref, options, context);
    return;
  }
  const target = await localTarget(context, options.local, item.name ?? 'download');
  const size = rangeSize(options.range, item.size ?? 0);
  const bars = startTransferProgress(context, { progressJson: options.progressJson === true });
  const progress = bars.file(remotePath, item.name ?? remotePath, size);
  try {
    const result = await drive.download(ref, target, {
      ...signalOption(context),
      ...(options.range === undefined ? {} : { range: options.range }),
      stateDir: stateDirOf(options, context),
      onProgress: (received) => progress.update(received),
    });
    progress.end();
    bars.stop();
    if (
      (result.verifiedBy === 'size' || result.verifiedBy === 'none') &&
      context.options.debug === true
    ) {
      context.warn(
        result.verifiedBy === 'size'
          ? `${remotePath}: the service reported no quickXorHash; only the size was compared`
          : `${remotePath}: the service reported neither a quickXorHash nor a size; the content was not checked`,
      );
    }
    await reportFile(
      context,
      'download',
      {
        localPath: target,
        remotePath,
        size: result.bytes,
        ok: true,
        verified: result.verified,
        quickXorHash:
          options.range === undefined
            ? (result.quickXorHash ?? item.file.hashes?.quickXorHash ?? null)
            : null,
        bytesTransferred: result.bytesTransferred,
        resumedFrom: result.resumedFrom ?? null,
      },
      newTally(),
    );
  } catch (error) {
    progress.end();
    bars.stop();
    throw withResumeHint(
      toCliError(error, { path: remotePath }),
      error,
      size,
      options.resume !== false && options.range === undefined,
      'get',
    );
  }
}

function rangeSize(range: ByteRange | undefined, size: number): number {
  if (range === undefined) {
    return size;
  }
  const end = Math.min(range.end ?? size - 1, size - 1);
  return end - range.start + 1;
}

async function getToStdout(
  drive: Drive,
  ref: ItemRef,
  options: GetOptions,
  context: CommandContext,
): Promise<void> {
  // A pass-through keeps the library from ending process.stdout, which must stay open.
  const pass = new PassThrough();
  const drained = new Promise<void>((resolve) => pass.on('end', resolve));
  pass.pipe(context.deps.stdout, { end: false });
  try {
    await drive.download(ref, pass, {
      ...signalOption(context),
      ...(options.range === undefined ? {} : { range: options.range }),
    });
  } catch (error) {
    pass.unpipe();
    throw toCliError(error, { path: options.item });
  }
  if (!pass.writableEnded) {
    pass.end();
  }
  await drained;
}

/** Choose the local file for a download. An existing local folder gets the remote name inside it. */
async function localTarget(
  context: CommandContext,
  local: string | undefined,
  name: string,
): Promise<string> {
  if (local === undefined) {
    return context.local(name);
  }
  const absolute = context.local(local);
  const stats = await stat(absolute).catch(() => undefined);
  if (stats?.isDirectory() === true || local.endsWith('/')) {
    if (stats === undefined) {
      throw new CliError(`${local}: no such local folder; create it first`);
    }
    return path.join(absolute, name);
  }
  const parent = await stat(path.dirname(absolute)).catch(() => undefined);
  if (parent?.isDirectory() !== true) {
    throw new CliError(
      `${local}: the local folder ${shownLocal(context, path.dirname(absolute))} does not exist; create it first`,
    );
  }
  return absolute;
}

async function getFolder(
  drive: Drive,
  item: DriveItem,
  options: GetOptions,
  context: CommandContext,
): Promise<void> {
  const folderName = item.root !== undefined ? 'OneDrive' : (item.name ?? 'download');
  const localDir = context.local(options.local ?? folderName);
  const existing = await stat(localDir).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new CliError(
      `${options.local ?? folderName}: a local file is in the way; give a folder path`,
    );
  }

  const tally = newTally();
  const pending: Promise<void>[] = [];
  const remote = itemPath(item);
  const ref: ItemRef = remote === undefined ? { id: item.id } : { path: remote };
  const bars = startTransferProgress(context, {
    progressJson: options.progressJson === true,
    totalBytes: item.size,
  });
  const active = new Map<string, FileProgress>();
  try {
    await drive.downloadFolder(ref, localDir, {
      ...signalOption(context),
      stateDir: stateDirOf(options, context),
      concurrency: options.transfers ?? 4,
      onFileProgress: (remotePath, done, size) => {
        let progress = active.get(remotePath);
        if (progress === undefined) {
          progress = bars.file(remotePath, path.posix.basename(remotePath), size);
          active.set(remotePath, progress);
        }
        progress.update(done);
      },
      onSkip: (remotePath, reason) => context.warn(`skipped ${remotePath}: ${reason}`),
      onFile: (result) => {
        active.get(result.remotePath)?.end();
        active.delete(result.remotePath);
        pending.push(reportFile(context, 'download', result, tally));
      },
    });
  } catch (error) {
    throw toCliError(error, { path: options.item });
  } finally {
    for (const progress of active.values()) {
      progress.end();
    }
    bars.stop();
    await Promise.all(pending);
  }
  if (context.deps.signal?.aborted === true) {
    throw new CliError(`cancelled after ${tally.files} downloaded files`, 2);
  }
  if (tally.failed > 0) {
    throw new CliError(
      `${tally.failed} of ${tally.files + tally.failed} files failed to download; see the messages above`,
    );
  }
  context.note(summaryLine('download', tally));
}

function stateDirOf(options: GetOptions, context: CommandContext): string | false {
  return options.resume === false ? false : defaultStateDir(context.deps.env);
}
