import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Drive, DriveItem, TransferReport } from '../../index.js';
import {
  checkFragmentSize,
  defaultStateDir,
  GraphError,
  joinRemotePath,
  parseByteSize,
  SkydriveError,
  validateName,
} from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError, parentOf, usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, positiveInteger, signalOption } from '../global-options.js';
import { type PlannedSource, planUpload } from '../local-plan.js';
import { isContainer, itemPath } from '../output/format.js';
import { newTally, reportFile, summaryLine, type TransferTally } from '../output/transfer.js';
import {
  type FileProgress,
  startTransferProgress,
  type TransferProgress,
  withResumeHint,
} from '../transfer-progress.js';

type Conflict = 'fail' | 'replace' | 'rename';

export interface PutOptions {
  locals: string[];
  /** Remote folder, or with one local file a full remote file path. */
  remote: string;
  recursive: boolean;
  conflict: Conflict;
  /** Upload-session fragment size in bytes; the library default when undefined. */
  fragmentSize?: number;
  /** Files in flight at once within a folder. */
  transfers: number;
  /** Emit JSON progress events on stderr. */
  progressJson: boolean;
  /** Continue saved upload sessions; false starts every file over. */
  resume: boolean;
}

/** Parse --fragment-size: bytes or a KiB/MiB size that follows the upload-session fragment rules. */
export function parseFragmentSize(value: string): number {
  try {
    return checkFragmentSize(parseByteSize(value));
  } catch (error) {
    throw new InvalidArgumentError(error instanceof SkydriveError ? error.message : String(error));
  }
}

const CONFLICT_HINT = 'use --conflict replace to overwrite it or --conflict rename to keep both';

export function register(program: Command, invoke: Invoke): Command {
  const command = program
    .command('put')
    .usage('[options] <local...> [remote-folder]')
    .summary('upload files and folders')
    .description(
      'Upload local files (and folders with -r) into a remote folder. With more than one argument the last one is the remote folder, which must exist; with one argument the upload goes to the root. With one file, the remote argument may also be a new file path. Every name is checked before anything is sent: a bad name or two names that differ only by case stop the whole upload.',
    )
    .argument('<local...>', 'local files or folders, then the remote folder')
    .option('-r, --recursive', 'upload folders with everything in them')
    .addOption(
      new Option('--conflict <mode>', 'when the remote name exists: fail, replace or rename')
        .choices(['fail', 'replace', 'rename'])
        .default('replace'),
    )
    .option('-n, --no-clobber', 'same as --conflict fail: never overwrite')
    .option(
      '--fragment-size <size>',
      'bytes per upload-session fragment, with optional KiB/MiB suffix: a multiple of 320 KiB below 60 MiB (default 10MiB)',
      parseFragmentSize,
    )
    .option(
      '--transfers <n>',
      'files uploaded at once within a folder (default 4)',
      positiveInteger('--transfers', 64),
    )
    .option('--progress-json', 'print progress events as JSON lines on stderr')
    .option('--no-resume', 'start over instead of continuing a saved upload session')
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive put report.pdf /Documents\n  skydrive put -r ./photos /Backup\n  skydrive put -n notes.txt /Documents/notes-2026.txt\n',
    )
    .action(
      (
        args: string[],
        options: {
          recursive?: boolean;
          conflict: Conflict;
          clobber?: boolean;
          fragmentSize?: number;
          transfers?: number;
          progressJson?: boolean;
          resume?: boolean;
        },
        cmd: Command,
      ) =>
        invoke(cmd, async (context) => {
          if (
            options.clobber === false &&
            cmd.getOptionValueSource('conflict') === 'cli' &&
            options.conflict !== 'fail'
          ) {
            throw usageError(
              `-n cannot be combined with --conflict ${options.conflict}; choose one`,
            );
          }
          const locals = args.length > 1 ? args.slice(0, -1) : args;
          const remote = args.length > 1 ? (args.at(-1) ?? '/') : '/';
          await run(
            {
              locals,
              remote,
              recursive: options.recursive === true,
              conflict: options.clobber === false ? 'fail' : options.conflict,
              fragmentSize: options.fragmentSize,
              transfers: options.transfers ?? 4,
              progressJson: options.progressJson === true,
              resume: options.resume !== false,
            },
            context,
          );
        }),
    );
  return addGlobalOptions(command);
}

export async function run(options: PutOptions, context: CommandContext): Promise<void> {
  // 1. Check every local file and name before any request.
  const plan = await planUpload(options.locals, {
    recursive: options.recursive,
    cwd: context.deps.cwd,
  });
  if (plan.problems.length > 0) {
    throw problemsError(plan.problems);
  }

  // 2. Resolve where the files go.
  const drive = await context.drive();
  const single = plan.sources.length === 1 && plan.sources[0]?.kind === 'file';
  const destination = await resolveDestination(drive, options.remote, single);

  // 3. Upload, one line per file.
  const tally = newTally();
  const progress = startTransferProgress(context, {
    progressJson: options.progressJson,
    totalBytes: single ? undefined : plan.sources.reduce((sum, source) => sum + source.bytes, 0),
  });
  try {
    for (const source of plan.sources) {
      if (source.kind === 'file') {
        await uploadFile(drive, source, destination, options, context, tally, progress);
      } else {
        await uploadFolder(drive, source, destination.path, options, context, tally, progress);
      }
    }
  } finally {
    progress.stop();
  }

  if (context.deps.signal?.aborted === true) {
    throw new CliError(`cancelled after ${tally.files} uploaded files`, 2);
  }
  if (tally.failed > 0) {
    const total = tally.files + tally.failed;
    throw new CliError(
      `${tally.failed} of ${total} files failed to upload; see the messages above`,
    );
  }
  if (!single) {
    context.note(summaryLine('upload', tally));
  }
}

