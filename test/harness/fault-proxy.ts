/**
 * A fault-injecting TCP proxy for chaos tests: it forwards connections to a
 * target, and on command cuts them (every open connection reset, new ones
 * reset at once or blackholed: accepted and never answered), heals, or
 * delays every chunk. Put one in front of a port that a process dials
 * (advertise the proxy's port instead of the real one) to partition that
 * traffic without touching the process.
 *
 * It also speaks just enough Kafka to replay requests: it can keep copies
 * of the requests of chosen api keys that clients send through it
 * (captureRequests), send one again later on a new connection of its own
 * (replay), or do that to every such request after a delay
 * (duplicateRequests): a delayed, duplicated old Produce or EndTxn arriving
 * beside the client's newer traffic, as in Jepsen's 2024 Kafka findings.
 *
 * Owned by the test that started it, which must close() it. Listens on
 * loopback (or an address of this machine the test made, e.g. a chaos
 * bridge) and dials loopback. A connection whose target cannot be reached is
 * simply closed; the proxy itself stays usable after any socket error.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { type RequestFrame, RequestFrameSplitter, sendOnNewConnection } from './kafka-request-frames.ts';

export type CutMode = 'reset' | 'blackhole';

/** A request a client sent through the proxy, kept by captureRequests. */
export interface CapturedRequest extends RequestFrame {
  /** Which accepted connection (1-based, in accept order) carried it. */
  connection: number;
}

/** Kafka api keys of the requests worth replaying. */
export const ApiKeys = { produce: 0, addPartitionsToTxn: 24, endTxn: 26, txnOffsetCommit: 28 } as const;

/** How long a replay waits for the target's answer before giving up (acks=0 Produce never answers). */
const replayResponseTimeoutMs = 10_000;

export interface ProxyTarget {
  host: string;
  port: number;
}

interface Link {
  client: Socket;
  upstream: Socket | null;
}

export class FaultProxy {
  readonly name: string;
  readonly #server: Server;
  readonly #links = new Set<Link>();
  readonly #held = new Set<Socket>();
  #target: ProxyTarget | null;
  #cut: CutMode | null = null;
  #delayMs = 0;
  #accepted = 0;
  #capture: { apiKeys: ReadonlySet<number>; max: number } | null = null;
  readonly #captured: CapturedRequest[] = [];
  #duplicate: { apiKeys: ReadonlySet<number>; delayMs: number } | null = null;
  readonly #replays = new Set<Promise<Buffer | null>>();
  readonly #replayTimers = new Set<NodeJS.Timeout>();
  #duplicated = 0;

  private constructor(name: string, server: Server, target: ProxyTarget | null) {
    this.name = name;
    this.#server = server;
    this.#target = target;
    server.on('connection', (socket) => this.#accept(socket));
  }

  /** Listens on `host` (default 127.0.0.1; `port` 0 = any). The target may be set later, before the first connection. */
  static async start(
    options: { name?: string; host?: string; port?: number; target?: ProxyTarget } = {},
  ): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    return new FaultProxy(options.name ?? `proxy:${address.port}`, server, options.target ?? null);
  }

  get port(): number {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error(`${this.name} is closed`);
    return address.port;
  }

  get isCut(): boolean {
    return this.#cut !== null;
  }

  /** Connections forwarded right now. */
  get openConnections(): number {
    return this.#links.size;
  }

  /** Connections accepted since start (forwarded, reset or blackholed). */
  get acceptedConnections(): number {
    return this.#accepted;
  }

  setTarget(target: ProxyTarget): void {
    this.#target = target;
  }

