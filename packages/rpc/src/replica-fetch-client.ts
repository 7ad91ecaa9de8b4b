/**
 * The follower side of replica fetch: one ReplicaFetch.Fetch stream to one
 * leader broker, gRPC over node:http2 (grpc-http2.ts). Requests go out in
 * call order and responses are matched to them in that order (the echoed
 * request id proves it).
 *
 *   idle --fetch()--> connecting --(connected)--> streaming
 *   connecting --(no connection within connectWaitMs, or refused)--> idle   (waiting fetches: unavailable)
 *   streaming --(stream ends, fails, or answers out of order)--> idle (outstanding fetches fail)
 *   any --close()--> closed
 *
 * A connection attempt after a failed one waits out a backoff that doubles
 * from backoffMsMin to backoffMsMax (reset by a success), so a follower that
 * retries after `unavailable` never spins against a dead leader. A stream
 * that fails on a live connection is replaced on the same connection.
 */
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { connect, constants as h2 } from 'node:http2';
import type { Logger, Result } from '@runnel/common';
import { err, ok, silentLogger } from '@runnel/common';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from './generated/replica-fetch-proto.ts';
import type { MessageMemory, ReceivedMessage } from './grpc-http2.ts';
import { callHeaders, GrpcMessageReader, GrpcWireError, grpcStatus, statusOf, writeMessage } from './grpc-http2.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import {
  bulkFlowControlWindowBytes,
  grpcMessageBytesMaxDefault,
  http2SessionMemoryMaxMb,
  reconnectBackoffDefault,
} from './grpc-options.ts';
import { replicaFetchServiceName, rpcMethod } from './load-protos.ts';
import { replicaFetchRequestToProto, replicaFetchResponseFromProto } from './replica-fetch-codec.ts';
import type { ReplicaFetchError, ReplicaFetchRequest, ReplicaFetchResponse } from './replica-fetch-types.ts';

export interface ReplicaFetchClientOptions {
  /** `host:port` of the leader broker's ReplicaFetch server. */
  readonly address: string;
  /** Fetches sent or waiting for the stream at once; more resolve `queue_full` at once. */
  readonly outstandingRequestsMax?: number;
  /** How long fetches wait for a connection before resolving `unavailable`. */
  readonly connectWaitMs?: number;
  /** Pacing of connection attempts after a failed one. */
  readonly backoff?: ReconnectBackoff;
  readonly messageBytesMax?: number;
  /**
   * Where responses spanning several DATA chunks are assembled; each such
   * response then carries `release()`, which its receiver must call once it
   * no longer reads the records. Default: a fresh buffer per response.
   */
  readonly memory?: MessageMemory;
  readonly logger?: Logger;
}

export type ReplicaFetchResult = Result<ReplicaFetchResponse, ReplicaFetchError>;

interface Outstanding {
  readonly requestId: number;
  readonly resolve: (result: ReplicaFetchResult) => void;
}

const fetchMethod = rpcMethod<ReplicaFetchRequestProto, ReplicaFetchResponseProto>(replicaFetchServiceName, 'Fetch');

export class ReplicaFetchClient {
  readonly #address: string;
  readonly #logger: Logger;
  readonly #outstandingMax: number;
  readonly #connectWaitMs: number;
  readonly #backoff: ReconnectBackoff;
  readonly #messageBytesMax: number;
  readonly #memory: MessageMemory | null;
  /** Oldest first; the head is the next response expected. */
  readonly #outstanding: Outstanding[] = [];
  /** Encoded requests issued while connecting, written once the stream opens. */
  readonly #unsent: Buffer[] = [];
  #session: ClientHttp2Session | null = null;
  #stream: ClientHttp2Stream | null = null;
  #connecting: { cancel(): void } | null = null;
  #closed = false;
  #nextRequestId = 1;
  /** Backoff before the next connection attempt; 0 after a success. */
  #backoffMs = 0;
  #lastAttemptAt = Number.NEGATIVE_INFINITY;

