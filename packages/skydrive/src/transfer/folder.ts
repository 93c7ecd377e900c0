import type { Dirent } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { joinRemotePath, normalisePath, validateName } from '../drive/addressing.js';
import { type DriveContext, locate } from '../drive/context.js';
import { getFolder, isFolderLike, listEntries, makeFolder, pathOfItem } from '../drive/items.js';
import type {
  FileTransferResult,
  FolderTransferOptions,
  FolderTransferResult,
  ItemRef,
  TransferReport,
} from '../drive/types.js';
import { SkydriveError } from '../errors.js';
import type { DriveItem } from '../graph/wire.js';
import { downloadKnownItem } from './download.js';
import { runPool } from './pool.js';
import { checkConflict, putFile } from './upload.js';

const DEFAULT_CONCURRENCY = 4;

interface LocalFile {
  localPath: string;
  remotePath: string;
  size: number;
  /** Set when the file is rejected before any request. */
  problem?: SkydriveError;
}

interface LocalTree {
  folders: string[];
  files: LocalFile[];
}

export async function uploadFolder(
  context: DriveContext,
  localDir: string,
  remoteParent: ItemRef,
  options: FolderTransferOptions,
): Promise<FolderTransferResult> {
  const conflict = checkConflict(options.conflict);
  await requireLocalFolder(localDir);
  const topName = path.basename(path.resolve(localDir));
  validateName(topName);

  const parentLocator = locate(context, remoteParent);
  const parentPath =
    parentLocator.kind === 'path'
      ? parentLocator.path
      : pathOfItem(await getFolder(context, parentLocator));
  const tree: LocalTree = { folders: [], files: [] };
  await scan(localDir, joinRemotePath(parentPath, topName), tree, undefined);

  // Folders first, parents before children, so every PUT has its folder.
  await makeFolder(context, joinRemotePath(parentPath, topName), true);
  for (const folder of tree.folders) {
    await makeFolder(context, folder, true);
  }

  const results = await runPool(
    tree.files,
    options.concurrency ?? DEFAULT_CONCURRENCY,
    async (file): Promise<FileTransferResult> => {
      const result = await uploadOne(context, file, conflict, options);
      options.onFile?.(result);
      return result;
    },
  );
  return summarise(results, tree.folders.length + 1);
}

async function uploadOne(
  context: DriveContext,
  file: LocalFile,
  conflict: NonNullable<FolderTransferOptions['conflict']>,
  options: FolderTransferOptions,
): Promise<FileTransferResult> {
  const base = { localPath: file.localPath, remotePath: file.remotePath, size: file.size };
  if (file.problem !== undefined) {
    return { ...base, ok: false, error: file.problem };
  }
  try {
    const cut = file.remotePath.lastIndexOf('/');
    let report: TransferReport | undefined;
    await putFile(
      context,
      file.localPath,
      file.size,
      {
        parent: { kind: 'path', path: normalisePath(file.remotePath.slice(0, cut)) },
        name: file.remotePath.slice(cut + 1),
      },
      {
        conflict,
        signal: options.signal,
        fragmentSize: options.fragmentSize,
        stateDir: options.stateDir,
        onProgress: (sent) => options.onFileProgress?.(file.remotePath, sent, file.size),
        onComplete: (done) => {
          report = done;
        },
      },
    );
    return {
      ...base,
      ok: true,
      verified: report !== undefined && report.verifiedBy !== 'none',
      bytesTransferred: report?.bytesTransferred,
      resumedFrom: report?.resumedFrom ?? null,
      quickXorHash: report?.quickXorHash,
    };
  } catch (error) {
    return { ...base, ok: false, error: asSkydriveError(error, file.localPath) };
  }
}

/**
 * Walk a local folder. Names that OneDrive rejects become per-file errors.
 * So do names that differ from a sibling only by case, because OneDrive
 * folders are case-insensitive and the second file would overwrite the first.
 */
async function scan(
  localDir: string,
  remoteDir: string,
  tree: LocalTree,
  inherited: SkydriveError | undefined,
): Promise<void> {
  const entries = await readdir(localDir, { withFileTypes: true });
  // Code-point order, so the first of two names that differ only by case is stable.
  entries.sort((a, b) => compareNames(a.name, b.name));
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const localPath = path.join(localDir, entry.name);
    const remotePath = `${remoteDir}/${entry.name}`;
    const problem = inherited ?? nameProblem(entry.name, seen);
    const kind = await kindOf(entry, localPath);
    if (kind === 'folder') {
      if (problem === undefined) {
        tree.folders.push(remotePath);
      }
      await scan(localPath, remotePath, tree, problem);
    } else if (kind === 'file') {
      const size = (await stat(localPath)).size;
      tree.files.push({ localPath, remotePath, size, problem });
    }
  }
}

