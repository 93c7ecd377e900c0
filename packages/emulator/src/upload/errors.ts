import { GraphError } from '../errors.js';

/** 404: the session never existed, expired, was cancelled or was already committed. */
export function uploadSessionNotFound(): GraphError {
  return new GraphError(
    404,
    'itemNotFound',
    'the upload session was not found; it may have expired, been cancelled or completed. Create a new session',
    { innerCode: 'uploadSessionNotFound' },
  );
}

/** 416: the fragment starts before the first byte the session still expects. */
export function fragmentOverlap(start: number, received: number): GraphError {
  return new GraphError(
    416,
    'invalidRange',
    `the fragment starting at byte ${start} overlaps data already received (bytes 0-${received - 1}); GET the upload URL for nextExpectedRanges`,
    { innerCode: 'fragmentOverlap' },
  );
}

/** 400: the fragment starts after a gap. */
export function fragmentOutOfOrder(start: number, received: number): GraphError {
  return new GraphError(
    400,
    'invalidRequest',
    `the fragment starts at byte ${start} but the session expects byte ${received} next; fragments must be sent in order`,
    { innerCode: 'fragmentOutOfOrder' },
  );
}

/** 400: the total in Content-Range differs from the session's total. */
export function fragmentLengthMismatch(declared: number, expected: number): GraphError {
  return new GraphError(
    400,
    'invalidRequest',
    `the upload session is for ${expected} total bytes, but the fragment declares a total of ${declared}`,
    { innerCode: 'fragmentLengthMismatch' },
  );
}

/** 400: a fragment breaks the size rules that strict mode enforces. */
export function invalidFragmentLength(message: string, innerCode?: string): GraphError {
  return new GraphError(400, 'invalidRequest', message, innerCode ? { innerCode } : {});
}

/** 409: another fragment of the same session is still being received. */
export function fragmentInProgress(): GraphError {
  return new GraphError(
    409,
    'invalidRequest',
    'another fragment of this upload session is still being received; wait for its response',
    { innerCode: 'uploadSessionFailed' },
  );
}
