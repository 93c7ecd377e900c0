/**
 * Errors raised inside the emulator. `GraphError` is the only error a Graph
 * handler throws: it carries the HTTP status and the Graph error code, and the
 * pipeline turns it into the `{error:{code,message,innerError}}` body. Each
 * Graph code has one factory function below, so status and code always pair up
 * the same way.
 */

/** Failure outside an HTTP exchange (bad options, storage setup). */
export class EmulatorError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmulatorError';
    this.code = code;
  }
}

/** A Graph error response waiting to be written. */
export class GraphError extends Error {
  readonly status: number;
  readonly code: string;
  readonly innerCode: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { innerCode?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'GraphError';
    this.status = status;
    this.code = code;
    this.innerCode = options.innerCode;
    this.headers = options.headers ?? {};
  }
}

/** Wire shape of a Graph error body. */
export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    innerError: {
      code?: string;
      date: string;
      'request-id': string;
      'client-request-id'?: string;
    };
  };
}

/** Builds the Graph error body for one response. */
export function graphErrorBody(
  error: GraphError,
  requestId: string,
  clientRequestId: string | undefined,
): GraphErrorBody {
  const innerError: GraphErrorBody['error']['innerError'] = {
    date: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'request-id': requestId,
  };
  if (error.innerCode !== undefined) {
    innerError.code = error.innerCode;
  }
  if (clientRequestId !== undefined) {
    innerError['client-request-id'] = clientRequestId;
  }
  return { error: { code: error.code, message: error.message, innerError } };
}

const WWW_AUTHENTICATE =
  'Bearer realm="skydrive-emulator", authorization_uri="/common/oauth2/v2.0/authorize"';

/** 400: malformed request, bad query option or invalid value. */
export function invalidRequest(message: string, innerCode?: string): GraphError {
  return new GraphError(400, 'invalidRequest', message, innerCode ? { innerCode } : {});
}

/** 400: a name breaks the OneDrive naming rules. */
export function invalidName(message: string): GraphError {
  return new GraphError(400, 'invalidRequest', message, {
    innerCode: 'nameContainsInvalidCharacters',
  });
}

/** 401: no Authorization header, or not a bearer token. */
export function unauthenticated(message: string): GraphError {
  return new GraphError(401, 'unauthenticated', message, {
    headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
  });
}

/** 401: a bearer token the emulator did not issue, or one that expired. */
export function invalidAuthenticationToken(message: string): GraphError {
  return new GraphError(401, 'InvalidAuthenticationToken', message, {
    headers: { 'WWW-Authenticate': `${WWW_AUTHENTICATE}, error="invalid_token"` },
  });
}

/** 403: the caller may not touch this drive or item. */
export function accessDenied(message: string): GraphError {
  return new GraphError(403, 'accessDenied', message);
}

/** 404: no item, drive or user at this address. */
export function itemNotFound(message: string): GraphError {
  return new GraphError(404, 'itemNotFound', message);
}

/** 405: the route exists but not for this HTTP method. */
export function methodNotAllowed(method: string, route: string): GraphError {
  return new GraphError(405, 'notAllowed', `${method} is not allowed on ${route}`);
}

/** 409: the target folder already contains an item with this name (case-insensitive). */
export function nameAlreadyExists(name: string): GraphError {
  return new GraphError(
    409,
    'nameAlreadyExists',
    `an item named '${name}' already exists in the target folder`,
  );
}

/** 412: `If-Match` did not match the item's current eTag or cTag. */
export function resourceModified(ifMatch: string): GraphError {
  return new GraphError(
    412,
    'resourceModified',
    `If-Match ${ifMatch} does not match the current eTag or cTag of the item`,
    { innerCode: 'entityTagDoesNotMatch' },
  );
}

/** 413: body larger than the simple-upload limit. */
export function maxFileSizeExceeded(sizeBytes: number, limitBytes: number): GraphError {
  return new GraphError(
    413,
    'invalidRequest',
    `simple upload of ${sizeBytes} bytes exceeds the limit of ${limitBytes} bytes; use an upload session`,
    { innerCode: 'maxFileSizeExceeded' },
  );
}

/** 416: a byte range the file cannot satisfy. */
export function invalidRange(message: string, sizeBytes: number): GraphError {
  return new GraphError(416, 'invalidRange', message, {
    headers: { 'Content-Range': `bytes */${sizeBytes}` },
  });
}

/** 500: an unexpected failure inside the emulator. */
export function generalException(message: string, cause?: unknown): GraphError {
  return new GraphError(500, 'generalException', message, { cause });
}

/** 501: a Graph feature the emulator does not implement. */
export function notSupported(feature: string): GraphError {
  return new GraphError(
    501,
    'notSupported',
    `${feature} is not supported by skydrive-emulator yet`,
  );
}

/** 507: the write would take the drive over its quota. */
export function quotaLimitReached(neededBytes: number, remainingBytes: number): GraphError {
  return new GraphError(
    507,
    'quotaLimitReached',
    `the write needs ${neededBytes} bytes but the drive has ${Math.max(0, remainingBytes)} bytes remaining`,
  );
}
