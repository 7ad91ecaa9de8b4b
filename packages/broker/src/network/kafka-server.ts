/**
 * The Kafka listener: accepts TCP connections up to `connectionsMax` and
 * hands each one to a Connection. Owned by Broker; `close()` stops
 * accepting and destroys open connections.
 *
 * Binding and serving are two steps, as in Kafka (whose acceptors start only
 * once the broker has caught up with metadata): `bind()` takes the port at
 * once, so its number can go into the broker's registration and a taken
 * port fails the start before registering, but a connection made before
 * `serve()` is held unread; its requests are answered only once the broker
 * can answer them (Metadata listing itself), not with an empty cluster.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@runnel/common';
import { Connection, type RequestProcessor } from './connection.ts';
import type { FramePool } from './frame-pool.ts';
import { RequestBytesBudget } from './request-bytes-budget.ts';

export interface KafkaServerOptions {
  host: string;
  port: number;
  connectionsMax: number;
  frameBytesMax: number;
  /** Where large request frames are assembled (recycled); null allocates each. */
  framePool: FramePool | null;
  inflightMax: number;
  /** queued.max.request.bytes: request bytes in flight on all connections; <= 0 unbounded. */
  queuedRequestBytesMax?: number;
  process: RequestProcessor;
  logger: Logger;
  onConnectionCountChange?: (count: number) => void;
}

export class KafkaServer {
  readonly #options: KafkaServerOptions;
  /** max.connections; a dynamic broker config may change it (connections already open stay). */
  #connectionsMax: number;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  /** Connections accepted before serve() (paused, nothing read from them yet), with what detaches their listeners. */
  readonly #held = new Map<Socket, () => void>();
  #serving = false;
  #nextId = 1;
  readonly #budget: RequestBytesBudget;

  private constructor(options: KafkaServerOptions) {
    this.#options = options;
    this.#budget = new RequestBytesBudget(options.queuedRequestBytesMax ?? 0);
    this.#connectionsMax = options.connectionsMax;
    // pauseOnConnect: a held socket is not read, so the kernel's buffers (not ours) keep what a client sends early.
    this.#server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.#accept(socket));
  }

  /** Binds the port; connections are held until serve(). */
  static async bind(options: KafkaServerOptions): Promise<KafkaServer> {
    const server = new KafkaServer(options);
    await new Promise<void>((resolve, reject) => {
      server.#server.once('error', reject);
      server.#server.listen(options.port, options.host, () => {
        server.#server.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : this.#options.port;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  /** The request-bytes budget's state (metrics). */
  get requestBudget(): RequestBytesBudget['snapshot'] {
    return this.#budget.snapshot;
  }

  /** Starts handling requests, first those of the connections held since bind(). */
  /** Applies a changed max.connections to connections accepted from now on. */
  setConnectionsMax(connectionsMax: number): void {
    this.#connectionsMax = connectionsMax;
  }

  serve(): void {
    if (this.#serving) return;
    this.#serving = true;
    const held = [...this.#held];
    this.#held.clear();
    for (const [socket, detach] of held) {
      detach();
      if (!socket.destroyed) this.#open(socket);
    }
  }

  #accept(socket: Socket): void {
    if (this.#connections.size + this.#held.size >= this.#connectionsMax) {
      this.#options.logger.warn(
        { remote: socket.remoteAddress, connectionsMax: this.#connectionsMax },
        'connection refused: max.connections reached',
      );
      socket.destroy();
      return;
    }
    if (!this.#serving) {
      // A client that gives up while held must not leave an unhandled 'error' behind.
      const onError = (): void => void socket.destroy();
      const onClose = (): void => void this.#held.delete(socket);
      socket.on('error', onError).on('close', onClose);
      this.#held.set(socket, () => socket.off('error', onError).off('close', onClose));
      return;
    }
    this.#open(socket);
  }

  #open(socket: Socket): void {
    const connection = new Connection({
      id: this.#nextId++,
      socket,
      frameBytesMax: this.#options.frameBytesMax,
      framePool: this.#options.framePool,
      inflightMax: this.#options.inflightMax,
      budget: this.#budget,
      process: this.#options.process,
      logger: this.#options.logger,
      onClose: () => {
        this.#connections.delete(connection);
        this.#options.onConnectionCountChange?.(this.#connections.size);
      },
    });
    this.#connections.add(connection);
    this.#options.onConnectionCountChange?.(this.#connections.size);
    socket.resume();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of [...this.#held.keys()]) socket.destroy();
    this.#held.clear();
    for (const c of this.#connections) c.close('broker shutting down');
    await closed;
  }
}
