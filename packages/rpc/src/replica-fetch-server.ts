/**
 * The leader side of replica fetch: the broker's replication port, serving
 * ReplicaFetch.Fetch (and, when given handlers, TxnMarkers.Write/.Verify)
 * as gRPC over node:http2 (grpc-http2.ts: the same wire protocol grpc-js
 * speaks, without its per-message layers; responses go out as views of the
 * log's bytes). Each follower stream is served one request at a time, in
 * arrival order: the broker's handler sees a follower's fetch offsets in
 * the order the follower advanced them, and a long-polling handler simply
 * holds the requests queued behind it.
 */
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { createServer } from 'node:http2';
import type { Logger, Result } from '@runnel/common';
import { err, ok, silentLogger } from '@runnel/common';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from './generated/replica-fetch-proto.ts';
import type { GrpcStatusCode, ReceivedMessage } from './grpc-http2.ts';
import {
  endCall,
  GrpcMessageReader,
  GrpcWireError,
  grpcRequestProblem,
  grpcStatus,
  respondOk,
  writeMessage,
} from './grpc-http2.ts';
import type { BindError } from './grpc-options.ts';
import { grpcMessageBytesMaxDefault, http2SessionMemoryMaxMb } from './grpc-options.ts';
import { replicaFetchServiceName, rpcMethod } from './load-protos.ts';
import type { Numbered } from './replica-fetch-codec.ts';
import { replicaFetchRequestFromProto, replicaFetchResponseParts } from './replica-fetch-codec.ts';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from './replica-fetch-types.ts';
import type { UnaryMethod } from './txn-markers-service.ts';
import { txnMarkersMethods } from './txn-markers-service.ts';
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

const fetchMethod = rpcMethod<ReplicaFetchRequestProto, ReplicaFetchResponseProto>(replicaFetchServiceName, 'Fetch');

/**
 * Owned by the broker that started it, which must close() it. A malformed
 * request ends that follower's stream with INVALID_ARGUMENT, a full queue
 * with RESOURCE_EXHAUSTED, a failing handler with INTERNAL; the follower
 * reconnects and other streams are untouched. close() aborts every waiting
 * handler's signal and cuts all connections.
 */
export class ReplicaFetchServer {
  readonly #server: Http2Server;
  readonly #streams: Set<AbortController>;
  readonly #sessions: Set<Http2Session>;
  readonly port: number;

  private constructor(server: Http2Server, streams: Set<AbortController>, sessions: Set<Http2Session>, port: number) {
    this.#server = server;
    this.#streams = streams;
    this.#sessions = sessions;
    this.port = port;
  }

  static async start(options: ReplicaFetchServerOptions): Promise<Result<ReplicaFetchServer, BindError>> {
    const logger = options.logger ?? silentLogger();
    const streams = new Set<AbortController>();
    const sessions = new Set<Http2Session>();
    const unary: Map<string, UnaryMethod> =
      options.txnMarkers === undefined ? new Map() : txnMarkersMethods(options.txnMarkers, logger, options.txnVerify);
    // Streams per connection bounded (Node's default is 2^32-1): each may hold a message being received.
    const server = createServer({ maxSessionMemory: http2SessionMemoryMaxMb, settings: { maxConcurrentStreams: 256 } });
    server.on('session', (session: Http2Session) => {
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
      // Garbage on the port or a peer that vanished: that connection ends, nothing else does.
      session.on('error', (e: Error) => {
        const peer = `${session.socket?.remoteAddress ?? '?'}:${session.socket?.remotePort ?? '?'}`;
        logger.warn({ event: 'replication-connection-failed', peer, err: e.message }, 'replication connection dropped');
      });
    });
    server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
      stream.on('error', () => undefined);
      const problem = grpcRequestProblem(headers);
      if (problem !== null) return endCall(stream, problem.code, problem.details);
      const path = headers[':path'];
      if (path === fetchMethod.path) {
        const peer = `${stream.session?.socket?.remoteAddress ?? '?'}:${stream.session?.socket?.remotePort ?? '?'}`;
        return serveFetch(stream, options, logger.child({ follower: peer }), streams);
      }
      const method = path === undefined ? undefined : unary.get(path);
      if (method === undefined) return endCall(stream, grpcStatus.UNIMPLEMENTED, `unknown method ${String(path)}`);
      serveUnary(stream, method, options.messageBytesMax ?? grpcMessageBytesMaxDefault);
    });
    const bound = await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
    if (!bound.ok) {
      server.close();
      return bound;
    }
    return ok(new ReplicaFetchServer(server, streams, sessions, bound.value));
  }

  /** Stops at once: streams are long-lived, so waiting for them to end would never finish. */
  close(): void {
    for (const stream of this.#streams) stream.abort();
    this.#streams.clear();
    for (const session of this.#sessions) session.destroy();
    this.#sessions.clear();
    this.#server.close();
  }
}

function listen(server: Http2Server, host: string, port: number): Promise<Result<number, BindError>> {
  return new Promise((resolve) => {
    const onError = (error: Error): void => resolve(err('bind_failed', error.message));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? ok(address.port) : err('bind_failed', 'no port'));
    });
  });
}