function compareNames(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function nameProblem(name: string, seen: Map<string, string>): SkydriveError | undefined {
  try {
    validateName(name);
  } catch (error) {
    return error as SkydriveError;
  }
  const other = seen.get(name.toLowerCase());
  if (other !== undefined) {
    return new SkydriveError(
      'INVALID_NAME',
      `invalid name ${JSON.stringify(name)}: it differs from ${JSON.stringify(other)} only by case, and OneDrive folders ignore case; rename one of them`,
    );
  }
  seen.set(name.toLowerCase(), name);
  return undefined;
}

/** Symbolic links to files are followed; links to folders are skipped, to avoid cycles. */
async function kindOf(entry: Dirent, localPath: string): Promise<'file' | 'folder' | 'other'> {
  if (entry.isDirectory()) {
    return 'folder';
  }
  if (entry.isFile()) {
    return 'file';
  }
  if (entry.isSymbolicLink()) {
    const target = await stat(localPath).catch(() => undefined);
    return target?.isFile() ? 'file' : 'other';
  }
  return 'other';
}

async function requireLocalFolder(localDir: string): Promise<void> {
  const stats = await stat(localDir).catch(() => undefined);
  if (stats === undefined) {
    throw new SkydriveError('LOCAL_FILE_NOT_FOUND', `local folder ${localDir} does not exist`);
  }
  if (!stats.isDirectory()) {
    throw new SkydriveError('NOT_A_FOLDER', `${localDir} is a file, not a folder`);
  }
}

export async function downloadFolder(
  context: DriveContext,
  folder: ItemRef,
  localDir: string,
  options: FolderTransferOptions,
): Promise<FolderTransferResult> {
  const locator = locate(context, folder);
  const top = await getFolder(context, locator);
  const topPath = locator.kind === 'path' ? locator.path : pathOfItem(top);
  const root = path.resolve(localDir);
  await mkdir(root, { recursive: true });

  let folders = 0;
  const files: { item: DriveItem; localPath: string; remotePath: string }[] = [];
  const rejected: FileTransferResult[] = [];
  const skippedPackages: string[] = [];
  for await (const entry of listEntries(context, { id: top.id }, { recursive: true })) {
    const relative = topPath === '/' ? entry.path.slice(1) : entry.path.slice(topPath.length + 1);
    const remotePath = joinRemotePath(topPath, relative);
    const localPath = path.join(root, ...relative.split('/'));
    if (skippedPackages.some((skipped) => remotePath.startsWith(`${skipped}/`))) {
      continue;
    }
    if (entry.package !== undefined) {
      skippedPackages.push(remotePath);
      options.onSkip?.(remotePath, 'a OneNote notebook (package) has no content to download');
      continue;
    }
    if (!localPath.startsWith(`${root}${path.sep}`)) {
      rejected.push(
        rejection(localPath, remotePath, entry, 'its name would leave the target folder'),
      );
    } else if (entry.file !== undefined) {
      files.push({ item: entry, localPath, remotePath });
    } else if (isFolderLike(entry) && entry.package === undefined) {
      await mkdir(localPath, { recursive: true });
      folders++;
    } else {
      rejected.push(rejection(localPath, remotePath, entry, 'it is neither a file nor a folder'));
    }
  }
  for (const result of rejected) {
    options.onFile?.(result);
  }

  const results = await runPool(
    files,
    options.concurrency ?? DEFAULT_CONCURRENCY,
    async (file): Promise<FileTransferResult> => {
      const base = {
        localPath: file.localPath,
        remotePath: file.remotePath,
        size: file.item.size ?? 0,
      };
      let result: FileTransferResult;
      try {
        const done = await downloadKnownItem(context, file.item, file.localPath, {
          signal: options.signal,
          stateDir: options.stateDir,
          onProgress: (received) => options.onFileProgress?.(file.remotePath, received, base.size),
        });
        result = {
          ...base,
          size: done.bytes,
          ok: true,
          verified: done.verified,
          bytesTransferred: done.bytesTransferred,
          resumedFrom: done.resumedFrom ?? null,
          quickXorHash: done.quickXorHash,
        };
      } catch (error) {
        result = { ...base, ok: false, error: asSkydriveError(error, file.remotePath) };
      }
      options.onFile?.(result);
      return result;
    },
  );
  return summarise([...rejected, ...results], folders + 1);
}

function rejection(
  localPath: string,
  remotePath: string,
  item: DriveItem,
  reason: string,
): FileTransferResult {
  return {
    localPath,
    remotePath,
    size: item.size ?? 0,
    ok: false,
    error: new SkydriveError('NOT_A_FILE', `skipped ${remotePath}: ${reason}`),
  };
}

function summarise(files: FileTransferResult[], folders: number): FolderTransferResult {
  let bytes = 0;
  let failed = 0;
  for (const file of files) {
    if (file.ok) {
      bytes += file.size;
    } else {
      failed++;
    }
  }
  return { files, folders, bytes, failed };
}

function asSkydriveError(error: unknown, subject: string): SkydriveError {
  if (error instanceof SkydriveError) {
    return error;
  }
  return new SkydriveError('NETWORK_ERROR', `${subject}: ${(error as Error).message}`, {
    cause: error,
  });
}
