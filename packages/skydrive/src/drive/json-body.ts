import { SkydriveError } from '../errors.js';

/** Parse a JSON body, reporting a body that is not JSON as a broken Graph contract. */
export function parseJson<T>(text: string, subject: () => string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SkydriveError('PROTOCOL_ERROR', `${subject()} returned a body that is not JSON`, {
      cause: error,
    });
  }
}
