import { IdentityError } from './errors.js';

/** Token-endpoint errors of the sign-in flows, with AADSTS numbers like the platform's. */

export function codeNotFound(): IdentityError {
  return new IdentityError(
    400,
    'invalid_grant',
    70008,
    'The authorization code is unknown, expired or already redeemed; sign in again.',
  );
}

export function codeClientMismatch(): IdentityError {
  return new IdentityError(
    400,
    'invalid_grant',
    70002,
    'The client_id does not match the one the authorization code was issued to.',
  );
}

export function redirectUriMismatch(): IdentityError {
  return new IdentityError(
    400,
    'invalid_grant',
    50148,
    'The redirect_uri does not match the one used in the authorization request.',
  );
}

export function verifierMismatch(): IdentityError {
  return new IdentityError(
    400,
    'invalid_grant',
    501481,
    'The code_verifier does not match the code_challenge of the authorization request.',
  );
}

export function authorizationPending(): IdentityError {
  return new IdentityError(
    400,
    'authorization_pending',
    70016,
    'The user has not yet finished signing in; poll again after the interval.',
  );
}

export function slowDown(intervalSeconds: number): IdentityError {
  return new IdentityError(
    400,
    'slow_down',
    70016,
    `The client polls too often; wait at least ${intervalSeconds} seconds between polls.`,
  );
}

export function authorizationDeclined(): IdentityError {
  return new IdentityError(
    400,
    'authorization_declined',
    70000,
    'The user declined the sign-in request.',
  );
}

export function expiredToken(): IdentityError {
  return new IdentityError(
    400,
    'expired_token',
    70019,
    'The device code has expired; request a new one.',
  );
}

export function badVerificationCode(): IdentityError {
  return new IdentityError(
    400,
    'bad_verification_code',
    70000,
    'The device code is unknown or was already redeemed.',
  );
}

export function refreshTokenRevoked(): IdentityError {
  return new IdentityError(
    400,
    'invalid_grant',
    50173,
    'The refresh token was revoked or already used; sign in again.',
  );
}

export function invalidClient(): IdentityError {
  return new IdentityError(
    400,
    'invalid_request',
    700016,
    'The client_id is missing or is not a valid application identifier.',
  );
}
