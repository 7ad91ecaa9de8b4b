/**
 * The controller's HTTP endpoint: /metrics (Prometheus text format),
 * /healthz (the process is up) and /readyz (this node knows a Raft leader,
 * so the quorum can commit; a follower that knows the leader is ready too,
 * since it forwards brokers there and streams committed metadata).
 *
 * Owned by the controller process, which must close() it. A failed scrape
 * answers 500 and is logged; nothing here stops the controller.
 */
import { createServer, type Server } from 'node:http';
import { type Logger, limitHttpConnections, probeHttpLimits } from '@runnel/common';
import { Counter, type Registry } from 'prom-client';

export interface ControllerHttpOptions {
  readonly host: string;
  /** 0 = any free port (read it back from `port`). */
  readonly port: number;
  readonly registry: Registry;
  readonly ready: () => boolean;
  readonly logger: Logger;
}

/** One counter per registry, however many servers report into it (tests start several). */
const closedCounters = new WeakMap<Registry, Counter<'listener' | 'reason'>>();

function closedCounter(registry: Registry): Counter<'listener' | 'reason'> {
  let counter = closedCounters.get(registry);
  if (counter === undefined) {
    counter = new Counter({
      name: 'runnel_listener_connections_closed_total',
      help: 'Connections the HTTP server closed or refused itself, by reason (idle, per_ip, max_connections)',
      labelNames: ['listener', 'reason'],
      registers: [registry],
    });
    closedCounters.set(registry, counter);
  }
  return counter;
}

export class ControllerHttpServer {
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  /** Rejects (with the socket error) when the port cannot be bound. */
  static async listen(options: ControllerHttpOptions): Promise<ControllerHttpServer> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      switch (path) {
        case '/metrics':
          options.registry.metrics().then(
            (text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
            (error: unknown) => {
              options.logger.error({ err: String(error) }, 'metrics collection failed');
              res.writeHead(500).end();
            },
          );
          return;
        case '/healthz':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
          return;
        case '/readyz': {
          const ready = options.ready();
          res
            .writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' })
            .end(ready ? 'ready\n' : 'no known leader\n');
          return;
        }
        default:
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      }
    });
    // Bounded like every listener: idle and slow connections closed, a cap per address and in all.
    const closed = closedCounter(options.registry);
    limitHttpConnections(server, probeHttpLimits, (reason) => closed.inc({ listener: 'http', reason }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new ControllerHttpServer(server);
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
