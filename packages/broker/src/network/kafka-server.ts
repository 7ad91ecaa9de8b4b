/**
 * The Kafka listener: accepts TCP connections within its limits and hands
 * each one to a Connection. Owned by Broker; `close()` stops accepting and
 * destroys open connections.
 *
 * Limits (decided by @runnel/common's connection-limits, counted here): a
 * connection beyond max.connections.per.ip (or its override) or
 * max.connections is closed at once, as Kafka drops it; one beyond
 * max.connection.creation.rate waits unread until its turn (Kafka's acceptor
 * holds it back too); a connection idle for connections.max.idle.ms, or whose
 * started request has not arrived within runnel.request.read.timeout.ms, is
 * closed by a sweep. Every connection counts against the limits from accept
 * to close, also while it waits (for its turn or for serve()).
 *
 * Binding and serving are two steps, as in Kafka (whose acceptors start only
 * once the broker has caught up with metadata): `bind()` takes the port at
 * once, so its number can go into the broker's registration and a taken
 * port fails the start before registering, but a connection made before
 * `serve()` is held unread; its requests are answered only once the broker
 * can answer them (Metadata listing itself), not with an empty cluster.
 */
import { createServer, type Server, type Socket } from 'node:net';
import {
  type AdmissionLimits,
  admitConnection,
  type ConnectionActivity,
  type CreationRateState,
  connectionExpiry,
  creationDelay,
  creationRateStart,
  type ExpiryLimits,
  expirySweepIntervalMs,
  type Logger,
  normalizeAddress,
} from '@runnel/common';
import { Connection, type RequestProcessor } from './connection.ts';
import type { ConnectionLimitReason, ConnectionMetrics } from './connection-metrics.ts';
import type { FramePool } from './frame-pool.ts';
import { RequestBytesBudget } from './request-bytes-budget.ts';

/** The listener's connection limits; admission ones and the creation rate may change while it runs. */
export interface ListenerLimits extends AdmissionLimits, ExpiryLimits {
  /** max.connection.creation.rate (Int.MaxValue or 0: unlimited). */
  readonly connectionCreationRateMax: number;
}

/** The listener's name in metrics and logs (Kafka's default listener). */
const listenerName = 'PLAINTEXT';
/** At most one log line per this long about refused connections (an attacker can cause them at will). */
const refusalLogIntervalMs = 10_000;

export interface KafkaServerOptions {
  host: string;
  port: number;
  limits: ListenerLimits;
  /** Monotonic milliseconds; the system clock's when absent. */
  nowMs?: () => number;
  metrics?: ConnectionMetrics;
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
  /** Dynamic broker configs may change these (connections already open stay). */
  #limits: ListenerLimits;
  readonly #nowMs: () => number;
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  /**
   * Connections accepted but not handed to a Connection yet (paused, nothing read from them): before serve(), or
   * waiting for their turn under the creation rate; with what detaches their listeners.
   */
  readonly #held = new Map<Socket, () => void>();
  /** Held sockets whose turn under the creation rate has not come yet (serve() leaves them to their timer). */
  readonly #waitingTurn = new Set<Socket>();
  /** Sockets accepted and not closed yet (open, held or waiting), in all and by peer address. */
  #admitted = 0;
  readonly #admittedByAddress = new Map<string, number>();
  #rate: CreationRateState = creationRateStart;
  #sweep: NodeJS.Timeout | null = null;
  #refusals = { lastLogMs: Number.NEGATIVE_INFINITY, suppressed: 0 };
  #serving = false;
  #nextId = 1;
  readonly #budget: RequestBytesBudget;

