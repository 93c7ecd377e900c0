import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, type Readable, Transform } from 'node:stream';
import { QuickXorHash } from '@skydrive/quickxorhash';
import {
  baseName,
  parentPath,
  parseItemRef,
  validateName,
  validatePath,
} from '../drive/addressing.js';
import type { DriveContext } from '../drive/context.js';
import { findItem, isFolderLike } from '../drive/items.js';
import type { ConflictBehavior, ItemRef, UploadOptions } from '../drive/types.js';
import { SkydriveError } from '../errors.js';
import { childUrlPath, type ItemLocator, queryString } from '../graph/url.js';
import type { DriveItem } from '../graph/wire.js';
import { verifyContent } from './hash.js';
import { uploadInSession } from './session.js';

/**
 * Largest file sent in one PUT, in bytes (250 MB). Graph documents 4 MB for
 * older services and 250 MB today; larger files need upload sessions.
 */
export const SIMPLE_UPLOAD_MAX_BYTES = 250 * 1000 * 1000;

/**
 * Files larger than this go through an upload session, in bytes (4 MiB).
 * Sessions survive a lost connection and can be resumed. A file of 0 bytes
 * cannot use one, because a fragment must contain at least one byte.
 */
export const SESSION_THRESHOLD_BYTES = 4 * 1024 * 1024;

const CONFLICT_BEHAVIORS: readonly ConflictBehavior[] = ['fail', 'replace', 'rename'];

/** Upload destination: a parent folder and the name inside it. */
export interface UploadTarget {
  parent: ItemLocator;
  name: string;
}

export async function uploadFile(
  context: DriveContext,
  localFile: string,
  destination: ItemRef,
  options: UploadOptions,
): Promise<DriveItem> {
  const conflict = checkConflict(options.conflict);
  const stats = await statLocalFile(localFile);
  const target = await resolveTarget(context, localFile, destination, options.name);
  return putFile(context, localFile, stats.size, target, { ...options, conflict });
}

export function checkConflict(conflict: ConflictBehavior | undefined): ConflictBehavior {
  const value = conflict ?? 'replace';
  if (!CONFLICT_BEHAVIORS.includes(value)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `conflict ${JSON.stringify(value)} must be one of ${CONFLICT_BEHAVIORS.join(', ')}`,
    );
  }
  return value;
}

export async function statLocalFile(localFile: string): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await stat(localFile);
  } catch (error) {
    throw new SkydriveError('LOCAL_FILE_NOT_FOUND', `local file ${localFile} does not exist`, {
      cause: error,
    });
  }
  if (!stats.isFile()) {
    throw new SkydriveError(
      'NOT_A_FILE',
      `${localFile} is ${stats.isDirectory() ? 'a folder; upload folders with uploadFolder' : 'not a regular file'}`,
    );
  }
  return stats;
}

/**
 * Resolve the destination: a folder (the file keeps its name) or, when no name
 * is given and no folder exists there, the full path of the remote file. Names
 * are validated before any request unless a lookup decides which name is used.
 */
async function resolveTarget(
  context: DriveContext,
  localFile: string,
  destination: ItemRef,
  name: string | undefined,
): Promise<UploadTarget> {
  const parsed = parseItemRef(destination, context.addressing);
  if (parsed.kind === 'path') {
    validatePath(parsed.path);
  }
  if (name !== undefined) {
    validateName(name);
    return { parent: parsed, name };
  }

  const localName = path.basename(localFile);
  const clearlyFolder =
    parsed.kind === 'id' ||
    parsed.path === '/' ||
    (typeof destination === 'string' && destination.endsWith('/'));
  if (clearlyFolder) {
    validateName(localName);
    return { parent: parsed, name: localName };
  }

  const existing = await findItem(context, parsed);
  if (existing !== undefined && isFolderLike(existing)) {
    validateName(localName);
    return { parent: parsed, name: localName };
  }
  return { parent: { ...parsed, path: parentPath(parsed.path) }, name: baseName(parsed.path) };
}

/** Upload a file: in one PUT up to SESSION_THRESHOLD_BYTES, else through an upload session. */
export async function putFile(
  context: DriveContext,
  localFile: string,
  size: number,
  target: UploadTarget,
  options: UploadOptions & { conflict: ConflictBehavior },
): Promise<DriveItem> {
  if (size > SESSION_THRESHOLD_BYTES) {
    const stats = await statLocalFile(localFile);
    const { item, report } = await uploadInSession(context, localFile, stats, target, options);
    options.onComplete?.(report);
    return item;
  }
  return putSimple(context, localFile, size, target, options);
}

/** Upload a file in one PUT, re-reading the file on every attempt. */
async function putSimple(
  context: DriveContext,
  localFile: string,
  size: number,
  target: UploadTarget,
  options: UploadOptions & { conflict: ConflictBehavior },
): Promise<DriveItem> {
  if (size > SIMPLE_UPLOAD_MAX_BYTES) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `${localFile} has ${size} bytes; one upload request takes at most ${SIMPLE_UPLOAD_MAX_BYTES} bytes (upload sessions for larger files are not supported yet)`,
    );
  }

  let hash = new QuickXorHash();
  let sent = 0;
  const freshBody = (): Readable => {
    hash = new QuickXorHash();
    sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        sent += chunk.length;
        options.onProgress?.(sent);
        done(null, chunk);
      },
    });
    return pipeline(createReadStream(localFile), counter, () => undefined);
  };

  const url = `${childUrlPath(target.parent, target.name, 'content')}${queryString({ '@microsoft.graph.conflictBehavior': options.conflict })}`;
  const item = await context.graph.json<DriveItem>({
    method: 'PUT',
    url,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: freshBody,
    signal: options.signal,
  });

  const subject = `upload ${localFile}`;
  if (hash.length !== size) {
    throw new SkydriveError(
      'HASH_MISMATCH',
      `${subject}: sent ${hash.length} bytes but the file had ${size} when the upload started; it changed while uploading`,
    );
  }
  const check = verifyContent(item, { hash, size }, subject);
  if (!check.ok) {
    throw new SkydriveError(
      'HASH_MISMATCH',
      `${subject}: the uploaded copy does not match the local file: ${check.reason}; upload it again`,
    );
  }
  options.onComplete?.({
    bytesTransferred: size,
    resumedFrom: null,
    quickXorHash: hash.digest(),
    verifiedBy: check.method,
  });
  return item;
}
