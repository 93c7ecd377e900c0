import type { RequestContext } from '../context.js';
import { accessDenied, GraphError, itemNotFound, methodNotAllowed } from '../errors.js';
import { headerValue, sendJson } from '../http.js';
import type { ItemRecord } from '../store/types.js';
import { findPermission, hashPassword, LINK_KIND, type LinkTarget } from './permissions.js';
import { readRecord } from './records.js';
import { handleThumbnailContent } from './thumbnails.js';

/** Header that carries the password of a password-protected link (the `password` query parameter also works). */
export const LINK_PASSWORD_HEADER = 'x-skydrive-link-password';

/**
 * Serves `GET /s/{token}` on the content listener, the `webUrl` of a sharing link.
 * An anonymous view or edit link serves the file bytes to anyone without a
 * token while it is valid, and a folder link returns a JSON listing of the
 * folder's children. `/s/{token}/embed` serves a minimal HTML page for embed
 * links. Unknown or removed links get 404 and expired ones 410.
 */
export function handleShareLink(ctx: RequestContext): void {
  const match = /^\/s\/([A-Za-z0-9_-]+)(\/embed)?\/?$/.exec(ctx.rawPath);
  if (!match?.[1]) {
    throw itemNotFound(`no sharing link at ${ctx.rawPath}`);
  }
  const method = ctx.req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    throw methodNotAllowed(method, 'a sharing link');
  }
  const { store, blobs } = ctx.emulator;
  const target = readRecord<LinkTarget>(store, LINK_KIND, match[1]);
  const permission = target ? findPermission(store, target) : undefined;
  const item = target ? store.getItem(target.driveId, target.itemId) : undefined;
  if (!target || !permission?.link || !item || item.deletedDateTime !== null) {
    throw itemNotFound('this sharing link does not exist or was removed');
  }
  if (
    permission.expirationDateTime !== null &&
    Date.parse(permission.expirationDateTime) <= Date.now()
  ) {
    throw new GraphError(410, 'itemNotFound', 'this sharing link has expired');
  }
  if (permission.link.scope !== 'anonymous') {
    throw accessDenied('this link is for signed-in users only; the emulator opens anonymous links');
  }
  if (permission.passwordHash !== undefined) {
    const given = headerValue(ctx.req, LINK_PASSWORD_HEADER) ?? ctx.query.get('password');
    if (given === null || given === undefined || hashPassword(given) !== permission.passwordHash) {
      throw accessDenied(
        `this link needs its password, in the ${LINK_PASSWORD_HEADER} header or the password query parameter`,
      );
    }
  }
  if (match[2]) {
    const src = `${ctx.emulator.contentUrl}/s/${match[1]}`;
    const html = `<!doctype html><meta charset="utf-8"><title>${escapeHtml(item.name)}</title><a href="${src}">${escapeHtml(item.name)}</a>\n`;
    ctx.res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    ctx.res.end(method === 'HEAD' ? undefined : html);
    return;
  }
  if (item.isFolder || item.blobKey === null) {
    sendJson(ctx.res, 200, folderListing(ctx, item));
    return;
  }
  ctx.res.writeHead(200, {
    'Content-Type': item.mimeType ?? 'application/octet-stream',
    'Content-Length': item.size,
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(item.name)}`,
  });
  if (method === 'HEAD' || item.size === 0) {
    ctx.res.end();
    return;
  }
  const stream = blobs.read(item.blobKey);
  stream.on('error', (error) => ctx.res.destroy(error));
  ctx.res.on('close', () => stream.destroy());
  stream.pipe(ctx.res);
}

function folderListing(ctx: RequestContext, folder: ItemRecord): Record<string, unknown> {
  const children = ctx.emulator.store
    .listChildren(folder.driveId, folder.id)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((child) => ({
      name: child.name,
      size: child.size,
      lastModifiedDateTime: child.lastModifiedDateTime,
      ...(child.isFolder ? { folder: {} } : { file: { mimeType: child.mimeType } }),
    }));
  return { name: folder.name, folder: { childCount: children.length }, children };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** Content-listener routes of the drive features; false when the path is not theirs. */
export function handleDriveContentRoute(ctx: RequestContext): boolean {
  if (ctx.rawPath.startsWith('/s/')) {
    handleShareLink(ctx);
    return true;
  }
  const thumbnail = /^\/thumbnails\/([A-Za-z0-9_-]+)\/?$/.exec(ctx.rawPath);
  if (thumbnail?.[1]) {
    const method = ctx.req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      throw methodNotAllowed(method, 'a thumbnail URL');
    }
    handleThumbnailContent(ctx, thumbnail[1]);
    return true;
  }
  return false;
}
