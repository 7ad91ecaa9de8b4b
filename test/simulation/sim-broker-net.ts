/**
 * One broker process's network in the simulation: the ReplicationTransport
 * its real ReplicaManager uses (follower streams out, the leader's
 * ReplicaFetch service in) and the AlterPartition channel to the
 * controller, all carried as SimMessages over the MessageNetwork (delays,
 * drops, reordering, cut links).
 *
 * It keeps the gRPC contract the broker code relies on: a stream's fetch
 * resolves with the leader's answer to exactly that request or `closed`
 * (never throws; a lost message is the fetcher's timeout to notice); the
 * leader serves each follower stream one request at a time in arrival
 * order, and aborts the handlers' signal when it stops listening or dies.
 * Stream and request ids are unique in the whole run, so an answer meant
 * for an earlier incarnation of a process is never taken for a new one's.
 *
 * Owned by SimBroker, one per process; a handler that rejects is a bug in
 * the broker code and is reported through `onBug`.
 */
import type { ReplicaFetchListener, ReplicaFetchStream, ReplicationTransport } from '@runnel/broker';
import { assert, err, ok, type Result, type Timers } from '@runnel/common';
import type { AlterPartitionError, AlterPartitionReply, AlterPartitionRequest } from '@runnel/metadata';
import type { ReplicaFetchHandler, ReplicaFetchRequest, ReplicaFetchResponse, ReplicaFetchResult } from '@runnel/rpc';
import { controllerNode, type SimMessage } from './sim-messages.ts';

export interface SimBrokerNetHooks {
  /** Sends from this broker (dropped once the process is dead). */
  send(to: number, message: SimMessage): void;
  nextId(): number;
  onBug(error: unknown): void;
}

interface Session {
  readonly queue: { requestId: number; request: ReplicaFetchRequest }[];
  readonly abort: AbortController;
  busy: boolean;
}

type AlterPartitionResult = Result<AlterPartitionReply, AlterPartitionError>;

export class SimBrokerNet {
  readonly transport: ReplicationTransport;
  readonly controller: { alterPartition(req: AlterPartitionRequest): Promise<AlterPartitionResult> };
  readonly #hooks: SimBrokerNetHooks;
  readonly #timers: Timers;
  readonly #requestTimeoutMs: number;
  readonly #streams = new Map<number, SimFetchStream>();
  readonly #sessions = new Map<string, Session>();
  readonly #alterPending = new Map<number, (result: AlterPartitionResult) => void>();
  #handler: ReplicaFetchHandler | null = null;

  constructor(hooks: SimBrokerNetHooks, timers: Timers, requestTimeoutMs: number) {
    this.#hooks = hooks;
    this.#timers = timers;
    this.#requestTimeoutMs = requestTimeoutMs;
    this.transport = {
      listen: async (_host, port, handler) => {
        this.#handler = handler;
        const listener: ReplicaFetchListener = { port, close: () => this.stop() };
        return ok(listener);
      },
      connect: (address) => this.#connect(address),
    };
    this.controller = { alterPartition: (req) => this.#alterPartition(req) };
  }

  /** Takes the messages meant for this layer; false for the others. */
  receive(from: number, message: SimMessage): boolean {
    switch (message.type) {
      case 'fetch':
        this.#serve(from, message.streamId, message.requestId, message.request);
        return true;
      case 'fetch-response':
        this.#streams.get(message.streamId)?.answer(message.requestId, message.response);
        return true;
      case 'alter-partition-response':
        this.#alterPending.get(message.requestId)?.(message.result);
        return true;
      default:
        return false;
    }
  }

  /** Stops serving followers: every waiting handler's signal aborts. */
  stop(): void {
    this.#handler = null;
    for (const session of this.#sessions.values()) session.abort.abort();
    this.#sessions.clear();
  }

  #connect(address: string): ReplicaFetchStream {
    const leaderId = Number(/^broker-(\d+):/.exec(address)?.[1]);
    assert(Number.isInteger(leaderId), `not a simulated broker address: ${address}`);
    const stream = new SimFetchStream(this.#hooks.nextId(), leaderId, this.#hooks, (id) => this.#streams.delete(id));
    this.#streams.set(stream.id, stream);
    return stream;
  }

  #serve(from: number, streamId: number, requestId: number, request: ReplicaFetchRequest): void {
    if (this.#handler === null) return;
    const key = `${from}:${streamId}`;
    let session = this.#sessions.get(key);
    if (session === undefined) {
      session = { queue: [], abort: new AbortController(), busy: false };
      this.#sessions.set(key, session);
    }
    session.queue.push({ requestId, request });
    if (!session.busy) void this.#drain(from, streamId, key, session);
  }

  async #drain(from: number, streamId: number, key: string, session: Session): Promise<void> {
    session.busy = true;
    for (let next = session.queue.shift(); next !== undefined; next = session.queue.shift()) {
      const handler = this.#handler;
      if (handler === null) return;
      let response: ReplicaFetchResponse;
      try {
        response = await handler(next.request, session.abort.signal);
      } catch (error) {
        this.#hooks.onBug(error);
        return;
      }
      // A server that stopped cuts its streams: what its handlers finish with goes nowhere.
      if (this.#handler === null) return;
      this.#hooks.send(from, { type: 'fetch-response', streamId, requestId: next.requestId, response });
    }
    session.busy = false;
    if (this.#sessions.get(key) === session) this.#sessions.delete(key);
  }

  #alterPartition(request: AlterPartitionRequest): Promise<AlterPartitionResult> {
    const requestId = this.#hooks.nextId();
    return new Promise((resolve) => {
      const finish = (result: AlterPartitionResult): void => {
        this.#alterPending.delete(requestId);
        timer.cancel();
        resolve(result);
      };
      // The real channel gives up too; the leader recomputes its proposal later.
      const timer = this.#timers.setTimeout(
        () => finish(err('not_controller', 'AlterPartition unanswered')),
        this.#requestTimeoutMs,
      );
      this.#alterPending.set(requestId, finish);
      this.#hooks.send(controllerNode, { type: 'alter-partition', requestId, request });
    });
  }
}

/** A follower's stream to one leader: requests out, the answer to each matched by its id. */
class SimFetchStream implements ReplicaFetchStream {
  readonly id: number;
  readonly #leaderId: number;
  readonly #hooks: SimBrokerNetHooks;
  readonly #onClose: (id: number) => void;
  readonly #outstanding = new Map<number, (result: ReplicaFetchResult) => void>();
  #closed = false;

  constructor(id: number, leaderId: number, hooks: SimBrokerNetHooks, onClose: (id: number) => void) {
    this.id = id;
    this.#leaderId = leaderId;
    this.#hooks = hooks;
    this.#onClose = onClose;
  }

  fetch(request: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    if (this.#closed) return Promise.resolve(err('closed'));
    const requestId = this.#hooks.nextId();
    return new Promise((resolve) => {
      this.#outstanding.set(requestId, resolve);
      this.#hooks.send(this.#leaderId, { type: 'fetch', streamId: this.id, requestId, request });
    });
  }

  answer(requestId: number, response: ReplicaFetchResponse): void {
    const resolve = this.#outstanding.get(requestId);
    if (resolve === undefined) return;
    this.#outstanding.delete(requestId);
    resolve(ok(response));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onClose(this.id);
    for (const resolve of this.#outstanding.values()) resolve(err('closed'));
    this.#outstanding.clear();
  }
}
