import type { RequestContext } from '../context.js';
import { invalidRequest, itemNotFound, methodNotAllowed } from '../errors.js';
import { readJsonObject, sendJson } from '../http.js';
import { toDriveItem } from '../model/item-json.js';
import type { DriveRecord } from '../store/types.js';
import { expireDeltaTokens } from './delta.js';
import { createPackage } from './packages.js';
import { recycleBinOf } from './recycle-bin.js';

/**
 * Handles the control routes of the drive features under `/_emulator/`. Like
 * the rest of the control API they need no token, and `controlEnabled: false` removes them.
 *   POST /_emulator/delta/expire  {username?}     invalidates every delta token of the drive (410)
 *   GET  /_emulator/recycleBin?username=          lists the items in the recycle bin
 *   POST /_emulator/packages      {username?, parentPath, name, files}   creates a OneNote package
 * Returns false for any other path, so other control routes can follow.
 */
export async function handleDriveControl(ctx: RequestContext): Promise<boolean> {
  const method = ctx.req.method ?? 'GET';
  const path = ctx.rawPath.replace(/\/$/, '');
  if (path === '/_emulator/delta/expire') {
    requireMethod(method, 'POST', path);
    const body = await readJsonObject(ctx.req);
    const drive = driveOf(ctx, body.username);
    const generation = expireDeltaTokens(ctx.emulator.store, drive.id);
    ctx.log.info({ driveId: drive.id }, 'delta tokens expired');
    sendJson(ctx.res, 200, { driveId: drive.id, generation });
    return true;
  }
  if (path === '/_emulator/recycleBin') {
    requireMethod(method, 'GET', path);
    const drive = driveOf(ctx, ctx.query.get('username') ?? undefined);
    const value = recycleBinOf(ctx.emulator.store, drive).map((item) => ({
      ...toDriveItem(ctx.emulator, drive, item),
      deletedDateTime: item.deletedDateTime,
    }));
    sendJson(ctx.res, 200, { value });
    return true;
  }
  if (path === '/_emulator/packages') {
    requireMethod(method, 'POST', path);
    const body = await readJsonObject(ctx.req);
    const drive = driveOf(ctx, body.username);
    const { parentPath = '/', name, files = [] } = body;
    if (typeof parentPath !== 'string' || typeof name !== 'string' || !Array.isArray(files)) {
      throw invalidRequest('the body needs parentPath (string), name (string) and files (array)');
    }
    const parsedFiles = files.map((file: unknown) => {
      const fields = (file ?? {}) as Record<string, unknown>;
      if (typeof fields.name !== 'string' || typeof fields.content !== 'string') {
        throw invalidRequest('each file needs a name and a content string');
      }
      return { name: fields.name, content: fields.content };
    });
    const item = await createPackage(ctx.emulator, drive, { parentPath, name, files: parsedFiles });
    sendJson(ctx.res, 201, toDriveItem(ctx.emulator, drive, item));
    return true;
  }
  return false;
}

function requireMethod(method: string, expected: string, path: string): void {
  if (method !== expected) {
    throw methodNotAllowed(method, path);
  }
}

/** Finds the drive of `username`, or of the first configured user when it is omitted. */
function driveOf(ctx: RequestContext, username: unknown): DriveRecord {
  const { store, options } = ctx.emulator;
  if (username !== undefined && typeof username !== 'string') {
    throw invalidRequest('username must be a string');
  }
  const name = username ?? options.users[0]?.username ?? '';
  const drive = store.getDriveByOwner(name);
  if (!drive) {
    throw itemNotFound(`no user named '${name}'`);
  }
  return drive;
}