  constructor(options: ReplicaFetchClientOptions) {
    this.#address = options.address;
    this.#logger = (options.logger ?? silentLogger()).child({ leader: options.address });
    this.#outstandingMax = options.outstandingRequestsMax ?? 8;
    this.#connectWaitMs = options.connectWaitMs ?? 1_000;
    this.#backoff = options.backoff ?? reconnectBackoffDefault;
    this.#messageBytesMax = options.messageBytesMax ?? grpcMessageBytesMaxDefault;
    this.#memory = options.memory ?? null;
  }

  /** Whether a stream to the leader is open now (it may still fail on the next request). */
  get connected(): boolean {
    return this.#stream !== null;
  }

  /** Sends one fetch; resolves with the leader's answer to exactly this request. */
  fetch(request: ReplicaFetchRequest): Promise<ReplicaFetchResult> {
    if (this.#closed) return Promise.resolve(err('closed'));
    if (this.#outstanding.length >= this.#outstandingMax) {
      return Promise.resolve(err('queue_full', `${this.#outstandingMax} fetches outstanding`));
    }
    const requestId = this.#nextRequestId++;
    const bytes = fetchMethod.serializeRequest(replicaFetchRequestToProto(requestId, request));
    return new Promise((resolve) => {
      this.#outstanding.push({ requestId, resolve });
      if (this.#stream !== null) writeMessage(this.#stream, [bytes]);
      else {
        this.#unsent.push(bytes);
        const session = this.#session;
        if (session !== null && !session.destroyed && !session.closed) this.#openStream(session);
        else this.#connect();
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#connecting?.cancel();
    this.#connecting = null;
    const stream = this.#stream;
    this.#stream = null;
    this.#failAll('closed', 'client closed');
    stream?.close(h2.NGHTTP2_CANCEL);
    this.#session?.destroy();
    this.#session = null;
  }

  #connect(): void {
    if (this.#connecting !== null) return;
    const delayMs = Math.max(0, this.#lastAttemptAt + this.#backoffMs - performance.now());
    let session: ClientHttp2Session | null = null;
    const giveUp = setTimeout(() => fail(`no connection within ${this.#connectWaitMs} ms`), this.#connectWaitMs);
    const start = setTimeout(() => {
      this.#lastAttemptAt = performance.now();
      session = connect(`http://${this.#address}`, {
        settings: { initialWindowSize: bulkFlowControlWindowBytes },
        maxSessionMemory: http2SessionMemoryMaxMb,
      });
      const opened = session;
      opened.once('connect', () => {
        if (this.#connecting !== attempt) return;
        this.#connecting = null;
        clearTimeout(giveUp);
        this.#backoffMs = 0;
        // The connection-level window too: Node's default 64 KiB would pace 1 MiB responses by round trips.
        opened.setLocalWindowSize(bulkFlowControlWindowBytes);
        this.#session = opened;
        this.#openStream(opened);
      });
      opened.on('error', (e: Error) => {
        if (this.#connecting === attempt) fail(e.message);
      });
      opened.on('close', () => {
        if (this.#connecting === attempt) fail('connection closed');
        if (this.#session !== opened) return;
        this.#session = null;
        if (this.#stream !== null) this.#reset(this.#stream, 'unavailable', 'connection to the leader closed');
      });
    }, delayMs);
    const fail = (why: string): void => {
      if (this.#connecting !== attempt) return;
      attempt.cancel();
      this.#backoffMs = Math.min(this.#backoff.backoffMsMax, Math.max(this.#backoff.backoffMsMin, this.#backoffMs * 2));
      this.#failAll('unavailable', why);
    };
    const attempt = {
      cancel: (): void => {
        this.#connecting = null;
        clearTimeout(giveUp);
        clearTimeout(start);
        session?.destroy();
      },
    };
    this.#connecting = attempt;
  }

  #openStream(session: ClientHttp2Session): void {
    const reader = new GrpcMessageReader(this.#messageBytesMax, this.#memory);
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(callHeaders(fetchMethod.path), { endStream: false });
    } catch (e: unknown) {
      // The connection is going away (GOAWAY received, closing): drop it and connect afresh.
      if (this.#session === session) this.#session = null;
      session.destroy();
      this.#logger.info({ event: 'replica-fetch-stream-closed', reason: String(e) }, 'replica fetch stream closed');
      this.#connect();
      return;
    }
    const ended = (headers: IncomingHttpHeaders, trailers: boolean): void => {
      const status = statusOf(headers);
      if (status !== null && status.code !== grpcStatus.OK) this.#reset(stream, errorOf(status.code), status.details);
      else if (trailers) this.#reset(stream, 'unavailable', 'stream ended by leader');
    };
    stream.on('response', (headers) => ended(headers, false));
    stream.on('trailers', (headers) => ended(headers, true));
    stream.on('data', (chunk: Buffer) => {
      if (this.#stream !== stream) return;
      try {
        for (const message of reader.push(chunk)) {
          if (this.#stream !== stream) message.release?.();
          else this.#onResponse(stream, message);
        }
      } catch (e: unknown) {
        if (!(e instanceof GrpcWireError)) throw e;
        this.#reset(stream, errorOf(e.code), e.message);
      }
    });
    stream.on('error', (e: Error) => this.#reset(stream, 'unavailable', e.message));
    stream.on('close', () => {
      reader.discard();
      this.#reset(stream, 'unavailable', 'stream ended by leader');
    });
    this.#stream = stream;
    this.#logger.info({ event: 'replica-fetch-stream-open' }, 'replica fetch stream open');
    for (const bytes of this.#unsent.splice(0)) writeMessage(stream, [bytes]);
  }

  /** Resolves the head fetch with `message`, which then owns the message's memory (its `release`). */
  #onResponse(stream: ClientHttp2Stream, message: ReceivedMessage): void {
    let decoded: ReturnType<typeof replicaFetchResponseFromProto>;
    try {
      decoded = replicaFetchResponseFromProto(fetchMethod.deserializeResponse(message.bytes));
    } catch (e: unknown) {
      message.release?.();
      this.#reset(stream, 'malformed_response', e instanceof Error ? e.message : String(e));
      return;
    }
    const head = this.#outstanding[0];
    if (!decoded.ok || head === undefined || decoded.value.requestId !== head.requestId) {
      message.release?.();
      const why = decoded.ok ? `response to ${decoded.value.requestId}, expected ${head?.requestId}` : decoded.message;
      this.#reset(stream, 'malformed_response', why ?? 'malformed response');
      return;
    }
    this.#outstanding.shift();
    const release = message.release;
    head.resolve(ok(release === null ? decoded.value.value : { ...decoded.value.value, release }));
  }

  /** Drops the stream; every request it carried fails, and the next fetch() opens another. */
  #reset(stream: ClientHttp2Stream, error: ReplicaFetchError, message: string): void {
    if (this.#stream !== stream) return;
    this.#stream = null;
    if (!stream.destroyed) stream.close(h2.NGHTTP2_CANCEL);
    this.#logger.info({ event: 'replica-fetch-stream-closed', error, reason: message }, 'replica fetch stream closed');
    this.#failAll(error, message);
  }

  #failAll(error: ReplicaFetchError, message: string): void {
    this.#unsent.length = 0;
    for (const outstanding of this.#outstanding.splice(0)) outstanding.resolve(err(error, message));
  }
}

/** gRPC status of a broken stream -> the closed error union, in one place. */
function errorOf(code: number): ReplicaFetchError {
  switch (code) {
    case grpcStatus.UNAVAILABLE:
    case grpcStatus.CANCELLED:
    case grpcStatus.DEADLINE_EXCEEDED:
      return 'unavailable';
    default:
      // INTERNAL (handler failed), INVALID_ARGUMENT (leader refused the request), RESOURCE_EXHAUSTED, UNIMPLEMENTED.
      return 'internal';
  }
}
