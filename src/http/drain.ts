import type { Server } from 'node:http';
import net from 'node:net';
import type { Http2SecureServer, Http2Server } from 'node:http2';

/** The graceful end of an HTTP server: announce, keep answering for a while, then close once all is answered. */
export interface Drain {
  /** True from `begin()` on: `/readyz` answers 503 and every response carries `Connection: close`. */
  readonly draining: boolean;
  /**
   * Announces the close and keeps answering for the window (so a load balancer can move traffic off),
   * then stops listening and resolves once every request already read has its answer.
   */
  begin(): Promise<void>;
}

/**
 * Node's default keep-alive timeout. The drain keeps idle keep-alive connections shorter than its window:
 * an idle connection is closed by its own timeout (announced to clients by the `Keep-Alive: timeout` hint, which
 * fetch/undici honours) before the listener closes, so closing the listener never races a request a client is
 * writing to a connection it still believed open. Such a request would be reset, not answered.
 */
const NODE_KEEP_ALIVE_MS = 5_000;

export function createDrain(server: Server | Http2Server | Http2SecureServer, windowMs: number): Drain {
  const http = server as Server;
  let draining = false;
  if (windowMs > 0) http.keepAliveTimeout = Math.max(1_000, Math.min(NODE_KEEP_ALIVE_MS, windowMs - 1_000));
  // First of the request listeners, before the application writes its headers: once the close is announced,
  // Node ends each connection after its current response, so keep-alive clients reconnect elsewhere.
  http.prependListener('request', (_request, response) => {
    if (draining) response.setHeader('connection', 'close');
  });
  return {
    get draining() {
      return draining;
    },
    async begin() {
      draining = true;
      if (windowMs > 0) await new Promise((resolve) => setTimeout(resolve, windowMs));
      // Stop listening and wait for every open connection to end by itself. Not http.Server's close(): it
      // also destroys connections with no request in flight, and a connection accepted a moment ago is one of
      // them until its request has been read, so its request would be reset. Here each connection ends after
      // its next answer (marked `close`), or when its keep-alive timeout, shorter than the window, runs out.
      await new Promise<void>((resolve) => {
        if (windowMs > 0) net.Server.prototype.close.call(http, () => resolve());
        // No window (tests, one-off runs): idle keep-alive connections are closed at once rather than waited for.
        else http.close(() => resolve());
      });
    },
  };
}
