import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  Client,
  type Context,
  FileUpload,
  GraphError,
  LargeFileUploadTask,
  type Middleware,
  MiddlewareFactory,
  PageIterator,
  ResponseType,
} from '@microsoft/microsoft-graph-client';
import { Agent, request, fetch as undiciFetch } from 'undici';
import type { RunningEmulator } from '../../src/options.ts';
import { startEmulator } from '../../src/server.ts';

// The official Graph JavaScript SDK (3.0.7) against the emulator over HTTPS, as a
// client the project did not write. The SDK keeps its default middleware chain
// (authentication, retry, redirect, telemetry) and only its last stage is swapped
// for one that calls undici's fetch with an agent trusting the emulator's
// certificate. Node 20's built-in fetch cannot be used here: it rejects the explicit
// Content-Length header that LargeFileUploadTask sets on each fragment
// ("invalid content-length header"), whatever server it talks to.

/** Last stage of the SDK's middleware chain: sends the request with undici's fetch. */
class UndiciFetchHandler implements Middleware {
  /** Method, URL and whether Authorization was set, for every request sent. */
  readonly sent: Array<{ method: string; url: string; authorized: boolean }> = [];

  constructor(private readonly dispatcher: Agent) {}

  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const init = { ...(context.options as Record<string, unknown>), dispatcher: this.dispatcher };
    const headers = new Headers(context.options?.headers as HeadersInit | undefined);
    this.sent.push({
      method: String(context.options?.method ?? 'GET'),
      url,
      authorized: headers.has('authorization'),
    });
    context.response = (await undiciFetch(url, init)) as unknown as Response;
  }
}

interface DriveItemJson {
  id: string;
  name: string;
  size?: number;
  folder?: { childCount: number };
  file?: { hashes?: Record<string, string> };
}

describe('Graph JavaScript SDK over HTTPS', () => {
  let emu: RunningEmulator;
  let agent: Agent;
  let client: Client;
  let folderId: string;
  let transport: UndiciFetchHandler;

  before(async () => {
    emu = await startEmulator({ port: 0, https: true });
    agent = new Agent({ connect: { ca: emu.certificate ?? '' } });
    const token = await passwordGrant(emu.url, agent);
    const middleware = MiddlewareFactory.getDefaultMiddlewareChain({
      getAccessToken: async () => token,
    });
    transport = new UndiciFetchHandler(agent);
    middleware[middleware.length - 1] = transport;
    client = Client.initWithMiddleware({
      baseUrl: `${emu.url}/`,
      defaultVersion: 'v1.0',
      // The SDK attaches the token only to Graph hosts and to the custom hosts listed here.
      customHosts: new Set(['127.0.0.1']),
      middleware,
    });
  });
  after(async () => {
    await emu?.close();
    await agent?.close();
  });

  it('reads /me and /me/drive', async () => {
    const me = (await client.api('/me').get()) as { id: string; userPrincipalName?: string };
    assert.equal(typeof me.id, 'string');
    assert.ok(me.id.length > 0);

    const drive = (await client.api('/me/drive').get()) as {
      id: string;
      driveType: string;
      quota: { total: number; used: number };
    };
    assert.equal(drive.driveType, 'personal');
    assert.equal(typeof drive.quota.total, 'number');
  });

  it('creates a folder', async () => {
    const folder = (await client.api('/me/drive/root/children').post({
      name: 'sdk',
      folder: {},
      '@microsoft.graph.conflictBehavior': 'fail',
    })) as DriveItemJson;
    assert.equal(folder.name, 'sdk');
    assert.ok(folder.folder);
    folderId = folder.id;
  });

  it('uploads small files with PUT content', async () => {
    for (let index = 0; index < 7; index += 1) {
      const name = `small-${index}.txt`;
      const item = (await client
        .api(`/me/drive/items/${folderId}:/${name}:/content`)
        .put(Buffer.from(`file ${index}\n`))) as DriveItemJson;
      assert.equal(item.name, name);
      assert.equal(item.size, `file ${index}\n`.length);
    }
  });

  it('pages children with PageIterator', async () => {
    const first = await client.api(`/me/drive/items/${folderId}/children`).top(3).get();
    assert.equal(first.value.length, 3);
    assert.match(first['@odata.nextLink'], /\$skiptoken=/);

    const names: string[] = [];
    const iterator = new PageIterator(client, first, (item: DriveItemJson) => {
      names.push(item.name);
      return true;
    });
    await iterator.iterate();
    assert.deepEqual(
      names,
      Array.from({ length: 7 }, (_, index) => `small-${index}.txt`),
    );
  });

  it('uploads 3 MiB with LargeFileUploadTask', async () => {
    const bytes = randomBytes(3 * 1024 * 1024 + 12_345);
    const session = await LargeFileUploadTask.createUploadSession(
      client,
      `${emu.graphUrl}/me/drive/items/${folderId}:/large.bin:/createUploadSession`,
      { item: { '@microsoft.graph.conflictBehavior': 'replace' } },
    );
    const task = new LargeFileUploadTask(
      client,
      new FileUpload(bytes, 'large.bin', bytes.length),
      session,
      { rangeSize: 1280 * 1024 }, // a multiple of 320 KiB, so three fragments
    );
    const result = await task.upload();
    // The SDK sends the bearer token to the pre-authenticated upload URL too, which the emulator accepts by default.
    const fragments = transport.sent.filter(
      (request) => request.method === 'PUT' && request.url.startsWith(`${emu.contentUrl}/upload/`),
    );
    assert.equal(fragments.length, 3);
    assert.ok(fragments.every((request) => request.authorized));
    const item = result.responseBody as DriveItemJson;
    assert.equal(item.name, 'large.bin');
    assert.equal(item.size, bytes.length);

    const downloaded = (await client
      .api(`/me/drive/items/${item.id}/content`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get()) as ArrayBuffer;
    assert.equal(downloaded.byteLength, bytes.length);
    assert.ok(Buffer.from(downloaded).equals(bytes));
  });

  it('downloads through the 302 of /content', async () => {
    const downloaded = (await client
      .api(`/me/drive/items/${folderId}:/small-4.txt:/content`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get()) as ArrayBuffer;
    assert.equal(Buffer.from(downloaded).toString('utf8'), 'file 4\n');
  });

  it('deletes an item', async () => {
    const item = (await client
      .api(`/me/drive/items/${folderId}:/small-0.txt`)
      .get()) as DriveItemJson;
    await client.api(`/me/drive/items/${item.id}`).delete();
    const error = await rejection(client.api(`/me/drive/items/${item.id}`).get());
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'itemNotFound');
  });

  it('raises GraphError with status and code', async () => {
    const conflict = await rejection(
      client
        .api('/me/drive/root/children')
        .post({ name: 'sdk', folder: {}, '@microsoft.graph.conflictBehavior': 'fail' }),
    );
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.code, 'nameAlreadyExists');
    assert.equal(typeof conflict.requestId, 'string');

    const missing = await rejection(client.api('/me/drive/root:/no/such/file.txt').get());
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'itemNotFound');
  });
});

async function passwordGrant(origin: string, dispatcher: Agent): Promise<string> {
  const reply = await request(`${origin}/common/oauth2/v2.0/token`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=password&client_id=graph-sdk-test&username=demo&password=demo',
  });
  assert.equal(reply.statusCode, 200);
  const body = (await reply.body.json()) as { access_token: string };
  return body.access_token;
}

async function rejection(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GraphError, `expected GraphError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}
