import { createReadStream } from 'node:fs';
import path from 'node:path';
import { QuickXorHash } from '@skydrive/quickxorhash';
import type { FileTransferResult } from '../../index.js';
import type { CommandContext } from '../context.js';
import { describeError, type ErrorSubject } from '../errors.js';
import { humanSize } from './format.js';
import type { TransferJson } from './json.js';

export type Direction = 'upload' | 'download';

/** Counts of one put/get run, for the summary line and the exit code. */
export interface TransferTally {
  files: number;
  bytes: number;
  failed: number;
}

export function newTally(): TransferTally {
  return { files: 0, bytes: 0, failed: 0 };
}

/** Format a local path as the user would type it: relative to the working directory when inside it. */
export function shownLocal(context: CommandContext, absolute: string): string {
  const relative = path.relative(context.deps.cwd, absolute);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative)
    ? absolute
    : relative;
}

/** One file's result; `error` may be any thrown value, not only a SkydriveError. */
export type FileOutcome = Omit<FileTransferResult, 'error'> & {
  error?: unknown;
  quickXorHash?: string | null;
};

/** Print one file's result: a text line (failures on stderr) or one NDJSON line. */
export async function reportFile(
  context: CommandContext,
  direction: Direction,
  result: FileOutcome,
  tally: TransferTally,
  subject: Omit<ErrorSubject, 'path'> = {},
): Promise<void> {
  const local = shownLocal(context, result.localPath);
  if (result.ok) {
    tally.files += 1;
    tally.bytes += result.size;
  } else {
    tally.failed += 1;
  }

  if (context.json) {
    const line: TransferJson = {
      path: result.remotePath,
      localPath: local,
      size: result.size,
      ...(direction === 'upload'
        ? { bytesSent: result.ok ? (result.bytesTransferred ?? result.size) : 0 }
        : { bytesReceived: result.ok ? (result.bytesTransferred ?? result.size) : 0 }),
      resumedFrom: result.ok ? (result.resumedFrom ?? null) : null,
      quickXorHash: result.ok ? await hashFor(result) : null,
      verified: result.ok && result.verified === true,
    };
    if (!result.ok) {
      line.error = {
        code: errorCode(result.error),
        message: describeError(result.error, { ...subject, path: result.remotePath }),
      };
    }
    context.printJson(line);
    return;
  }

  if (!result.ok) {
    const shownPath = direction === 'upload' ? local : result.remotePath;
    context.warn(
      `${direction} of ${shownPath} failed: ${describeError(result.error, { ...subject, path: result.remotePath })}`,
    );
    return;
  }
  const arrow =
    direction === 'upload'
      ? `uploaded ${local} -> ${result.remotePath}`
      : `downloaded ${result.remotePath} -> ${local}`;
  const resumed =
    typeof result.resumedFrom === 'number' ? `, resumed at ${humanSize(result.resumedFrom)}` : '';
  context.note(`${arrow} (${humanSize(result.size)}${resumed})`);
}

/** Format the summary after several files, e.g. 'uploaded 3 files, 1.2 KiB'. */
export function summaryLine(direction: Direction, tally: TransferTally): string {
  const verb = direction === 'upload' ? 'uploaded' : 'downloaded';
  const files = `${tally.files} file${tally.files === 1 ? '' : 's'}`;
  return `${verb} ${files}, ${humanSize(tally.bytes)}`;
}

/**
 * Return the file's quickXorHash for --json. Folder transfers report per-file
 * results without the item, so the hash is computed from the local copy,
 * which equals the remote content once the transfer was verified.
 */
async function hashFor(result: FileOutcome): Promise<string | null> {
  if (result.quickXorHash !== undefined) {
    return result.quickXorHash;
  }
  const hash = new QuickXorHash();
  try {
    for await (const chunk of createReadStream(result.localPath)) {
      hash.update(chunk as Buffer);
    }
  } catch {
    return null;
  }
  return hash.digest();
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}
