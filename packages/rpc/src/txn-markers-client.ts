/**
 * The coordinator side of TxnMarkers.Write: unary calls to one leader
 * broker's replication port. A call fails fast while the channel is down
 * (gRPC's default, not wait-for-ready), so the caller's backoff paces
 * retries against a dead leader rather than calls piling up; the channel
 * itself reconnects with `backoff`.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { Client, credentials, status } from '@grpc/grpc-js';
import type { Logger, Result } from '@runnel/common';
import { err, silentLogger } from '@runnel/common';
import type {
  VerifyTxnRequestProto,
  VerifyTxnResponseProto,
  WriteTxnMarkersRequestProto,
  WriteTxnMarkersResponseProto,
} from './generated/txn-markers-proto.ts';
import type { ReconnectBackoff } from './grpc-options.ts';
import { channelOptions, grpcMessageBytesMaxDefault, reconnectBackoffDefault } from './grpc-options.ts';
import { rpcMethod, txnMarkersServiceName } from './load-protos.ts';
import {
  txnMarkersRequestToProto,
  txnMarkersResponseFromProto,
  txnVerifyRequestToProto,
  txnVerifyResponseFromProto,
} from './txn-markers-codec.ts';
import type {
  TxnMarkersCallError,
  TxnMarkersRequest,
  TxnMarkersResponse,
  TxnVerifyRequest,
  TxnVerifyResponse,
} from './txn-markers-types.ts';

export interface TxnMarkersClientOptions {
  /** `host:port` of the leader broker's replication listener. */
  readonly address: string;
  readonly backoff?: ReconnectBackoff;
  readonly messageBytesMax?: number;
  readonly logger?: Logger;
}

export type TxnMarkersResult = Result<TxnMarkersResponse, TxnMarkersCallError>;
export type TxnVerifyResult = Result<TxnVerifyResponse, TxnMarkersCallError>;

/**
 * Owned by whoever writes markers to that leader (the broker's marker
 * transport), which must close() it. write() never throws for network
 * trouble; after close() it resolves `closed`.
 */
export class TxnMarkersClient {
  readonly #client: Client;
  readonly #method = rpcMethod<WriteTxnMarkersRequestProto, WriteTxnMarkersResponseProto>(
    txnMarkersServiceName,
    'Write',
  );
  readonly #verifyMethod = rpcMethod<VerifyTxnRequestProto, VerifyTxnResponseProto>(txnMarkersServiceName, 'Verify');
  readonly #logger: Logger;
  #closed = false;

  constructor(options: TxnMarkersClientOptions) {
    this.#logger = (options.logger ?? silentLogger()).child({ leader: options.address });
    this.#client = new Client(
      options.address,
      credentials.createInsecure(),
      channelOptions(options.backoff ?? reconnectBackoffDefault, options.messageBytesMax ?? grpcMessageBytesMaxDefault),
    );
  }

  /** Sends the markers; resolves with the leader's per-partition answer, or why there is none within `timeoutMs`. */
  write(request: TxnMarkersRequest, timeoutMs: number): Promise<TxnMarkersResult> {
    if (this.#closed) return Promise.resolve(err('closed'));
    const proto = txnMarkersRequestToProto(request);
    return new Promise((resolve) => {
      this.#client.makeUnaryRequest(
        this.#method.path,
        this.#method.serializeRequest,
        this.#method.deserializeResponse,
        proto,
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response?: WriteTxnMarkersResponseProto) => {
          if (error !== null || response === undefined) {
            const reason = this.#closed ? 'closed' : errorOf(error?.code ?? status.UNKNOWN);
            this.#logger.debug(
              { event: 'txn-markers-call-failed', reason, details: error?.details },
              'marker call failed',
            );
            resolve(err(reason, error?.details ?? 'no response'));
            return;
          }
          resolve(txnMarkersResponseFromProto(request, response));
        },
      );
    });
  }

  /** Asks the transactional id's coordinator (this client's broker) about the partitions (KIP-890 part 1). */
  verify(request: TxnVerifyRequest, timeoutMs: number): Promise<TxnVerifyResult> {
    if (this.#closed) return Promise.resolve(err('closed'));
    const proto = txnVerifyRequestToProto(request);
    return new Promise((resolve) => {
      this.#client.makeUnaryRequest(
        this.#verifyMethod.path,
        this.#verifyMethod.serializeRequest,
        this.#verifyMethod.deserializeResponse,
        proto,
        { deadline: Date.now() + timeoutMs },
        (error: ServiceError | null, response?: VerifyTxnResponseProto) => {
          if (error !== null || response === undefined) {
            resolve(
              err(this.#closed ? 'closed' : errorOf(error?.code ?? status.UNKNOWN), error?.details ?? 'no response'),
            );
            return;
          }
          resolve(txnVerifyResponseFromProto(request, response));
        },
      );
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#client.close();
  }
}

/** gRPC status -> the closed error union, in one place. */
function errorOf(code: status): TxnMarkersCallError {
  switch (code) {
    case status.UNAVAILABLE:
    case status.CANCELLED:
      return 'unavailable';
    case status.DEADLINE_EXCEEDED:
      return 'timed_out';
    default:
      // INTERNAL (handler failed), INVALID_ARGUMENT (refused request), UNIMPLEMENTED (a peer without the service).
      return 'internal';
  }
}