function serveFetch(
  stream: ServerHttp2Stream,
  options: ReplicaFetchServerOptions,
  logger: Logger,
  streams: Set<AbortController>,
): void {
  const requestsMax = options.streamRequestsMax ?? replicaFetchStreamRequestsMaxDefault;
  const reader = new GrpcMessageReader(options.messageBytesMax ?? grpcMessageBytesMaxDefault);
  const queue: Numbered<ReplicaFetchRequest>[] = [];
  const session = new AbortController();
  streams.add(session);
  let draining = false;
  let followerDone = false;

  const stop = (): void => {
    session.abort();
    streams.delete(session);
  };
  const fail = (code: GrpcStatusCode, details: string): void => {
    if (session.signal.aborted) return;
    logger.warn({ event: 'replica-fetch-stream-failed', code, details }, 'replica fetch stream cut');
    stop();
    endCall(stream, code, details);
  };
  const finish = (): void => {
    stop();
    endCall(stream, grpcStatus.OK);
  };

  const drain = async (): Promise<void> => {
    draining = true;
    for (let next = queue.shift(); next !== undefined && !session.signal.aborted; next = queue.shift()) {
      let response: ReplicaFetchResponse;
      try {
        response = await options.handler(next.value, session.signal);
      } catch (e: unknown) {
        fail(grpcStatus.INTERNAL, e instanceof Error ? e.message : String(e));
        break;
      }
      if (session.signal.aborted || stream.destroyed) {
        response.release?.();
        break;
      }
      // The records go out as views: release once the socket has them (or the stream died), never before.
      const written = writeMessage(stream, replicaFetchResponseParts(next.requestId, response), () =>
        response.release?.(),
      );
      // Waiting for drain keeps at most one response buffered per follower.
      if (!written) await writable(stream, session.signal);
    }
    draining = false;
    if (followerDone && !session.signal.aborted) finish();
  };

  respondOk(stream);
  stream.on('data', (chunk: Buffer) => {
    if (session.signal.aborted) return;
    let messages: ReceivedMessage[];
    try {
      messages = reader.push(chunk);
    } catch (e: unknown) {
      if (e instanceof GrpcWireError) return fail(e.code, e.message);
      throw e;
    }
    for (const message of messages) {
      let decoded: ReturnType<typeof replicaFetchRequestFromProto>;
      try {
        decoded = replicaFetchRequestFromProto(fetchMethod.deserializeRequest(message.bytes));
      } catch (e: unknown) {
        return fail(grpcStatus.INVALID_ARGUMENT, e instanceof Error ? e.message : String(e));
      }
      if (!decoded.ok) return fail(grpcStatus.INVALID_ARGUMENT, decoded.message ?? decoded.error);
      if (queue.length >= requestsMax) {
        return fail(grpcStatus.RESOURCE_EXHAUSTED, `more than ${requestsMax} requests waiting`);
      }
      queue.push(decoded.value);
    }
    if (!draining && queue.length > 0) void drain();
  });
  // The follower half-closed: answer what it already asked, then end.
  stream.on('end', () => {
    followerDone = true;
    if (!draining && !session.signal.aborted) finish();
  });
  // Reset by the follower or a broken connection: nothing to answer, the follower reconnects.
  stream.on('close', stop);
}

function serveUnary(stream: ServerHttp2Stream, method: UnaryMethod, messageBytesMax: number): void {
  const reader = new GrpcMessageReader(messageBytesMax);
  let request: Buffer | null = null;
  let failed = false;
  stream.on('data', (chunk: Buffer) => {
    if (failed) return;
    try {
      for (const message of reader.push(chunk)) {
        if (request !== null) {
          failed = true;
          return endCall(stream, grpcStatus.UNIMPLEMENTED, 'more than one request message on a unary call');
        }
        request = message.bytes;
      }
    } catch (e: unknown) {
      failed = true;
      if (e instanceof GrpcWireError) return endCall(stream, e.code, e.message);
      throw e;
    }
  });
  stream.on('end', () => {
    if (failed) return;
    if (request === null) return endCall(stream, grpcStatus.UNIMPLEMENTED, 'no request message');
    void method(request).then((outcome) => {
      if (!outcome.ok) return endCall(stream, outcome.code, outcome.details);
      if (stream.destroyed) return;
      respondOk(stream);
      writeMessage(stream, [outcome.response]);
      endCall(stream, grpcStatus.OK);
    });
  });
}

function writable(stream: ServerHttp2Stream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    signal.addEventListener('abort', done);
  });
}
