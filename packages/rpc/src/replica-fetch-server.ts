/**
 * The leader side of replica fetch: a gRPC server for ReplicaFetch.Fetch
 * (and, when given a handler, TxnMarkers.Write on the same port).
 * Each follower stream is served one request at a time, in arrival order:
 * the broker's handler sees a follower's fetch offsets in the order the
 * follower advanced them, and a long-polling handler simply holds the
 * requests queued behind it.
 */
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Server, status } from '@grpc/grpc-js';
import type { Logger, Result } from '@runnel/common';
import { ok, silentLogger } from '@runnel/common';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from './generated/replica-fetch-proto.ts';
import type { BindError } from './grpc-options.ts';
import { bindServer, grpcMessageBytesMaxDefault, serverOptions } from './grpc-options.ts';
import { replicaFetchServiceName, serviceDefinition, txnMarkersServiceName } from './load-protos.ts';
import type { Numbered } from './replica-fetch-codec.ts';
import { replicaFetchRequestFromProto, replicaFetchResponseToProto } from './replica-fetch-codec.ts';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from './replica-fetch-types.ts';
import { txnMarkersImplementation } from './txn-markers-service.ts';
import type { TxnMarkersHandler, TxnVerifyHandler } from './txn-markers-types.ts';

/**
 * Answers one fetch. May wait (up to the request's maxWaitMs, for data to
 * arrive) before resolving; `signal` aborts when the follower's stream ends,
 * so a waiting handler can stop early. Per-partition trouble goes in the
 * response; a rejection is a bug and ends the follower's stream with INTERNAL.
 */
export type ReplicaFetchHandler = (request: ReplicaFetchRequest, signal: AbortSignal) => Promise<ReplicaFetchResponse>;

export interface ReplicaFetchServerOptions {
  readonly handler: ReplicaFetchHandler;
  readonly host?: string;
  /** 0 (the default) binds any free port; read it back from `port`. */
  readonly port?: number;
  readonly logger?: Logger;
  readonly messageBytesMax?: number;
  /** Requests one follower may have waiting on its stream; beyond it the stream is cut with RESOURCE_EXHAUSTED. */
  readonly streamRequestsMax?: number;
  /** Also serve TxnMarkers.Write (transaction markers from coordinators) on this port. */
  readonly txnMarkers?: TxnMarkersHandler;
  /** And TxnMarkers.Verify (KIP-890 part 1, this broker's transaction coordinators answering partition leaders). */
  readonly txnVerify?: TxnVerifyHandler;
}

export const replicaFetchStreamRequestsMaxDefault = 64;

type FetchCall = ServerDuplexStream<ReplicaFetchRequestProto, ReplicaFetchResponseProto>;

/**
 * Owned by the broker that started it, which must close() it. A malformed
 * request ends that follower's stream with INVALID_ARGUMENT, a full queue
 * with RESOURCE_EXHAUSTED, a failing handler with INTERNAL; the follower
 * reconnects and other streams are untouched. close() aborts every waiting
 * handler's signal and cuts all streams.
 */
export class ReplicaFetchServer {
  readonly #server: Server;
  readonly #sessions: Set<AbortController>;
  readonly port: number;

  private constructor(server: Server, sessions: Set<AbortController>, port: number) {
    this.#server = server;
    this.#sessions = sessions;
    this.port = port;
  }

  static async start(options: ReplicaFetchServerOptions): Promise<Result<ReplicaFetchServer, BindError>> {
    const logger = options.logger ?? silentLogger();
    const sessions = new Set<AbortController>();
    const server = new Server(serverOptions(options.messageBytesMax ?? grpcMessageBytesMaxDefault));
    server.addService(serviceDefinition(replicaFetchServiceName), {
      Fetch: (call: FetchCall) => serveStream(call, options, logger.child({ follower: call.getPeer() }), sessions),
    });
    if (options.txnMarkers !== undefined) {
      server.addService(
        serviceDefinition(txnMarkersServiceName),
        txnMarkersImplementation(options.txnMarkers, logger, options.txnVerify),
      );
    }
    const bound = await bindServer(server, options.host ?? '127.0.0.1', options.port ?? 0);
    if (!bound.ok) {
      server.forceShutdown();
      return bound;
    }
    return ok(new ReplicaFetchServer(server, sessions, bound.value));
  }

  /** Stops at once: streams are long-lived, so waiting for them to end would never finish. */
  close(): void {
    for (const session of this.#sessions) session.abort();
    this.#sessions.clear();
    this.#server.forceShutdown();
  }
}

function serveStream(
  call: FetchCall,
  options: ReplicaFetchServerOptions,
  logger: Logger,
  sessions: Set<AbortController>,
): void {
  const requestsMax = options.streamRequestsMax ?? replicaFetchStreamRequestsMaxDefault;
  const queue: Numbered<ReplicaFetchRequest>[] = [];
  const session = new AbortController();
  sessions.add(session);
  let draining = false;
  let followerDone = false;

  const stop = (): void => {
    session.abort();
    sessions.delete(session);
  };
  const fail = (code: status, details: string): void => {
    if (session.signal.aborted) return;
    logger.warn({ event: 'replica-fetch-stream-failed', code, details }, 'replica fetch stream cut');
    stop();
    call.emit('error', { code, details });
  };

  const drain = async (): Promise<void> => {
    draining = true;
    for (let next = queue.shift(); next !== undefined && !session.signal.aborted; next = queue.shift()) {
      let response: ReplicaFetchResponse;
      try {
        response = await options.handler(next.value, session.signal);
      } catch (e: unknown) {
        fail(status.INTERNAL, e instanceof Error ? e.message : String(e));
        break;
      }
      if (session.signal.aborted) {
        response.release?.();
        break;
      }
      // grpc-js calls back once the message is serialized and written, never before; not at all when cancelled.
      const written = call.write(replicaFetchResponseToProto(next.requestId, response), () => response.release?.());
      // Waiting for drain keeps at most one response buffered per follower.
      if (!written) await writable(call, session.signal);
    }
    draining = false;
    if (followerDone && !session.signal.aborted) {
      stop();
      call.end();
    }
  };

  call.on('data', (proto: ReplicaFetchRequestProto) => {
    if (session.signal.aborted) return;
    const decoded = replicaFetchRequestFromProto(proto);
    if (!decoded.ok) return fail(status.INVALID_ARGUMENT, decoded.message ?? decoded.error);
    if (queue.length >= requestsMax)
      return fail(status.RESOURCE_EXHAUSTED, `more than ${requestsMax} requests waiting`);
    queue.push(decoded.value);
    if (!draining) void drain();
  });
  // The follower half-closed: answer what it already asked, then end.
  call.on('end', () => {
    followerDone = true;
    if (!draining && !session.signal.aborted) {
      stop();
      call.end();
    }
  });
  call.on('cancelled', stop);
  // A broken stream: nothing to answer, the follower reconnects.
  call.on('error', stop);
}

function writable(call: FetchCall, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done);
  });
}
