import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import type { Emulator, RequestContext } from './context.js';
import { handleDriveContentRoute } from './drive/share-links.js';
import {
  GraphError,
  generalException,
  graphErrorBody,
  invalidRequest,
  methodNotAllowed,
} from './errors.js';
import { handleExtraRoute } from './extra-routes.js';
import { applyFault } from './faults.js';
import { dispatchGraph } from './handlers/index.js';
import { handleDownload, handleMonitor } from './handlers/preauth.js';
import { handleUploadUrl } from './handlers/upload-fragments.js';
import { headerValue, sendJson } from './http.js';
import { handleToken } from './identity/token.js';
import { parseRoute } from './router.js';

/**
 * Creates the request listener of the API. Its pipeline, stage by stage:
 *   1. request id      every response carries `request-id`; `client-request-id` is echoed
 *   2. access log      one debug line per request when it finishes
 *   3. route           the Graph URL grammar, or an identity endpoint
 *   4. authentication  bearer token for everything under /v1.0
 *   5. fault injection faults registered through `POST /_emulator/faults`
 *   6. handler         grouped by resource in handlers/
 *   7. error           any failure becomes a Graph-shaped error body
 * The control API (`/_emulator/…`), the sign-in pages and the device code
 * endpoint are routed before the Graph grammar and skip the fault stage.
 */
export function createApiListener(emulator: Emulator): RequestListener {
  return (req, res) => {
    const ctx = beginRequest(emulator, req, res); // 1
    logAccess(ctx); // 2
    runApiStages(ctx).catch((error: unknown) => sendError(ctx, error)); // 7
  };
}

async function runApiStages(ctx: RequestContext): Promise<void> {
  if (await handleExtraRoute(ctx)) {
    return;
  }
  const route = parseRoute(ctx.rawPath); // 3
  if (route.kind === 'token') {
    if (await applyFault(ctx, 'api')) {
      return;
    }
    await handleToken(ctx);
    return;
  }
  // Unknown and unsupported routes carry their own flag: under /v1.0 they still need a token.
  const needsAuth = 'auth' in route ? route.auth : true;
  const principal = needsAuth ? authenticate(ctx) : undefined; // 4
  if (await applyFault(ctx, 'api')) {
    return; // 5
  }
  await dispatchGraph(ctx, route, principal); // 6
}

/**
 * Creates the request listener of the content origin, which serves the
 * pre-authenticated URLs. Its stages are request id, access log, fault
 * injection, route (`/download/{token}`, `/monitor/{token}` or
 * `/upload/{token}`), handler and error. It has no authentication stage,
 * because the token in the path is the grant.
 */
export function createContentListener(emulator: Emulator): RequestListener {
  return (req, res) => {
    const ctx = beginRequest(emulator, req, res);
    logAccess(ctx);
    runContentStages(ctx).catch((error: unknown) => sendError(ctx, error));
  };
}

async function runContentStages(ctx: RequestContext): Promise<void> {
  if (await applyFault(ctx, 'content')) {
    return;
  }
  const upload = /^\/upload\/([A-Za-z0-9_-]+)\/?$/.exec(ctx.rawPath);
  if (upload?.[1]) {
    await handleUploadUrl(ctx, upload[1]);
    return;
  }
  if (handleDriveContentRoute(ctx)) {
    return;
  }
  routeContent(ctx);
}

function routeContent(ctx: RequestContext): void {
  const match = /^\/(download|monitor)\/([A-Za-z0-9_-]+)\/?$/.exec(ctx.rawPath);
  if (!match?.[1] || !match[2]) {
    throw invalidRequest(`no pre-authenticated resource at ${ctx.logPath}`);
  }
  const method = ctx.req.method ?? 'GET';
  if (match[1] === 'download') {
    if (method !== 'GET' && method !== 'HEAD') {
      throw methodNotAllowed(method, 'a download URL');
    }
    handleDownload(ctx, match[2]);
    return;
  }
  if (method !== 'GET') {
    throw methodNotAllowed(method, 'a copy monitor');
  }
  handleMonitor(ctx, match[2]);
}

function beginRequest(
  emulator: Emulator,
  req: IncomingMessage,
  res: ServerResponse,
): RequestContext {
  const requestId = randomUUID();
  const clientRequestId = headerValue(req, 'client-request-id');
  res.setHeader('request-id', requestId);
  if (clientRequestId !== undefined) {
    res.setHeader('client-request-id', clientRequestId);
  }
  const target = req.url ?? '/';
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  return {
    emulator,
    req,
    res,
    requestId,
    clientRequestId,
    log: emulator.log.child({ requestId }),
    rawPath,
    logPath: loggablePath(rawPath),
    query: new URLSearchParams(queryStart === -1 ? '' : target.slice(queryStart + 1)),
  };
}

/**
 * Returns the path with the token of a pre-authenticated URL (upload, download, copy
 * monitor, share link, thumbnail) replaced, because that token is the whole credential.
 */
export function loggablePath(rawPath: string): string {
  return rawPath.replace(/^\/(upload|download|monitor|s|thumbnails)\/[^/]+/, '/$1/<redacted>');
}

function logAccess(ctx: RequestContext): void {
  const startedAt = process.hrtime.bigint();
  ctx.res.on('finish', () => {
    const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
    ctx.log.debug(
      {
        method: ctx.req.method,
        path: ctx.logPath,
        status: ctx.res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
      },
      `${ctx.req.method} ${ctx.logPath} ${ctx.res.statusCode}`,
    );
  });
}

function sendError(ctx: RequestContext, error: unknown): void {
  if (ctx.req.destroyed && !ctx.req.complete) {
    // The client closed the connection while sending its body (a cancelled upload), so no response can be sent.
    ctx.log.info({ method: ctx.req.method, path: ctx.logPath }, 'request aborted by the client');
    ctx.res.destroy();
    return;
  }
  const graphError =
    error instanceof GraphError
      ? error
      : generalException('internal error in skydrive-emulator', error);
  if (graphError.status >= 500 && graphError.status !== 501) {
    ctx.log.error({ err: error, method: ctx.req.method, path: ctx.logPath }, 'request failed');
  } else {
    ctx.log.info(
      {
        code: graphError.code,
        status: graphError.status,
        method: ctx.req.method,
        path: ctx.logPath,
      },
      graphError.message,
    );
  }
  if (ctx.res.headersSent) {
    // Part of a response is already out (a download stream failed), so only closing is left.
    ctx.res.destroy();
    return;
  }
  sendJson(
    ctx.res,
    graphError.status,
    graphErrorBody(graphError, ctx.requestId, ctx.clientRequestId),
    graphError.headers,
  );
}
