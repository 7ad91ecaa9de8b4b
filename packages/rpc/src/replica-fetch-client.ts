/**
 * The follower side of replica fetch: one ReplicaFetch.Fetch stream to one
 * leader broker. Requests go out in call order and responses are matched to
 * them in that order (the echoed request id proves it).
 *
 *   idle --fetch()--> connecting --(channel ready)--> streaming
 *   connecting --(not ready within connectWaitMs)--> idle   (waiting fetches: unavailable)
 *   streaming --(stream ends, fails, or answers out of order)--> idle (outstanding fetches fail)
 *   any --close()--> closed
 *
 * The gRPC channel reconnects with the backoff given in its options, so a
 * follower that retries after `unavailable` is paced by connectWaitMs and
 * never spins against a dead leader.
 */
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { Client, credentials, status } from '@grpc/grpc-js';
import type { Logger, Result } from '@runnel/common';
import { err, ok, silentLogger } from '@runnel/common';
import type { ReplicaFetchRequestProto, ReplicaFetchResponseProto } from './generated/replica-fetch-proto.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import { bulkChannelOptions, grpcMessageBytesMaxDefault, reconnectBackoffDefault } from './grpc-options.ts';
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
  readonly backoff?: ReconnectBackoff;
  readonly messageBytesMax?: number;
  readonly logger?: Logger;
}

export type ReplicaFetchResult = Result<ReplicaFetchResponse, ReplicaFetchError>;

interface Outstanding {
  readonly requestId: number;
  readonly resolve: (result: ReplicaFetchResult) => void;
}

type FetchStream = ClientDuplexStream<ReplicaFetchRequestProto, ReplicaFetchResponseProto>;

/**
 * Owned by the broker's replica fetcher for one leader, which must close()
 * it. fetch() never throws for network trouble: it resolves to an error
 * from the closed union and the next fetch() opens a fresh stream. A
 * request with out-of-range values is a bug (assert). After close() every
 * fetch resolves `closed`.
 */
export class ReplicaFetchClient {
  readonly #client: Client;
  readonly #method = rpcMethod<ReplicaFetchRequestProto, ReplicaFetchResponseProto>(replicaFetchServiceName, 'Fetch');
  readonly #logger: Logger;
  readonly #outstandingMax: number;
  readonly #connectWaitMs: number;
  /** Oldest first; the head is the next response expected. */
  readonly #outstanding: Outstanding[] = [];
  /** Requests issued while connecting, written once the stream opens. */
  readonly #unsent: ReplicaFetchRequestProto[] = [];
  #stream: FetchStream | null = null;
  #connecting = false;
  #closed = false;
  #nextRequestId = 1;

  constructor(options: ReplicaFetchClientOptions) {
    this.#logger = (options.logger ?? silentLogger()).child({ leader: options.address });
    this.#outstandingMax = options.outstandingRequestsMax ?? 8;
    this.#connectWaitMs = options.connectWaitMs ?? 1_000;
    this.#client = new Client(
      options.address,
      credentials.createInsecure(),
      bulkChannelOptions(
        options.backoff ?? reconnectBackoffDefault,
        options.messageBytesMax ?? grpcMessageBytesMaxDefault,
      ),
    );
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
    const proto = replicaFetchRequestToProto(requestId, request);
    return new Promise((resolve) => {
      this.#outstanding.push({ requestId, resolve });
      if (this.#stream !== null) this.#stream.write(proto);
      else {
        this.#unsent.push(proto);
        this.#connect();
      }
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const stream = this.#stream;
    this.#stream = null;
    this.#failAll('closed', 'client closed');
    stream?.cancel();
    this.#client.close();
  }

  #connect(): void {
    if (this.#connecting) return;
    this.#connecting = true;
    this.#client.waitForReady(Date.now() + this.#connectWaitMs, (error) => {
      this.#connecting = false;
      if (this.#closed) return;
      if (error !== undefined) this.#failAll('unavailable', error.message);
      else this.#openStream();
    });
  }

  #openStream(): void {
    const stream: FetchStream = this.#client.makeBidiStreamRequest(
      this.#method.path,
      this.#method.serializeRequest,
      this.#method.deserializeResponse,
    );
    stream.on('data', (proto: ReplicaFetchResponseProto) => {
      if (this.#stream === stream) this.#onResponse(stream, proto);
    });
    stream.on('error', (error: ServiceError) => {
      if (this.#stream === stream) this.#reset(stream, errorOf(error.code), error.message);
    });
    stream.on('end', () => {
      if (this.#stream === stream) this.#reset(stream, 'unavailable', 'stream ended by leader');
    });
    this.#stream = stream;
    this.#logger.info({ event: 'replica-fetch-stream-open' }, 'replica fetch stream open');
    for (const proto of this.#unsent.splice(0)) stream.write(proto);
  }

  #onResponse(stream: FetchStream, proto: ReplicaFetchResponseProto): void {
    const decoded = replicaFetchResponseFromProto(proto);
    const head = this.#outstanding[0];
    if (!decoded.ok || head === undefined || decoded.value.requestId !== head.requestId) {
      const why = decoded.ok ? `response to ${decoded.value.requestId}, expected ${head?.requestId}` : decoded.message;
      this.#reset(stream, 'malformed_response', why ?? 'malformed response');
      return;
    }
    this.#outstanding.shift();
    head.resolve(ok(decoded.value.value));
  }

  /** Drops the stream; every request it carried fails, and the next fetch() reconnects. */
  #reset(stream: FetchStream, error: ReplicaFetchError, message: string): void {
    this.#stream = null;
    stream.cancel();
    this.#logger.info({ event: 'replica-fetch-stream-closed', error, reason: message }, 'replica fetch stream closed');
    this.#failAll(error, message);
  }

  #failAll(error: ReplicaFetchError, message: string): void {
    this.#unsent.length = 0;
    for (const outstanding of this.#outstanding.splice(0)) outstanding.resolve(err(error, message));
  }
}

/** gRPC status of a broken stream -> the closed error union, in one place. */
function errorOf(code: status): ReplicaFetchError {
  switch (code) {
    case status.UNAVAILABLE:
    case status.CANCELLED:
    case status.DEADLINE_EXCEEDED:
      return 'unavailable';
    default:
      // INTERNAL (handler failed), INVALID_ARGUMENT (leader refused the request), RESOURCE_EXHAUSTED, UNIMPLEMENTED.
      return 'internal';
  }
}