  /** Resets every open connection; until heal(), new ones are reset or blackholed. */
  cut(mode: CutMode = 'blackhole'): void {
    this.#cut = mode;
    for (const link of this.#links) this.#drop(link);
  }

  /** Forwards again. Blackholed connections are reset so their clients reconnect. */
  heal(): void {
    this.#cut = null;
    for (const socket of this.#held) socket.resetAndDestroy();
    this.#held.clear();
  }

  /** Delays every forwarded chunk, both ways, by `ms` (order is kept). */
  setDelayMs(ms: number): void {
    this.#delayMs = Math.max(0, ms);
  }

  /**
   * From now on keeps a copy of every request with one of `apiKeys` that a
   * client sends through the proxy, the newest `max` of them; an empty list stops.
   */
  captureRequests(apiKeys: readonly number[], max = 1000): void {
    this.#capture = apiKeys.length === 0 ? null : { apiKeys: new Set(apiKeys), max };
  }

  /** The requests kept so far, oldest first. */
  get capturedRequests(): readonly CapturedRequest[] {
    return this.#captured;
  }

  /**
   * Sends a request again, byte for byte, on a new connection to the target;
   * resolves with the target's response frame, or null when none came.
   */
  replay(request: RequestFrame): Promise<Buffer | null> {
    const target = this.#target;
    if (target === null) return Promise.resolve(null);
    const sent = sendOnNewConnection(target, request.bytes, replayResponseTimeoutMs);
    this.#replays.add(sent);
    void sent.finally(() => this.#replays.delete(sent));
    return sent;
  }

  /**
   * From now on every request with one of `apiKeys` is forwarded as usual and
   * also replayed once, `delayMs` later, on a new connection (its answer is
   * dropped). An empty list stops; duplicates already scheduled still go.
   */
  duplicateRequests(apiKeys: readonly number[], delayMs: number): void {
    this.#duplicate = apiKeys.length === 0 ? null : { apiKeys: new Set(apiKeys), delayMs: Math.max(0, delayMs) };
  }

  /** Requests scheduled for a duplicate by duplicateRequests since start. */
  get duplicatedRequests(): number {
    return this.#duplicated;
  }

  async close(): Promise<void> {
    for (const timer of this.#replayTimers) clearTimeout(timer);
    this.#replayTimers.clear();
    await Promise.all(this.#replays);
    this.cut('reset');
    this.heal();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.#accepted++;
    client.on('error', () => {});
    const target = this.#target;
    if (this.#cut === 'reset' || target === null) {
      client.resetAndDestroy();
      return;
    }
    if (this.#cut === 'blackhole') {
      this.#held.add(client);
      client.on('data', () => {});
      client.once('close', () => this.#held.delete(client));
      return;
    }
    const connection = this.#accepted;
    const link: Link = { client, upstream: null };
    this.#links.add(link);
    client.pause();
    const upstream = createConnection({ host: target.host, port: target.port });
    link.upstream = upstream;
    upstream.on('error', () => {});
    upstream.once('connect', () => {
      const splitter = new RequestFrameSplitter();
      this.#pipe(client, upstream, (chunk) => this.#inspect(splitter, chunk, connection));
      this.#pipe(upstream, client);
      client.resume();
    });
    const close = (): void => {
      if (!this.#links.delete(link)) return;
      client.destroy();
      upstream.destroy();
    };
    client.once('close', close);
    upstream.once('close', close);
  }

  /** Captures and schedules duplicates of the requests in a client's chunk, as asked. */
  #inspect(splitter: RequestFrameSplitter, chunk: Buffer, connection: number): void {
    const capture = this.#capture;
    const duplicate = this.#duplicate;
    // The splitter must see every chunk from the connection's start to keep its frame boundaries.
    const frames = splitter.push(
      chunk,
      (apiKey) => capture?.apiKeys.has(apiKey) === true || duplicate?.apiKeys.has(apiKey) === true,
    );
    for (const frame of frames) {
      if (capture?.apiKeys.has(frame.apiKey) === true) {
        this.#captured.push({ ...frame, connection });
        if (this.#captured.length > capture.max) this.#captured.shift();
      }
      if (duplicate?.apiKeys.has(frame.apiKey) === true) {
        this.#duplicated++;
        const timer = setTimeout(() => {
          this.#replayTimers.delete(timer);
          void this.replay(frame);
        }, duplicate.delayMs);
        this.#replayTimers.add(timer);
      }
    }
  }

  /**
   * Copies `from` to `to` with backpressure, each chunk held back by the delay
   * current when it arrived; `inspect` sees every chunk as it arrives.
   */
  #pipe(from: Socket, to: Socket, inspect?: (chunk: Buffer) => void): void {
    const queue: { chunk: Buffer; dueMs: number }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const flush = (): void => {
      timer = null;
      const now = Date.now();
      while (queue.length > 0) {
        const head = queue[0];
        if (head === undefined || head.dueMs > now) break;
        queue.shift();
        if (!to.destroyed && !to.write(head.chunk)) from.pause();
      }
      const next = queue[0];
      if (next !== undefined) timer = setTimeout(flush, next.dueMs - now);
    };
    from.on('data', (chunk: Buffer) => {
      inspect?.(chunk);
      if (this.#delayMs === 0 && queue.length === 0) {
        if (!to.write(chunk)) from.pause();
        return;
      }
      queue.push({ chunk, dueMs: Date.now() + this.#delayMs });
      if (timer === null) timer = setTimeout(flush, this.#delayMs);
    });
    to.on('drain', () => from.resume());
    from.once('end', () => {
      if (queue.length === 0) to.end();
      else setTimeout(() => to.end(), this.#delayMs);
    });
    from.once('close', () => {
      if (timer !== null) clearTimeout(timer);
    });
  }

  #drop(link: Link): void {
    this.#links.delete(link);
    link.client.resetAndDestroy();
    link.upstream?.resetAndDestroy();
  }
}
