import type { Principal, RequestContext } from '../context.js';
import { itemNotFound } from '../errors.js';
import { sendJson } from '../http.js';
import { applySelect, identityOf } from '../model/item-json.js';
import { quotaOf } from '../model/quota.js';
import type { DriveSelector } from '../router.js';
import type { DriveRecord, UserRecord } from '../store/types.js';
import { assertQueryOptions, findUser, resolveDrive, selectOf } from './shared.js';

/** `GET /me` and `GET /users/{id}`: the signed-in user. */
export function handleUser(ctx: RequestContext, principal: Principal, userId?: string): void {
  assertQueryOptions(ctx, ['select']);
  let user: UserRecord = principal.user;
  if (userId !== undefined) {
    const found = findUser(ctx, userId);
    if (!found || found.username !== principal.user.username) {
      throw itemNotFound(`user ${userId} was not found`);
    }
    user = found;
  }
  const body = {
    '@odata.context': `${ctx.emulator.url}/v1.0/$metadata#users/$entity`,
    id: user.cid.toLowerCase(),
    displayName: user.username,
    userPrincipalName: user.username,
    mail: user.username.includes('@') ? user.username : null,
    givenName: null,
    surname: null,
    businessPhones: [],
    jobTitle: null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
  };
  sendJson(ctx.res, 200, applySelect(body, selectOf(ctx)));
}

/** `GET /me/drive`, `/drives/{id}`, `/users/{id}/drive`. */
export function handleDrive(
  ctx: RequestContext,
  principal: Principal,
  selector: DriveSelector,
): void {
  assertQueryOptions(ctx, ['select']);
  const drive = resolveDrive(ctx, principal, selector);
  sendJson(ctx.res, 200, applySelect(driveJson(ctx, drive), selectOf(ctx)));
}

/** `GET /me/drives`: the user's only drive. */
export function handleDriveList(ctx: RequestContext, principal: Principal): void {
  sendJson(ctx.res, 200, { value: [driveJson(ctx, principal.drive)] });
}

function driveJson(ctx: RequestContext, drive: DriveRecord): Record<string, unknown> {
  const { store, options, url } = ctx.emulator;
  const owner = identityOf(store.getUser(drive.owner), drive.owner);
  return {
    id: drive.id,
    driveType: 'personal',
    name: 'OneDrive',
    description: '',
    createdDateTime: drive.createdDateTime,
    lastModifiedDateTime: drive.createdDateTime,
    webUrl: `${url}/web/${drive.id}`,
    createdBy: owner,
    owner,
    quota: {
      ...quotaOf(store, drive.id, options.quotaBytes),
      storagePlanInformation: { upgradeAvailable: false },
    },
  };
}
