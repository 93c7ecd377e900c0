import type { Principal, RequestContext } from './context.js';
import { invalidAuthenticationToken, unauthenticated } from './errors.js';
import { headerValue } from './http.js';
import { hashSecret } from './ids.js';

/** Checks the bearer token of a Graph request and returns the signed-in user and drive. */
export function authenticate(ctx: RequestContext): Principal {
  const header = headerValue(ctx.req, 'authorization');
  if (!header) {
    throw unauthenticated(
      'the request has no Authorization header; send Authorization: Bearer <access token>',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw unauthenticated('the Authorization header is not a bearer token');
  }
  const { store } = ctx.emulator;
  const record = store.getToken(hashSecret(match[1]));
  if (record?.kind !== 'access') {
    throw invalidAuthenticationToken('the access token was not issued by this emulator');
  }
  if (record.expiresAt <= Date.now()) {
    throw invalidAuthenticationToken(
      'the access token has expired; request a new one with the refresh token',
    );
  }
  const user = store.getUser(record.username);
  const drive = user ? store.getDriveByOwner(user.username) : undefined;
  if (!user || !drive) {
    throw invalidAuthenticationToken('the access token belongs to a user that no longer exists');
  }
  return { user, drive };
}
