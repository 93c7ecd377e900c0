import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';

export interface HttpTimeouts {
  /** TCP and TLS connect, in ms. */
  connectMs: number;
  /** From the request being sent to the response headers, in ms. */
  headersMs: number;
  /** Maximum gap between two body chunks, in ms. */
  bodyMs: number;
}

export const DEFAULT_TIMEOUTS: Readonly<HttpTimeouts> = Object.freeze({
  connectMs: 30_000,
  headersMs: 60_000,
  bodyMs: 120_000,
});

/** Idle keep-alive sockets are closed after this long, in ms. */
const KEEP_ALIVE_MS = 30_000;

function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some(
    (name) => (env[name] ?? '') !== '',
  );
}

/**
 * Create one keep-alive pool for every origin the drive talks to. When a proxy
 * is set in the environment, EnvHttpProxyAgent routes through it and honours NO_PROXY.
 */
export function createDispatcher(
  timeouts: Readonly<HttpTimeouts>,
  env: NodeJS.ProcessEnv = process.env,
): Dispatcher {
  const options = {
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    keepAliveTimeout: KEEP_ALIVE_MS,
  };
  if (!proxyConfigured(env)) {
    return new Agent(options);
  }
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  });
}
