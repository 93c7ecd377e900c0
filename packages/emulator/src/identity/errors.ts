import { randomUUID } from 'node:crypto';

/** An error of the identity platform's token endpoint (OAuth 2.0 error response). */
export class IdentityError extends Error {
  readonly status: number;
  readonly error: string;
  readonly aadstsCode: number;

  constructor(status: number, error: string, aadstsCode: number, description: string) {
    super(description);
    this.name = 'IdentityError';
    this.status = status;
    this.error = error;
    this.aadstsCode = aadstsCode;
  }
}

/** Wire shape of an identity platform error. */
export interface IdentityErrorBody {
  error: string;
  error_description: string;
  error_codes: number[];
  timestamp: string;
  trace_id: string;
  correlation_id: string;
}

/** Builds the body; `error_description` starts with `AADSTS<code>:` as the platform's does. */
export function identityErrorBody(error: IdentityError, traceId: string): IdentityErrorBody {
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  const correlationId = randomUUID();
  return {
    error: error.error,
    error_description: `AADSTS${error.aadstsCode}: ${error.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [error.aadstsCode],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
  };
}

export function invalidRequestParameter(name: string): IdentityError {
  return new IdentityError(
    400,
    'invalid_request',
    900144,
    `The request body must contain the parameter '${name}'.`,
  );
}

export function invalidCredentials(): IdentityError {
  return new IdentityError(
    400,
    'invalid_grant',
    50126,
    'Error validating credentials: the user name or password is invalid.',
  );
}

export function invalidRefreshToken(reason: 'unknown' | 'expired'): IdentityError {
  return reason === 'expired'
    ? new IdentityError(
        400,
        'invalid_grant',
        700082,
        'The refresh token has expired; sign in again.',
      )
    : new IdentityError(
        400,
        'invalid_grant',
        9002313,
        'The refresh token is not valid: it was already used (refresh tokens rotate), was revoked, is malformed, or was not issued by this emulator; sign in again.',
      );
}

export function unsupportedGrantType(grantType: string): IdentityError {
  return new IdentityError(
    400,
    'unsupported_grant_type',
    70003,
    `The grant type '${grantType}' is not supported by skydrive-emulator; use authorization_code, urn:ietf:params:oauth:grant-type:device_code, refresh_token or password.`,
  );
}

export function unsupportedContentType(): IdentityError {
  return new IdentityError(
    400,
    'invalid_request',
    900144,
    'The request body must be application/x-www-form-urlencoded.',
  );
}
