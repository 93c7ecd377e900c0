import { GraphError } from '../errors.js';
import type { GraphErrorBody, InnerErrorWire } from './wire.js';

export interface ErrorContext {
  status: number;
  method: string;
  /** Already redacted. */
  url: string;
  requestId?: string;
  /** Raw response body; may be empty or not JSON (proxies, pre-authenticated hosts). */
  bodyText: string;
  /** Reason a retryable status was not retried, e.g. 'gave up after 4 retries'. */
  retryNote?: string;
}

function innerOf(wire: InnerErrorWire | undefined): InnerErrorWire | undefined {
  return wire?.innerError ?? wire?.innererror;
}

/** Turn a failed response into a GraphError with the code chain and request id. */
export function graphErrorFrom(context: ErrorContext): GraphError {
  let body: GraphErrorBody | undefined;
  try {
    body = JSON.parse(context.bodyText) as GraphErrorBody;
  } catch {
    body = undefined;
  }
  const error = typeof body?.error === 'object' && body.error !== null ? body.error : undefined;

  const innerCodes: string[] = [];
  let inner = innerOf(error);
  let innerRequestId: string | undefined;
  // Bounded: a hostile body could nest deeply.
  for (let depth = 0; inner !== undefined && depth < 16; depth++) {
    if (typeof inner.code === 'string' && inner.code !== '') {
      innerCodes.push(inner.code);
    }
    if (typeof inner['request-id'] === 'string') {
      innerRequestId ??= inner['request-id'];
    }
    inner = innerOf(inner);
  }

  const graphCode = typeof error?.code === 'string' ? error.code : '';
  const requestId = context.requestId ?? innerRequestId;
  const serverMessage = typeof error?.message === 'string' ? error.message : '';
  const codes = [graphCode, ...innerCodes].filter((code) => code !== '').join('/');
  const message = [
    `${context.method} ${context.url} failed with ${context.status}`,
    codes === '' ? '' : ` ${codes}`,
    serverMessage === '' ? '' : `: ${serverMessage}`,
    requestId === undefined ? '' : ` (request-id ${requestId})`,
    context.retryNote === undefined ? '' : `; ${context.retryNote}`,
  ].join('');

  return new GraphError(message, {
    status: context.status,
    graphCode,
    innerCodes,
    requestId,
    method: context.method,
    url: context.url,
  });
}