  private constructor(options: KafkaServerOptions) {
    this.#options = options;
    this.#limits = options.limits;
    this.#budget = new RequestBytesBudget(options.queuedRequestBytesMax ?? 0);
    this.#nowMs = options.nowMs ?? (() => performance.now());
    // pauseOnConnect: a held socket is not read, so the kernel's buffers (not ours) keep what a client sends early.
    this.#server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => this.#accept(socket));
    options.metrics?.trackOpen(listenerName, () => this.#connections.size);
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

  /** What each open connection has been doing (what the expiry sweep reads). */
  get activities(): ConnectionActivity[] {
    return [...this.#connections].map((c) => c.activity);
  }

  /** The request-bytes budget's state (metrics). */
  get requestBudget(): RequestBytesBudget['snapshot'] {
    return this.#budget.snapshot;
  }

  /** Applies changed admission limits and creation rate to connections accepted from now on. */
  reconfigure(limits: Pick<ListenerLimits, keyof AdmissionLimits | 'connectionCreationRateMax'>): void {
    this.#limits = { ...this.#limits, ...limits };
  }

  /** Starts handling requests, first those of the connections held since bind(). */
  serve(): void {
    if (this.#serving) return;
    this.#serving = true;
    for (const socket of [...this.#held.keys()]) if (!this.#waitingTurn.has(socket)) this.#release(socket);
    const everyMs = expirySweepIntervalMs(this.#limits);
    this.#sweep = setInterval(() => this.#expire(), everyMs);
    this.#sweep.unref();
  }

  #accept(socket: Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    const fromAddress = this.#admittedByAddress.get(address) ?? 0;
    const verdict = admitConnection(address, fromAddress, this.#admitted, this.#limits);
    if (verdict.kind === 'refuse') {
      this.#options.metrics?.closed(listenerName, verdict.reason);
      this.#logRefusal(address, verdict.reason, verdict.limit);
      socket.destroy();
      return;
    }
    this.#admitted++;
    this.#admittedByAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.#admitted--;
      const left = (this.#admittedByAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.#admittedByAddress.delete(address);
      else this.#admittedByAddress.set(address, left);
    });
    const { delayMs, state } = creationDelay(this.#rate, this.#nowMs(), this.#limits.connectionCreationRateMax);
    this.#rate = state;
    if (delayMs <= 0 && this.#serving) {
      this.#open(socket);
      return;
    }
    // A client that gives up while held must not leave an unhandled 'error' behind.
    let timer: NodeJS.Timeout | null = null;
    const onError = (): void => void socket.destroy();
    const onClose = (): void => {
      this.#held.delete(socket);
      this.#waitingTurn.delete(socket);
      if (timer !== null) clearTimeout(timer);
    };
    socket.on('error', onError).on('close', onClose);
    this.#held.set(socket, () => socket.off('error', onError).off('close', onClose));
    if (delayMs > 0) {
      this.#options.metrics?.throttled(listenerName, delayMs);
      this.#waitingTurn.add(socket);
      timer = setTimeout(() => {
        timer = null;
        this.#waitingTurn.delete(socket);
        if (this.#serving) this.#release(socket);
      }, delayMs);
    }
  }

  /** Hands a held socket to a Connection. */
  #release(socket: Socket): void {
    const detach = this.#held.get(socket);
    if (detach === undefined) return;
    this.#held.delete(socket);
    detach();
    if (!socket.destroyed) this.#open(socket);
  }

  #expire(): void {
    const now = this.#nowMs();
    for (const connection of this.#connections) {
      if (connection.closed) continue;
      const verdict = connectionExpiry(connection.activity, now, this.#limits);
      if (verdict === 'keep') continue;
      this.#options.metrics?.closed(listenerName, verdict);
      connection.close(
        verdict === 'idle'
          ? `idle for connections.max.idle.ms (${this.#limits.idleMsMax} ms)`
          : `request not received within runnel.request.read.timeout.ms (${this.#limits.frameReadMsMax} ms)`,
        'info',
      );
    }
  }

  #logRefusal(address: string, reason: ConnectionLimitReason, limit: number): void {
    const now = this.#nowMs();
    if (now - this.#refusals.lastLogMs < refusalLogIntervalMs) {
      this.#refusals.suppressed++;
      return;
    }
    const config = reason === 'per_ip' ? 'max.connections.per.ip' : 'max.connections';
    this.#options.logger.warn(
      { remote: address, limit, config, refusedSinceLastLine: this.#refusals.suppressed },
      `connection refused: ${config} reached`,
    );
    this.#refusals = { lastLogMs: now, suppressed: 0 };
  }

  #open(socket: Socket): void {
    const connection = new Connection({
      id: this.#nextId++,
      socket,
      frameBytesMax: this.#options.frameBytesMax,
      framePool: this.#options.framePool,
      inflightMax: this.#options.inflightMax,
      nowMs: this.#nowMs,
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
    if (this.#sweep !== null) clearInterval(this.#sweep);
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of [...this.#held.keys()]) socket.destroy();
    this.#held.clear();
    for (const c of this.#connections) c.close('broker shutting down');
    await closed;
  }
}
