/** Assertions on Graph replies and driveItem shapes, written from the Graph documentation. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { quickXorHash } from '@skydrive/quickxorhash';
import type { Reply } from './http.ts';
import type { IdentitySet, WireError, WireItem } from './wire.ts';

/**
 * Top-level `error.code` values that the OneDrive API documents for driveItem
 * operations. Finer codes belong in `innerError.code`.
 */
export const DOCUMENTED_ERROR_CODES = [
  'accessDenied',
  'activityLimitReached',
  'generalException',
  'invalidRange',
  'invalidRequest',
  'itemNotFound',
  'malwareDetected',
  'nameAlreadyExists',
  'notAllowed',
  'notSupported',
  'resourceModified',
  'resyncRequired',
  'serviceNotAvailable',
  'quotaLimitReached',
  'unauthenticated',
];

/** Asserts a Graph error reply: status, `error.code` among `codes`, and the inner error fields. */
export function assertGraphError(reply: Reply, status: number, codes: string | string[]): void {
  const allowed = Array.isArray(codes) ? codes : [codes];
  assert.equal(reply.status, status, `expected ${status}, got ${reply.status}: ${reply.text()}`);
  assert.match(reply.header('content-type') ?? '', /^application\/json/);
  const body = reply.json<WireError>();
  assert.ok(body.error, `error body lacks "error": ${reply.text()}`);
  assert.ok(
    allowed.includes(body.error.code ?? ''),
    `error.code ${body.error.code} is not one of ${allowed.join(', ')}`,
  );
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.innerError, `error body lacks innerError: ${reply.text()}`);
  assert.equal(typeof body.error.innerError.date, 'string');
  assert.ok(
    !Number.isNaN(Date.parse(body.error.innerError.date ?? '')),
    `innerError.date ${body.error.innerError.date} is not a date`,
  );
  assert.equal(typeof body.error.innerError['request-id'], 'string');
}

/** Asserts a 4xx status, for guards whose exact status the Graph docs leave open. */
export function assertClientError(reply: Reply): void {
  assert.ok(reply.status >= 400, `expected a 4xx status, got ${reply.status}: ${reply.text()}`);
  assert.ok(reply.status < 500, `expected a 4xx status, got ${reply.status}: ${reply.text()}`);
}

/** Personal item ids have the form `{16 hex digits}!{n}` and never contain `#`. */
export const ITEM_ID_PATTERN = /^[0-9A-Fa-f]{16}![0-9]+$/;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function assertTimestamp(value: unknown, label: string): void {
  assert.equal(typeof value, 'string', `${label} must be a string`);
  assert.match(value as string, ISO_DATE, `${label} must be an ISO 8601 timestamp`);
}

function assertIdentity(identity: IdentitySet | undefined, label: string): void {
  assert.ok(identity, `${label} is missing`);
  assert.equal(typeof identity, 'object', `${label} must be an identitySet`);
  const user = identity.user ?? identity.application;
  assert.ok(user, `${label} must name a user or application`);
  assert.equal(typeof user.displayName, 'string', `${label}.displayName must be a string`);
}

/** Asserts the properties every driveItem carries, and the file or folder facet. */
export function assertItemShape(item: WireItem, kind: 'file' | 'folder'): void {
  assert.match(item.id, ITEM_ID_PATTERN);
  assert.equal(typeof item.name, 'string');
  assert.match(item.eTag ?? '', /^".+"$/, 'eTag must be a quoted string');
  assert.match(item.cTag ?? '', /^".+"$/, 'cTag must be a quoted string');
  assert.ok(Number.isInteger(item.size), 'size must be an integer');
  assert.ok((item.size as number) >= 0, 'size must not be negative');
  assertTimestamp(item.createdDateTime, 'createdDateTime');
  assertTimestamp(item.lastModifiedDateTime, 'lastModifiedDateTime');
  assert.ok(item.fileSystemInfo, 'fileSystemInfo is missing');
  assertTimestamp(item.fileSystemInfo.createdDateTime, 'fileSystemInfo.createdDateTime');
  assertTimestamp(item.fileSystemInfo.lastModifiedDateTime, 'fileSystemInfo.lastModifiedDateTime');
  assertIdentity(item.createdBy, 'createdBy');
  assertIdentity(item.lastModifiedBy, 'lastModifiedBy');
  assert.equal(typeof item.webUrl, 'string', 'webUrl must be a string');
  assert.doesNotThrow(() => new URL(item.webUrl as string), 'webUrl must be an absolute URL');

  const parent = item.parentReference;
  assert.ok(parent, 'parentReference is missing');
  assert.equal(typeof parent.driveId, 'string');
  assert.equal(parent.driveType, 'personal');
  assert.match(parent.id ?? '', ITEM_ID_PATTERN);
  assert.match(
    parent.path ?? '',
    /^\/drive\/root:/,
    'parentReference.path must start at /drive/root:',
  );

  if (kind === 'file') {
    assert.ok(item.file, 'file facet is missing');
    assert.equal(item.folder, undefined, 'a file must not carry a folder facet');
    assert.equal(typeof item.file.mimeType, 'string');
    assert.ok(item.file.hashes, 'file.hashes is missing');
    assert.equal(typeof item['@microsoft.graph.downloadUrl'], 'string', 'downloadUrl is missing');
  } else {
    assert.ok(item.folder, 'folder facet is missing');
    assert.equal(item.file, undefined, 'a folder must not carry a file facet');
    assert.ok(Number.isInteger(item.folder.childCount), 'folder.childCount must be an integer');
  }
}

/** Asserts that the three hashes on `item` match `content`, computed independently. */
export function assertHashes(item: WireItem, content: Buffer): void {
  const hashes = item.file?.hashes;
  assert.ok(hashes, 'file.hashes is missing');
  assert.equal(hashes.quickXorHash, quickXorHash(content));
  const sha1 = createHash('sha1').update(content).digest('hex');
  const sha256 = createHash('sha256').update(content).digest('hex');
  // Graph writes the hex digests in upper case; the letters' case carries no meaning.
  assert.equal(hashes.sha1Hash?.toLowerCase(), sha1);
  assert.equal(hashes.sha256Hash?.toLowerCase(), sha256);
}

/** Decodes `parentReference.path`, which Graph may send percent-encoded. */
export function decodeParentPath(path: string | undefined): string {
  assert.equal(typeof path, 'string', 'parentReference.path must be a string');
  return decodeURIComponent(path as string);
}
