/**
 * Helpers for the conformance tests of the identity flows and the newer drive
 * features: form posts, identity error checks, PKCE values, control routes
 * and the wire shapes these tests read.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Agent } from 'undici';
import { type Reply, send } from './http.ts';
import type { TokenResponse, WireItem } from './wire.ts';

/** Sends an `application/x-www-form-urlencoded` POST. */
export function postForm(
  dispatcher: Agent,
  url: string,
  fields: Record<string, string>,
): Promise<Reply> {
  return send(dispatcher, 'POST', url, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Sends a JSON POST to a control route under `{url}/_emulator/`. */
export function postControl(
  dispatcher: Agent,
  baseUrl: string,
  route: string,
  body: unknown,
): Promise<Reply> {
  return send(dispatcher, 'POST', `${baseUrl}/_emulator/${route}`, {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Asserts the identity platform error shape with the expected `error` code. */
export function assertIdentityError(reply: Reply, status: number, code: string): TokenResponse {
  assert.equal(
    reply.status,
    status,
    `expected ${status} ${code}, got ${reply.status}: ${reply.text()}`,
  );
  const body = reply.json<TokenResponse>();
  assert.equal(body.error, code);
  assert.match(body.error_description ?? '', /^AADSTS\d+: /);
  assert.ok(Array.isArray(body.error_codes), 'error_codes must be an array');
  const codes = body.error_codes as unknown[];
  assert.ok(codes.length > 0, 'error_codes must not be empty');
  for (const value of codes) {
    assert.ok(Number.isInteger(value), 'error_codes must contain integers');
  }
  const described = /^AADSTS(\d+)/.exec(body.error_description ?? '')?.[1];
  assert.ok(codes.includes(Number(described)), 'error_codes must contain the AADSTS number');
  assert.equal(typeof body.timestamp, 'string');
  assert.equal(typeof body.trace_id, 'string');
  assert.equal(typeof body.correlation_id, 'string');
  return body;
}

/** Generates a PKCE verifier (64 base64url characters) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

/** Reads the `name`/`value` pairs of the hidden inputs of an HTML form. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input\b[^>]*>/gi)) {
    const tag = match[0];
    if (!/type\s*=\s*"hidden"/i.test(tag)) {
      continue;
    }
    const name = /name\s*=\s*"([^"]*)"/i.exec(tag)?.[1];
    const value = /value\s*=\s*"([^"]*)"/i.exec(tag)?.[1] ?? '';
    if (name !== undefined) {
      fields[decodeHtml(name)] = decodeHtml(value);
    }
  }
  return fields;
}

function decodeHtml(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A sharing permission as Graph returns it. */
export interface WirePermission {
  id: string;
  roles?: string[];
  link?: { type?: string; scope?: string; webUrl?: string; webHtml?: string };
  hasPassword?: boolean;
  expirationDateTime?: string;
  inheritedFrom?: { driveId?: string; driveType?: string; id?: string };
  invitation?: { email?: string; signInRequired?: boolean };
  grantedToIdentities?: unknown[];
}

/** A driveItem with the facets of the newer features. */
export interface FeatureItem extends WireItem {
  parentReference?: WireItem['parentReference'] & { name?: string };
  deleted?: Record<string, unknown>;
  searchResult?: Record<string, unknown>;
  specialFolder?: { name?: string };
  package?: { type?: string };
  shared?: Record<string, unknown>;
  image?: { width?: number; height?: number };
  fileSystemInfo?: {
    createdDateTime?: string;
    lastModifiedDateTime?: string;
    lastAccessedDateTime?: string;
  };
}

/** One page of a delta round. */
export interface DeltaPage {
  value: FeatureItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}
