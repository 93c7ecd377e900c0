import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Generates a personal account id (CID): 16 uppercase hex characters. */
export function newCid(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/** Generates an uppercase GUID, the form OneDrive puts inside eTags. */
export function newGuid(): string {
  return randomUUID().toUpperCase();
}

/** Generates an unguessable URL-safe token with `bytes` bytes of entropy (at least 16, so 128 bits). */
export function newSecret(bytes = 32): string {
  return randomBytes(Math.max(16, bytes)).toString('base64url');
}

/** Hashes a token for storage, so a copied database does not leak live tokens. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Orders two strings by UTF-16 code units, as `<` does, for sorting ids and record keys. */
export function compareCodeUnits(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}
