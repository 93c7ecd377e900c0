import { SkydriveError } from '../errors.js';
import { childUrlPath, itemUrlPath } from '../graph/url.js';
import type { AsyncJobStatus, DriveItem, DriveResource } from '../graph/wire.js';
import { headerValue } from '../http/send.js';
import { validateName } from './addressing.js';
import { type DriveContext, describe, locate } from './context.js';
import { getFolder, getItem } from './items.js';
import type { CopyOptions, ItemRef } from './types.js';

const DEFAULT_COPY_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;

/**
 * Copy on the server. POST /copy returns 202 with a monitor URL, which is
 * opaque, pre-authenticated (polled without the token) and may live on
 * another host. The monitor returns 202 or 200 with a status body while the
 * copy runs, and 200 or 303 at the end. Only status 'completed' means done.
 */
export async function copyItem(
  context: DriveContext,
  item: ItemRef,
  destinationFolder: ItemRef,
  options: CopyOptions,
): Promise<DriveItem> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COPY_TIMEOUT_MS;
  const pollMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  if (!(timeoutMs > 0) || !(pollMs >= 0)) {
    throw new SkydriveError(
      'INVALID_ARGUMENT',
      `copy timeout (${timeoutMs} ms) must be above 0 and poll interval (${pollMs} ms) 0 or more`,
    );
  }
  if (options.name !== undefined) {
    validateName(options.name);
  }
  const source = locate(context, item);
  const folder = await getFolder(context, locate(context, destinationFolder));
  const driveId = folder.parentReference?.driveId ?? (await driveIdOf(context));

  const body: Record<string, unknown> = { parentReference: { driveId, id: folder.id } };
  if (options.name !== undefined) {
    body.name = options.name;
  }
  const started = await context.graph.request({
    method: 'POST',
    url: itemUrlPath(source, 'copy'),
    json: body,
    headers: { prefer: 'respond-async' },
  });
  const monitor = headerValue(started.headers, 'location');
  await started.body.dump();
  if (monitor === undefined) {
    throw new SkydriveError(
      'PROTOCOL_ERROR',
      `copy ${describe(source)}: the server answered ${started.status} without a monitor Location`,
    );
  }

  const resourceId = await pollMonitor(
    context,
    context.graph.absolute(monitor),
    describe(source),
    timeoutMs,
    pollMs,
  );
  if (resourceId !== undefined) {
    return getItem(context, { kind: 'id', id: resourceId });
  }
  // Completed without a resourceId: find the copy by its name.
  const name = options.name ?? (await getItem(context, source)).name ?? '';
  return context.graph.json<DriveItem>({
    method: 'GET',
    url: childUrlPath({ kind: 'id', id: folder.id }, name),
  });
}

async function driveIdOf(context: DriveContext): Promise<string> {
  return (await context.graph.json<DriveResource>({ method: 'GET', url: '/me/drive' })).id;
}

async function pollMonitor(
  context: DriveContext,
  monitorUrl: string,
  subject: string,
  timeoutMs: number,
  pollMs: number,
): Promise<string | undefined> {
  const deadline = context.clock.now() + timeoutMs;
  for (;;) {
    const response = await context.graph.request({
      method: 'GET',
      url: monitorUrl,
      auth: false,
      accept: [303],
    });
    if (response.status === 303) {
      const location = headerValue(response.headers, 'location') ?? '';
      await response.body.dump();
      const id = /\/items\/([^/?#]+)/.exec(location)?.[1];
      return id === undefined ? undefined : decodeURIComponent(id);
    }

    const text = await response.body.text();
    let status: AsyncJobStatus = {};
    try {
      status = text.trim() === '' ? {} : (JSON.parse(text) as AsyncJobStatus);
    } catch {
      // A monitor body that is not JSON counts as "still running".
    }
    if (status.status === 'completed') {
      return status.resourceId;
    }
    if (status.status === 'failed' || status.status === 'cancelled') {
      const reason =
        status.errorCode ?? status.error?.code ?? status.statusDescription ?? 'no reason given';
      throw new SkydriveError('COPY_FAILED', `copy ${subject} ${status.status}: ${reason}`);
    }
    if (context.clock.now() + pollMs > deadline) {
      throw new SkydriveError(
        'TIMEOUT',
        `copy ${subject} was not finished after ${timeoutMs} ms (last status ${status.status ?? 'unknown'}, ${status.percentageComplete ?? '?'}% done); it may still finish on the server`,
      );
    }
    await context.clock.sleep(pollMs);
  }
}
