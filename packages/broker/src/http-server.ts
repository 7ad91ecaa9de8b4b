/**
 * The broker's HTTP endpoint: /metrics (Prometheus text format), /healthz
 * (the process is up) and /readyz (the listener is serving and metadata has
 * been loaded). Owned by Broker.
 */
import { createServer, type Server } from 'node:http';
import { type HttpLimitReason, type Logger, limitHttpConnections, probeHttpLimits } from '@runnel/common';
import type { Registry } from 'prom-client';

export class HttpServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async listen(options: {
    host: string;
    port: number;
    registry: Registry;
    ready: () => boolean;
    logger: Logger;
    /** Counts connections the server's limits closed (probeHttpLimits: idle, per address, in all). */
    onLimit?: (reason: HttpLimitReason) => void;
    /** Reports the open connection count once the server exists. */
    trackOpen?: (count: () => number) => void;
  }): Promise<HttpServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/metrics') {
        options.registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
          (error: unknown) => {
            options.logger.error({ err: String(error) }, 'metrics collection failed');
            res.writeHead(500).end();
          },
        );
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
        return;
      }
      if (path === '/readyz') {
        const ready = options.ready();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n');
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    });
    // Its own limits: a flood of the Kafka port (or of this one) must not stop the probes answering others.
    const limited = limitHttpConnections(server, probeHttpLimits, (reason) => options.onLimit?.(reason));
    options.trackOpen?.(limited.open);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new HttpServer(server);
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
