import type { RequestListener, Server } from 'node:http';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { EmulatorError } from './errors.js';
import type { ResolvedOptions } from './options.js';

/** Certificate and private key in PEM. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

/**
 * Returns the TLS material for the `https` option: the given PEM pair, a
 * fresh self-signed certificate for 127.0.0.1 and localhost, or undefined
 * for plain HTTP.
 */
export async function tlsMaterialOf(
  https: ResolvedOptions['https'],
): Promise<TlsMaterial | undefined> {
  if (https === false) {
    return undefined;
  }
  if (https !== true) {
    if (!https.cert.includes('BEGIN CERTIFICATE') || !https.key.includes('PRIVATE KEY')) {
      throw new EmulatorError(
        'EMULATOR_INVALID_OPTION',
        'option https needs a PEM certificate (cert) and a PEM private key (key)',
      );
    }
    try {
      createSecureContext({ cert: https.cert, key: https.key });
    } catch (error) {
      throw new EmulatorError(
        'EMULATOR_INVALID_OPTION',
        `option https has a certificate and key that cannot be used together: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return https;
  }
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 30 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Creates an HTTP server, or an HTTPS one when TLS material is given. */
export function createListener(listener: RequestListener, tls: TlsMaterial | undefined): Server {
  if (tls === undefined) {
    return createHttpServer(listener);
  }
  return createHttpsServer({ cert: tls.cert, key: tls.key }, listener) as unknown as Server;
}
