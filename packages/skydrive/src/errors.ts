/** Stable error codes. Callers branch on these, never on message text. */
export type SkydriveErrorCode =
  | 'GRAPH_ERROR'
  | 'NOT_SIGNED_IN'
  | 'INVALID_NAME'
  | 'INVALID_ARGUMENT'
  | 'LOCAL_FILE_NOT_FOUND'
  | 'NOT_A_FOLDER'
  | 'NOT_A_FILE'
  | 'HASH_MISMATCH'
  | 'COPY_FAILED'
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'ABORTED'
  /** The server's response broke the Graph contract, e.g. a repeating nextLink or a 302 without Location. */
  | 'PROTOCOL_ERROR'
  /** A feature this version of the library does not provide. */
  | 'NOT_IMPLEMENTED'
  /** A sign-in flow ended without tokens: denied, declined, expired, timed out or rejected by the identity platform. */
  | 'SIGN_IN_FAILED';

/** Base class of every error the library throws. */
export class SkydriveError extends Error {
  readonly code: SkydriveErrorCode;

  constructor(code: SkydriveErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SkydriveError';
    this.code = code;
  }
}

export interface GraphErrorDetails {
  status: number;
  graphCode?: string;
  innerCodes?: string[];
  requestId?: string;
  method: string;
  /** Request URL with credentials and pre-authenticated query strings removed. */
  url: string;
  cause?: unknown;
}

/** Error for a non-success response from Graph or from a pre-authenticated URL. */
export class GraphError extends SkydriveError {
  override readonly code = 'GRAPH_ERROR' as const;
  readonly status: number;
  /** Graph `error.code`, e.g. 'itemNotFound'; empty when the body carried none. */
  readonly graphCode: string;
  /** Inner error codes, outermost first (`innerError.code`, then its `innerError`, …). */
  readonly innerCodes: string[];
  readonly requestId: string | undefined;
  readonly method: string;
  readonly url: string;

  constructor(message: string, details: GraphErrorDetails) {
    super('GRAPH_ERROR', message, { cause: details.cause });
    this.name = 'GraphError';
    this.status = details.status;
    this.graphCode = details.graphCode ?? '';
    this.innerCodes = details.innerCodes ?? [];
    this.requestId = details.requestId;
    this.method = details.method;
    this.url = details.url;
  }
}

export function isSkydriveError(value: unknown): value is SkydriveError {
  return value instanceof SkydriveError;
}
