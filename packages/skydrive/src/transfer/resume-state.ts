import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { debuglog } from 'node:util';
import type { QuickXorHashState } from '@skydrive/quickxorhash';
import writeFileAtomic from 'write-file-atomic';

const log = debuglog('skydrive');

/** Layout version of the saved records; a record of another version is ignored. */
const STATE_VERSION = 1;

/** An upload session saved so that a later run can continue it. */
export interface UploadRecord {
  version: number;
  /** Absolute local path. */
  localPath: string;
  size: number;
  /** Modification time of the local file in ms; a different value means the file changed. */
  mtimeMs: number;
  /** Graph endpoint and remote target the session writes to. */
  target: string;
  uploadUrl: string;
  expirationDateTime?: string;
  /** Bytes the server had confirmed when the record was written. */
  offset: number;
  /** QuickXorHash of bytes 0 to `offset`. */
  hash: QuickXorHashState;
}

/** A partial download saved so that a later run can continue it. */
export interface DownloadRecord {
  version: number;
  /** Absolute path of the finished file; the bytes are in `<file>.partial`. */
  localPath: string;
  itemId: string;
  /** Strong ETag of the content the partial bytes came from. */
  eTag: string;
  size: number;
}

/**
 * Default folder of resume records: `$XDG_STATE_HOME/skydrive` or
 * `~/.local/state/skydrive`. A relative XDG_STATE_HOME is ignored, as the
 * XDG base directory spec requires.
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.XDG_STATE_HOME;
  if (fromEnv !== undefined && path.isAbsolute(fromEnv)) {
    return path.join(fromEnv, 'skydrive');
  }
  return path.join(env.HOME ?? homedir(), '.local', 'state', 'skydrive');
}

/** Saves, loads and removes resume records in one state folder. */
export class ResumeStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Record file of one transfer: the key hashes the local path and the remote side, so names stay short and safe. */
  fileFor(kind: 'uploads' | 'downloads', localPath: string, remote: string): string {
    const key = createHash('sha256').update(`${localPath}\n${remote}`).digest('hex').slice(0, 32);
    return path.join(this.dir, kind, `${key}.json`);
  }

  async load<T extends { version: number }>(file: string): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const record = JSON.parse(text) as T;
      return record.version === STATE_VERSION ? record : undefined;
    } catch {
      log('resume record %s is not valid JSON; ignoring it', file);
      return undefined;
    }
  }

  /** Write atomically (temporary file and rename), so a killed process leaves the old record or the new one. */
  async save(file: string, record: object): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFileAtomic(file, `${JSON.stringify({ ...record, version: STATE_VERSION })}\n`, {
      mode: 0o600,
    });
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }
}

export { STATE_VERSION };
