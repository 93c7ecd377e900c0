import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { QuickXorHash } from '@skydrive/quickxorhash';
import { newSecret } from '../ids.js';
import type { ConflictBehavior } from '../model/tree.js';

/** State of one upload session, saved as JSON next to its partial data. */
export interface UploadSession {
  token: string;
  username: string;
  driveId: string;
  parentId: string;
  name: string;
  /** Item the session replaces when it was created by item id. */
  targetItemId: string | null;
  conflictBehavior: ConflictBehavior;
  deferCommit: boolean;
  description: string | null;
  fsCreatedDateTime: string | null;
  fsModifiedDateTime: string | null;
  /** Total length from `fileSize` or the first fragment's Content-Range; null until known. */
  totalSize: number | null;
  /** Bytes received so far; fragments arrive in order, so they cover `0 .. received-1`. */
  received: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Running hashes of a session's received bytes. */
export interface SessionHashes {
  offset: number;
  sha1: Hash;
  sha256: Hash;
  quickXor: QuickXorHash;
}

/**
 * Upload sessions under `{root}/upload-sessions/`: `{token}.json` contains the
 * state and `{token}.data` the bytes received so far. The folder is separate
 * from the blob store's `tmp/`, which is emptied at start, because a
 * persistent emulator must still accept a session after a restart.
 */
export class UploadSessionStore {
  readonly dir: string;
  private readonly sessions = new Map<string, UploadSession>();
  private readonly hashes = new Map<string, SessionHashes>();
  /** Tokens with a fragment being received; a second concurrent PUT is rejected. */
  readonly busy = new Set<string>();

  constructor(root: string) {
    this.dir = path.join(root, 'upload-sessions');
  }

  /** Loads saved sessions and removes expired ones and stray files; returns how many remain. */
  async init(nowMs = Date.now()): Promise<number> {
    // Files here are named after upload URL tokens, so other local users must not list them.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const names = await readdir(this.dir);
    for (const name of names) {
      if (!name.endsWith('.json')) {
        continue;
      }
      const token = name.slice(0, -'.json'.length);
      try {
        const session = JSON.parse(await readFile(this.statePath(token), 'utf8')) as UploadSession;
        if (session.expiresAt > nowMs && session.token === token) {
          this.sessions.set(token, session);
        }
      } catch {
        // A state file that cannot be read is treated like an expired session.
      }
    }
    for (const name of names) {
      const token = name.replace(/\.(json|data|json\.tmp)$/, '');
      if (!this.sessions.has(token)) {
        await rm(path.join(this.dir, name), { force: true });
      }
    }
    return this.sessions.size;
  }

  /** Creates a session with an empty data file. */
  async create(fields: Omit<UploadSession, 'token' | 'received'>): Promise<UploadSession> {
    await this.sweep();
    const session: UploadSession = { ...fields, token: newSecret(), received: 0 };
    const handle = await open(this.dataPath(session.token), 'wx');
    await handle.close();
    await this.save(session);
    return session;
  }

  /** Returns a live session; an expired one is deleted and reads as missing. */
  async find(token: string, nowMs = Date.now()): Promise<UploadSession | undefined> {
    const session = this.sessions.get(token);
    if (!session) {
      return undefined;
    }
    if (session.expiresAt <= nowMs) {
      await this.delete(token);
      return undefined;
    }
    return session;
  }

  /** Writes the state atomically: a temporary file renamed over the old one. */
  async save(session: UploadSession): Promise<void> {
    const file = this.statePath(session.token);
    await writeFile(`${file}.tmp`, JSON.stringify(session));
    await rename(`${file}.tmp`, file);
    this.sessions.set(session.token, session);
  }

  async delete(token: string): Promise<void> {
    this.sessions.delete(token);
    this.hashes.delete(token);
    await rm(this.statePath(token), { force: true });
    await rm(this.dataPath(token), { force: true });
  }

  /** Expires every session, or those of one user; returns how many were removed. */
  async expireAll(username?: string): Promise<number> {
    const tokens = [...this.sessions.values()]
      .filter((session) => username === undefined || session.username === username)
      .map((session) => session.token);
    for (const token of tokens) {
      await this.delete(token);
    }
    return tokens.length;
  }

  /**
   * Returns hashes covering exactly the received bytes. After a restart or a
   * discarded fragment the running state is gone, so it is rebuilt by reading
   * the data file once.
   */
  async hashesOf(session: UploadSession): Promise<SessionHashes> {
    const current = this.hashes.get(session.token);
    if (current && current.offset === session.received) {
      return current;
    }
    const rebuilt: SessionHashes = {
      offset: 0,
      sha1: createHash('sha1'),
      sha256: createHash('sha256'),
      quickXor: new QuickXorHash(),
    };
    if (session.received > 0) {
      const stream = createReadStream(this.dataPath(session.token), {
        start: 0,
        end: session.received - 1,
      });
      for await (const chunk of stream) {
        updateHashes(rebuilt, chunk as Buffer);
      }
    }
    this.hashes.set(session.token, rebuilt);
    return rebuilt;
  }

  /** Drops running hashes, so the next fragment rebuilds them from the file. */
  forgetHashes(token: string): void {
    this.hashes.delete(token);
  }

  dataPath(token: string): string {
    return path.join(this.dir, `${token}.data`);
  }

  private statePath(token: string): string {
    return path.join(this.dir, `${token}.json`);
  }

  private async sweep(nowMs = Date.now()): Promise<void> {
    for (const session of [...this.sessions.values()]) {
      if (session.expiresAt <= nowMs && !this.busy.has(session.token)) {
        await this.delete(session.token);
      }
    }
  }
}

export function updateHashes(hashes: SessionHashes, chunk: Uint8Array): void {
  hashes.sha1.update(chunk);
  hashes.sha256.update(chunk);
  hashes.quickXor.update(chunk);
  hashes.offset += chunk.byteLength;
}
