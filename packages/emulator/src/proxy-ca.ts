import { generate } from 'selfsigned';
import type { TlsMaterial } from './tls.js';

/**
 * Host names the CONNECT proxy intercepts. Clients that hard-code the
 * Microsoft endpoints (rclone's OneDrive backend, for example) reach the
 * emulator through the proxy under these names. No other host is tunnelled.
 */
export const INTERCEPTED_HOSTS: readonly string[] = Object.freeze([
  'graph.microsoft.com',
  'login.microsoftonline.com',
  'login.live.com',
]);

/** CA certificate and the leaf pair it signed for the intercepted host names. */
export interface ProxyCertificates {
  /** PEM of the CA that clients must trust (for example through `SSL_CERT_FILE`). */
  caCertificate: string;
  /** Leaf certificate and key presented inside each tunnel. */
  leaf: TlsMaterial;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Generates a CA for this run and one leaf certificate naming every
 * intercepted host. Both live 30 days and exist only in memory.
 */
export async function createProxyCertificates(now = new Date()): Promise<ProxyCertificates> {
  // Starting a minute early tolerates a client clock slightly behind ours.
  const notBeforeDate = new Date(now.getTime() - 60_000);
  const notAfterDate = new Date(now.getTime() + 30 * DAY_MS);

  const ca = await generate([{ name: 'commonName', value: 'skydrive-emulator proxy CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });

  const leaf = await generate([{ name: 'commonName', value: 'graph.microsoft.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: INTERCEPTED_HOSTS.map((host) => ({ type: 2 as const, value: host })),
      },
    ],
  });

  return { caCertificate: ca.cert, leaf: { cert: leaf.cert, key: leaf.private } };
}
