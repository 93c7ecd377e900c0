import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { INTERCEPTED_HOSTS, type ProxyCertificates } from './proxy-ca.js';

/** Handle of a CONNECT proxy attached to a listener. */
export interface ConnectProxy {
  /** Destroys every open tunnel. The listener that carries the proxy is closed separately. */
  close(): void;
}

/**
 * Makes `server` also act as an HTTPS proxy: `CONNECT graph.microsoft.com:443`
 * (or another intercepted host) is served by the emulator itself, which
 * terminates TLS with a certificate signed by its own CA and serves the
 * tunnelled requests with `listener`. Any other host or port gets 403 and is
 * never contacted, so the proxy opens no outbound connection.
 */
export function attachConnectProxy(
  server: Server,
  listener: RequestListener,
  certificates: ProxyCertificates,
  log: Logger,
): ConnectProxy {
  // Never listens: it only runs TLS and HTTP/1.1 on sockets handed over by CONNECT.
  const tunnelServer = createHttpsServer(
    { cert: certificates.leaf.cert, key: certificates.leaf.key },
    listener,
  );
  const tunnels = new Set<Duplex>();

  server.on('connect', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = req.url ?? '';
    const { host, port } = splitAuthority(target);
    socket.on('error', (error) => {
      log.debug({ err: error, target }, 'proxy tunnel socket error');
    });

    if (port !== '443' || !INTERCEPTED_HOSTS.includes(host)) {
      log.info({ target }, 'CONNECT rejected: the proxy only serves the Microsoft hosts on 443');
      socket.end(
        'HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n' +
          `skydrive-emulator tunnels only ${INTERCEPTED_HOSTS.join(', ')} on port 443\n`,
      );
      return;
    }

    tunnels.add(socket);
    socket.once('close', () => tunnels.delete(socket));
    log.debug({ target }, 'CONNECT accepted');
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // Bytes the client sent after the CONNECT head belong to the TLS handshake.
    if (head.length > 0) {
      socket.unshift(head);
    }
    tunnelServer.emit('connection', socket);
  });

  return {
    close() {
      for (const socket of tunnels) {
        socket.destroy();
      }
      tunnels.clear();
    },
  };
}

/** Splits `host:port`, or `[v6]:port` for IPv6, and lowercases the host. */
function splitAuthority(authority: string): { host: string; port: string } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(authority);
  if (!match?.[1] || !match[2]) {
    return { host: authority.toLowerCase(), port: '' };
  }
  return { host: match[1].toLowerCase(), port: match[2] };
}
