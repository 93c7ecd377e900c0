import type { RequestContext } from '../context.js';
import { itemNotFound, unauthenticated } from '../errors.js';
import { headerValue, sendJson } from '../http.js';
import type { DownloadGrant } from '../preauth.js';
import type { BlobStore } from '../store/blob-store.js';

/**
 * Handlers of the content listener: pre-authenticated downloads and copy
 * monitors. Neither needs Authorization; with `strictDownloadAuth` a request
 * that carries one is rejected with 401, as OneDrive has been seen to do.
 */
export function handleDownload(ctx: RequestContext, token: string): void {
  const { preauth, blobs } = ctx.emulator;
  rejectAuthorizationWhenStrict(ctx);
  const grant = preauth.findDownload(token);
  if (!grant) {
    throw unauthenticated(
      'the download URL is unknown or has expired; request the item again for a new one',
    );
  }

  const range = parseRange(headerValue(ctx.req, 'range'), grant.size);
  const headers: Record<string, string | number> = {
    'Content-Type': grant.mimeType,
    'Accept-Ranges': 'bytes',
    ETag: grant.eTag,
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(grant.name)}`,
    'Cache-Control': 'no-cache',
  };
  if (range === 'unsatisfiable') {
    ctx.res.writeHead(416, {
      ...headers,
      'Content-Range': `bytes */${grant.size}`,
      'Content-Length': 0,
    });
    ctx.res.end();
    return;
  }
  if (range) {
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${grant.size}`;
    headers['Content-Length'] = range.end - range.start + 1;
  } else {
    headers['Content-Length'] = grant.size;
  }
  ctx.res.writeHead(range ? 206 : 200, headers);
  if (ctx.req.method === 'HEAD' || grant.size === 0) {
    ctx.res.end();
    return;
  }
  streamBlob(ctx, blobs, grant, range ?? { start: 0, end: grant.size - 1 });
}

function streamBlob(
  ctx: RequestContext,
  blobs: BlobStore,
  grant: DownloadGrant,
  range: { start: number; end: number },
): void {
  const stream = blobs.read(grant.blobKey, range);
  stream.on('error', (error) => {
    ctx.log.error({ err: error, itemId: grant.itemId }, 'download stream failed');
    ctx.res.destroy(error);
  });
  ctx.res.on('close', () => stream.destroy());
  stream.pipe(ctx.res);
}

/**
 * Parses a single `Range: bytes=…` of the forms `a-b`, `a-` and `-n`.
 * Returns undefined to serve the whole file (no header, a malformed one, or
 * several ranges, which a server may ignore).
 */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (header === undefined) {
    return undefined;
  }
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) {
    return undefined;
  }
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') {
    return undefined;
  }
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) {
      return 'unsatisfiable';
    }
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && Number(last) < start) {
    return undefined;
  }
  if (start >= size) {
    return 'unsatisfiable';
  }
  return { start, end };
}

/** `GET /monitor/{token}`: 202 inProgress on the first poll, then the final status. */
export function handleMonitor(ctx: RequestContext, token: string): void {
  rejectAuthorizationWhenStrict(ctx);
  const job = ctx.emulator.preauth.findCopy(token);
  if (!job) {
    throw itemNotFound('the copy monitor is unknown or has expired');
  }
  job.polls += 1;
  if (job.polls === 1 && job.status !== 'failed') {
    sendJson(ctx.res, 202, {
      operation: 'ItemCopy',
      status: 'inProgress',
      percentageComplete: 50,
    });
    return;
  }
  if (job.status === 'failed') {
    sendJson(ctx.res, 200, {
      operation: 'ItemCopy',
      status: 'failed',
      percentageComplete: 0,
      errorCode: job.errorCode ?? 'generalException',
    });
    return;
  }
  sendJson(ctx.res, 200, {
    operation: 'ItemCopy',
    status: 'completed',
    percentageComplete: 100,
    resourceId: job.resourceId,
  });
}

function rejectAuthorizationWhenStrict(ctx: RequestContext): void {
  if (
    ctx.emulator.options.strictDownloadAuth &&
    headerValue(ctx.req, 'authorization') !== undefined
  ) {
    throw unauthenticated(
      'pre-authenticated URLs must be requested without an Authorization header',
    );
  }
}
