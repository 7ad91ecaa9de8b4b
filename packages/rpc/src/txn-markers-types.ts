/**
 * TxnMarkers.Write between brokers, as TypeScript sees it: a transaction
 * coordinator's markers for the partitions one leader broker leads, and the
 * leader's Kafka error code per partition (the same answer Kafka's
 * WriteTxnMarkers gives, so the coordinator decides retries in one place
 * for both paths).
 */

export type TxnMarkerResult = 'commit' | 'abort';

export interface TxnMarkerTopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface TxnMarkerRpcEntry {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly coordinatorEpoch: number;
  readonly result: TxnMarkerResult;
  readonly partitions: readonly TxnMarkerTopicPartition[];
}

export interface TxnMarkersRequest {
  readonly markers: readonly TxnMarkerRpcEntry[];
}

export interface TxnMarkerRpcPartitionResult extends TxnMarkerTopicPartition {
  readonly errorCode: number;
}

/** One entry per request marker, in order; per marker one per partition, in its order. */
export interface TxnMarkersResponse {
  readonly markers: readonly {
    readonly producerId: bigint;
    readonly partitions: readonly TxnMarkerRpcPartitionResult[];
  }[];
}

/**
 * Why a call got no answer: the leader could not be reached
 * (`unavailable`), did not answer within the deadline (`timed_out`),
 * answered something that does not match the request
 * (`malformed_response`), failed or refused it (`internal`), or the client
 * was closed. Each leaves the markers' fate unknown: the caller resends.
 */
export type TxnMarkersCallError = 'unavailable' | 'timed_out' | 'malformed_response' | 'internal' | 'closed';

/** Writes the markers on the partitions this broker leads; rejects only for a bug. */
export type TxnMarkersHandler = (request: TxnMarkersRequest) => Promise<TxnMarkersResponse>;

/** TxnMarkers.Verify: is each partition in the producer's ongoing transaction (KIP-890 part 1)? */
export interface TxnVerifyRequest {
  readonly transactionalId: string;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly partitions: readonly TxnMarkerTopicPartition[];
  /** Transaction version 2: add the partitions to the transaction, not only check them (absent = check). */
  readonly add?: boolean;
}

/** One result per asked partition, in order: a Kafka error code (NONE = in the transaction). */
export interface TxnVerifyResponse {
  readonly partitions: readonly TxnMarkerRpcPartitionResult[];
}

/** The coordinator's answer on the broker that hosts it; rejects only for a bug. */
export type TxnVerifyHandler = (request: TxnVerifyRequest) => Promise<TxnVerifyResponse>;
