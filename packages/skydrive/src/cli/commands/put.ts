import path from 'node:path';
import { type Command, Option } from 'commander';
import type { Drive, DriveItem } from '../../index.js';
import { GraphError, joinRemotePath, validateName } from '../../index.js';
import type { CommandContext } from '../context.js';
import { CliError, parentOf, usageError } from '../errors.js';
import { toCliError } from '../exit-codes.js';
import { addGlobalOptions, type Invoke, signalOption } from '../global-options.js';
import { type PlannedSource, planUpload } from '../local-plan.js';
import { isContainer, itemPath } from '../output/format.js';
import { startProgress } from '../output/progress.js';
import { newTally, reportFile, summaryLine, type TransferTally } from '../output/transfer.js';

type Conflict = 'fail' | 'replace' | 'rename';

export interface PutOptions {
  locals: string[];
  /** Remote folder, or with one local file a full remote file path. */
  remote: string;
  recursive: boolean;
  conflict: Conflict;
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
    .addHelpText(
      'after',
      '\nExamples:\n  skydrive put report.pdf /Documents\n  skydrive put -r ./photos /Backup\n  skydrive put -n notes.txt /Documents/notes-2026.txt\n',
    )
    .action(
      (
        args: string[],
        options: { recursive?: boolean; conflict: Conflict; clobber?: boolean },
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
  for (const source of plan.sources) {
    if (source.kind === 'file') {
      await uploadFile(drive, source, destination, options, context, tally);
    } else {
      await uploadFolder(drive, source, destination.path, options, context, tally);
    }
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
): Promise<void> {
  const expected = destination.isFolder
    ? joinRemotePath(destination.path, source.name)
    : destination.path;
  const progress = startProgress(context, source.name, source.bytes, 'bytes');
  let item: DriveItem;
  try {
    item = await drive.upload(source.absolute, destination.ref, {
      ...signalOption(context),
      conflict: options.conflict,
      onProgress: (sent) => progress.update(sent),
    });
  } catch (error) {
    progress.stop();
    const folder = parentOf(expected);
    const subject = {
      path: expected,
      conflictHint: CONFLICT_HINT,
      notFound: `remote folder ${folder} not found; create it with: skydrive mkdir -p ${folder}`,
    };
    if (options.locals.length === 1) {
      throw toCliError(error, subject);
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
  progress.stop();
  const hash = item.file?.hashes?.quickXorHash ?? null;
  await reportFile(
    context,
    'upload',
    {
      localPath: source.absolute,
      remotePath: itemPath(item) ?? expected,
      size: item.size ?? source.bytes,
      ok: true,
      verified: hash !== null,
      quickXorHash: hash,
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
): Promise<void> {
  const progress = startProgress(context, source.name, source.files, 'files');
  const pending: Promise<void>[] = [];
  let done = 0;
  try {
    await drive.uploadFolder(source.absolute, remoteFolder, {
      ...signalOption(context),
      conflict: options.conflict,
      onFile: (result) => {
        done += 1;
        progress.update(done);
        pending.push(reportFile(context, 'upload', result, tally, { conflictHint: CONFLICT_HINT }));
      },
    });
  } catch (error) {
    throw toCliError(error, { path: joinRemotePath(remoteFolder, source.name) });
  } finally {
    progress.stop();
    await Promise.all(pending);
  }
}

/** Build one error that lists every problem on its own line, and ends with a line reporting that nothing was uploaded. */
function problemsError(problems: string[]): CliError {
  const count =
    problems.length === 1 ? 'the problem above' : `the ${problems.length} problems above`;
  return new CliError(
    `${problems.join('\nskydrive: ')}\nskydrive: nothing was uploaded; fix ${count} and try again`,
  );
}