interface Destination {
  /** The remote argument as given to the library. */
  ref: string;
  /** Normalised drive path of the folder, or of the file for a single-file upload to a new path. */
  path: string;
  isFolder: boolean;
}

async function resolveDestination(
  drive: Drive,
  remote: string,
  single: boolean,
): Promise<Destination> {
  const wantsFolder = !single || remote.endsWith('/');
  let item: DriveItem | undefined;
  try {
    item = await drive.info(remote);
  } catch (error) {
    if (!(error instanceof GraphError && error.status === 404)) {
      throw toCliError(error, { path: remote });
    }
  }
  if (item === undefined) {
    if (wantsFolder) {
      throw new CliError(
        `${remote}: remote folder not found; create it with: skydrive mkdir -p ${remote}`,
      );
    }
    // One file to a new remote path: that path's last segment becomes its name.
    const target = joinRemotePath(remote);
    try {
      validateName(path.posix.basename(target));
    } catch (error) {
      throw toCliError(error, { path: remote });
    }
    return { ref: remote, path: target, isFolder: false };
  }
  if (!isContainer(item)) {
    if (wantsFolder) {
      throw new CliError(`${remote}: not a folder; the last argument must be a remote folder`);
    }
    return { ref: remote, path: itemPath(item) ?? joinRemotePath(remote), isFolder: false };
  }
  return { ref: remote, path: itemPath(item) ?? joinRemotePath(remote), isFolder: true };
}

async function uploadFile(
  drive: Drive,
  source: PlannedSource,
  destination: Destination,
  options: PutOptions,
  context: CommandContext,
  tally: TransferTally,
  bars: TransferProgress,
): Promise<void> {
  const expected = destination.isFolder
    ? joinRemotePath(destination.path, source.name)
    : destination.path;
  const progress = bars.file(expected, source.name, source.bytes);
  let item: DriveItem;
  let report: TransferReport | undefined;
  try {
    item = await drive.upload(source.absolute, destination.ref, {
      ...signalOption(context),
      ...transferOptions(options, context),
      conflict: options.conflict,
      onProgress: (sent) => progress.update(sent),
      onComplete: (done) => {
        report = done;
      },
    });
  } catch (error) {
    progress.end();
    const folder = parentOf(expected);
    const subject = {
      path: expected,
      conflictHint: CONFLICT_HINT,
      notFound: `remote folder ${folder} not found; create it with: skydrive mkdir -p ${folder}`,
    };
    if (options.locals.length === 1) {
      throw withResumeHint(toCliError(error, subject), error, source.bytes, options.resume, 'put');
    }
    await reportFile(
      context,
      'upload',
      { localPath: source.absolute, remotePath: expected, size: source.bytes, ok: false, error },
      tally,
      subject,
    );
    return;
  }
  progress.end();
  if (
    (report?.verifiedBy === 'size' || report?.verifiedBy === 'none') &&
    context.options.debug === true
  ) {
    context.warn(
      report.verifiedBy === 'size'
        ? `${expected}: the service reported no quickXorHash; only the size was compared`
        : `${expected}: the service reported neither a quickXorHash nor a size; the content was not checked`,
    );
  }
  const hash = report?.quickXorHash ?? item.file?.hashes?.quickXorHash ?? null;
  await reportFile(
    context,
    'upload',
    {
      localPath: source.absolute,
      remotePath: itemPath(item) ?? expected,
      size: item.size ?? source.bytes,
      ok: true,
      verified: report !== undefined && report.verifiedBy !== 'none',
      quickXorHash: hash,
      bytesTransferred: report?.bytesTransferred,
      resumedFrom: report?.resumedFrom ?? null,
    },
    tally,
  );
}

async function uploadFolder(
  drive: Drive,
  source: PlannedSource,
  remoteFolder: string,
  options: PutOptions,
  context: CommandContext,
  tally: TransferTally,
  bars: TransferProgress,
): Promise<void> {
  const pending: Promise<void>[] = [];
  const active = new Map<string, FileProgress>();
  try {
    await drive.uploadFolder(source.absolute, remoteFolder, {
      ...signalOption(context),
      ...transferOptions(options, context),
      conflict: options.conflict,
      concurrency: options.transfers,
      onFileProgress: (remotePath, done, size) => {
        let progress = active.get(remotePath);
        if (progress === undefined) {
          progress = bars.file(remotePath, path.posix.basename(remotePath), size);
          active.set(remotePath, progress);
        }
        progress.update(done);
      },
      onFile: (result) => {
        active.get(result.remotePath)?.end();
        active.delete(result.remotePath);
        pending.push(reportFile(context, 'upload', result, tally, { conflictHint: CONFLICT_HINT }));
      },
    });
  } catch (error) {
    throw toCliError(error, { path: joinRemotePath(remoteFolder, source.name) });
  } finally {
    for (const progress of active.values()) {
      progress.end();
    }
    await Promise.all(pending);
  }
}

/** Library options shared by file and folder uploads. */
function transferOptions(
  options: PutOptions,
  context: CommandContext,
): { fragmentSize?: number; stateDir: string | false } {
  return {
    ...(options.fragmentSize === undefined ? {} : { fragmentSize: options.fragmentSize }),
    stateDir: options.resume ? defaultStateDir(context.deps.env) : false,
  };
}

/** Build one error that lists every problem on its own line, and ends with a line reporting that nothing was uploaded. */
function problemsError(problems: string[]): CliError {
  const count =
    problems.length === 1 ? 'the problem above' : `the ${problems.length} problems above`;
  return new CliError(
    `${problems.join('\nskydrive: ')}\nskydrive: nothing was uploaded; fix ${count} and try again`,
  );
}
