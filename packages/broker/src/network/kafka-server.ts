/**
 * The Kafka listener: accepts TCP connections up to `connectionsMax` and
 * hands each one to a Connection. Owned by Broker; `close()` stops
 * accepting and destroys open connections.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@runnel/common';
import { Connection, type RequestProcessor } from './connection.ts';

export interface KafkaServerOptions {
  host: string;
  port: number;
  connectionsMax: number;
  frameBytesMax: number;
  inflightMax: number;
  process: RequestProcessor;
  logger: Logger;
  onConnectionCountChange?: (count: number) => void;
}

export class KafkaServer {
  readonly #options: KafkaServerOptions;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #nextId = 1;

  private constructor(options: KafkaServerOptions) {
    this.#options = options;
    this.#server = createServer({ noDelay: true }, (socket) => this.#accept(socket));
  }

  static async listen(options: KafkaServerOptions): Promise<KafkaServer> {
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

  #accept(socket: Socket): void {
    if (this.#connections.size >= this.#options.connectionsMax) {
      this.#options.logger.warn(
        { remote: socket.remoteAddress, connectionsMax: this.#options.connectionsMax },
        'connection refused: max.connections reached',
      );
      socket.destroy();
      return;
    }
    const connection = new Connection({
      id: this.#nextId++,
      socket,
      frameBytesMax: this.#options.frameBytesMax,
      inflightMax: this.#options.inflightMax,
      process: this.#options.process,
      logger: this.#options.logger,
      onClose: () => {
        this.#connections.delete(connection);
        this.#options.onConnectionCountChange?.(this.#connections.size);
      },
    });
    this.#connections.add(connection);
    this.#options.onConnectionCountChange?.(this.#connections.size);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const c of this.#connections) c.close('broker shutting down');
    await closed;
  }
}
