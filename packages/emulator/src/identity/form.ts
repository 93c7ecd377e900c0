import type { RequestContext } from '../context.js';
import { headerValue, readSmallBody } from '../http.js';
import { IdentityError, unsupportedContentType } from './errors.js';

/**
 * Reads the form body of an identity endpoint that takes only
 * `POST application/x-www-form-urlencoded` (token, devicecode), with the
 * platform's errors for another method or content type.
 */
export async function readPostedForm(
  ctx: RequestContext,
  endpoint: string,
): Promise<URLSearchParams> {
  if (ctx.req.method !== 'POST') {
    throw new IdentityError(
      405,
      'invalid_request',
      900561,
      `The ${endpoint} endpoint accepts POST only.`,
    );
  }
  const contentType = headerValue(ctx.req, 'content-type') ?? '';
  if (!contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw unsupportedContentType();
  }
  return new URLSearchParams((await readSmallBody(ctx.req)).toString('utf8'));
}
