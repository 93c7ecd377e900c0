/**
 * Shared helpers for the emulator conformance tests: sessions, Graph callers
 * and drive shortcuts, plus the raw HTTP senders, wire shapes and assertions.
 * The tests speak the Graph v1.0 wire format directly through undici and
 * node:http, so a misunderstanding shared with the skydrive client cannot hide
 * an emulator bug.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Agent } from 'undici';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/index.ts';
import { type Method, type Reply, type SendOptions, send } from './http.ts';
import type { MonitorPoll, TokenResponse, WireCollection, WireDrive, WireItem } from './wire.ts';

export * from './assertions.ts';
export * from './http.ts';
export * from './wire.ts';
export type { EmulatorOptions, RunningEmulator };

export const USERS: Array<{ username: string; password: string }> = [
  { username: 'demo', password: 'demo' },
  { username: 'alice', password: 'wonderland' },
];

export const QUOTA_BYTES = 10_000_000;

export const SCOPE = 'Files.ReadWrite.All offline_access User.Read';

/** Requests a token with the resource owner password grant. */
export async function passwordGrant(
  dispatcher: Agent,
  baseUrl: string,
  username: string,
  password: string,
  tenant = 'common',
): Promise<Reply> {
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: 'conformance-tests',
    username,
    password,
    scope: SCOPE,
  });
  return send(dispatcher, 'POST', `${baseUrl}/${tenant}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
}

/** A Graph caller bound to one user's access token. */
export class GraphCaller {
  constructor(
    readonly dispatcher: Agent,
    readonly graphUrl: string,
    public token: string,
  ) {}

  /** Sends a request to `graphUrl + path` with the bearer token unless `headers` overrides it. */
  call(method: Method, path: string, options: SendOptions = {}): Promise<Reply> {
    const headers = { authorization: `Bearer ${this.token}`, ...options.headers };
    return send(this.dispatcher, method, `${this.graphUrl}${path}`, { ...options, headers });
  }

  get(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.call('GET', path, { headers });
  }

  postJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.call('POST', path, {
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  patchJson(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply> {
    return this.call('PATCH', path, {
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  }

  put(path: string, body: string | Buffer, headers?: Record<string, string>): Promise<Reply> {
    return this.call('PUT', path, {
      headers: { 'content-type': 'text/plain', ...headers },
      body,
    });
  }

  delete(path: string, headers?: Record<string, string>): Promise<Reply> {
    return this.call('DELETE', path, { headers });
  }
}

/** A started emulator plus signed-in callers for both configured users. */
export interface Session {
  emu: RunningEmulator;
  dispatcher: Agent;
  demo: GraphCaller;
  alice: GraphCaller;
  demoDriveId: string;
  close(): Promise<void>;
}

/**
 * Starts an emulator on 127.0.0.1 port 0 and signs in both users. The store is
 * in memory unless `options.location` is set or SKYDRIVE_CONFORMANCE_STORE is `sqlite`.
 */
export async function startSession(options: EmulatorOptions = {}): Promise<Session> {
  // SKYDRIVE_CONFORMANCE_STORE=sqlite runs every suite against the SQLite store in a temp folder.
  const location =
    options.location === undefined && process.env.SKYDRIVE_CONFORMANCE_STORE === 'sqlite'
      ? await mkdtemp(join(tmpdir(), 'skydrive-conformance-'))
      : undefined;
  const emu = await startEmulator({
    port: 0,
    users: USERS,
    quotaBytes: QUOTA_BYTES,
    ...(location === undefined ? {} : { location }),
    ...options,
  });
  const dispatcher = new Agent({
    keepAliveTimeout: 1000,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
  const close = async () => {
    await dispatcher.close();
    await emu.close();
    if (location !== undefined) {
      await rm(location, { recursive: true, force: true });
    }
  };

  try {
    assert.match(emu.url, /^http:\/\/127\.0\.0\.1:\d+$/, 'emulator must listen on 127.0.0.1');
    assert.match(
      emu.contentUrl,
      /^http:\/\/127\.0\.0\.1:\d+/,
      'content origin must be on 127.0.0.1',
    );
    assert.equal(emu.graphUrl, `${emu.url}/v1.0`);

    const demo = new GraphCaller(
      dispatcher,
      emu.graphUrl,
      await accessToken(dispatcher, emu, 'demo'),
    );
    const alice = new GraphCaller(
      dispatcher,
      emu.graphUrl,
      await accessToken(dispatcher, emu, 'alice'),
    );
    const drive = await demo.get('/me/drive');
    assert.equal(drive.status, 200, `GET /me/drive failed: ${drive.text()}`);
    return { emu, dispatcher, demo, alice, demoDriveId: drive.json<WireDrive>().id, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function accessToken(dispatcher: Agent, emu: RunningEmulator, username: string) {
  const user = USERS.find((candidate) => candidate.username === username);
  assert.ok(user, `unknown test user ${username}`);
  const reply = await passwordGrant(dispatcher, emu.url, user.username, user.password);
  assert.equal(reply.status, 200, `token request for ${username} failed: ${reply.text()}`);
  const token = reply.json<TokenResponse>().access_token;
  assert.equal(typeof token, 'string');
  return token as string;
}

/** Percent-encodes each segment of a slash-separated path on its own (RFC 3986). */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

/** Builds the path-based address `/me/drive/root:/a/b:` of a drive path such as `/a/b`. */
export function byPath(path: string): string {
  return `/me/drive/root:${encodePath(path)}:`;
}

let uniqueCounter = 0;

/** Returns a folder name that no other test in the process uses. */
export function uniqueName(prefix: string): string {
  uniqueCounter += 1;
  return `${prefix}-${process.pid}-${uniqueCounter}`;
}

/** Creates a folder under `parentAddress` (an item address such as `/me/drive/root`). */
export async function createFolder(
  caller: GraphCaller,
  parentAddress: string,
  name: string,
): Promise<WireItem> {
  const reply = await caller.postJson(`${parentAddress}/children`, {
    name,
    folder: {},
    '@microsoft.graph.conflictBehavior': 'fail',
  });
  assert.equal(reply.status, 201, `creating folder ${name} failed: ${reply.text()}`);
  return reply.json<WireItem>();
}

/** Creates a fresh folder at the drive root for one test to work in. */
export async function scratchFolder(caller: GraphCaller, prefix = 'scratch'): Promise<WireItem> {
  return createFolder(caller, '/me/drive/root', uniqueName(prefix));
}

/** Uploads `content` to the drive path `path` with a simple upload and expects 201 or 200. */
export async function upload(
  caller: GraphCaller,
  path: string,
  content: string | Buffer,
): Promise<WireItem> {
  const reply = await caller.put(`${byPath(path)}/content`, content);
  assert.ok(
    reply.status === 201 || reply.status === 200,
    `upload of ${path} answered ${reply.status}: ${reply.text()}`,
  );
  return reply.json<WireItem>();
}

/** Reads every page of a collection by following only `@odata.nextLink`. */
export async function listAll(
  caller: GraphCaller,
  path: string,
  maxPages = 20,
): Promise<{ items: WireItem[]; pages: WireCollection[] }> {
  const pages: WireCollection[] = [];
  let reply = await caller.get(path);
  for (;;) {
    assert.equal(reply.status, 200, `listing answered ${reply.status}: ${reply.text()}`);
    const page = reply.json<WireCollection>();
    pages.push(page);
    const next = page['@odata.nextLink'];
    if (next === undefined) {
      break;
    }
    assert.ok(pages.length < maxPages, `more than ${maxPages} pages; nextLink may repeat`);
    reply = await send(caller.dispatcher, 'GET', next, {
      headers: { authorization: `Bearer ${caller.token}` },
    });
  }
  return { items: pages.flatMap((page) => page.value), pages };
}

/**
 * Polls a copy monitor URL without Authorization until it reports a final
 * status. Bounded to 200 polls over at most 10 s so a stuck copy fails the test.
 */
export async function pollMonitor(dispatcher: Agent, monitorUrl: string): Promise<MonitorPoll[]> {
  const polls: MonitorPoll[] = [];
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; attempt < 200 && Date.now() < deadline; attempt += 1) {
    const reply = await send(dispatcher, 'GET', monitorUrl);
    const body = reply.body.length > 0 ? reply.json<MonitorPoll['body']>() : {};
    polls.push({ status: reply.status, body });
    if (body.status === 'completed' || body.status === 'failed' || reply.status >= 300) {
      return polls;
    }
    await delay(20);
  }
  assert.fail(`copy monitor did not finish after ${polls.length} polls`);
}
