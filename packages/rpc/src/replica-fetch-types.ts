/**
 * What a follower asks its partition leader for and what it gets back, as
 * the broker sees them (proto/replica-fetch.proto on the wire). Offsets and
 * the broker epoch are bigint; record bytes are the leader's stored batches,
 * passed through untouched.
 */
import type { BrokerId, LeaderEpoch, Offset, PartitionId } from '@runnel/common';

export interface ReplicaFetchPartitionRequest {
  /** UUID text form. */
  readonly topicId: string;
  readonly partition: PartitionId;
  readonly fetchOffset: Offset;
  /** Epoch of the last batch the follower holds; -1 when its log is empty. */
  readonly lastFetchedEpoch: LeaderEpoch;
  /** The leader epoch the follower believes is current; -1 when unknown. */
  readonly currentLeaderEpoch: LeaderEpoch;
  readonly logStartOffset: Offset;
}

export interface ReplicaFetchRequest {
  readonly replicaId: BrokerId;
  readonly brokerEpoch: bigint;
  readonly maxWaitMs: number;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly partitions: readonly ReplicaFetchPartitionRequest[];
}

/** Per-partition outcome, carried as data; the broker maps it to its own handling. */
export type ReplicaFetchPartitionError =
  | 'none'
  | 'not_leader'
  | 'fenced_leader_epoch'
  | 'unknown_leader_epoch'
  | 'offset_out_of_range'
  | 'unknown_partition';

/** Where the follower must truncate to (KIP-101): the end offset of `epoch` in the leader's log. */
export interface DivergingEpoch {
  readonly epoch: LeaderEpoch;
  readonly endOffset: Offset;
}

export interface ReplicaFetchPartitionResponse {
  readonly topicId: string;
  readonly partition: PartitionId;
  readonly error: ReplicaFetchPartitionError;
  readonly highWatermark: Offset;
  readonly logStartOffset: Offset;
  readonly logEndOffset: Offset;
  readonly divergingEpoch: DivergingEpoch | null;
  /**
   * Record batches exactly as the leader stores them. On the receiving side
   * this is a view into the gRPC message buffer, not a copy; whoever keeps it
   * beyond the current fetch keeps that buffer alive.
   */
  readonly records: Buffer;
}

export interface ReplicaFetchResponse {
  readonly partitions: readonly ReplicaFetchPartitionResponse[];
  /**
   * Leader side: called once nothing will read the response's record bytes
   * again (serialized for the transport, or dropped unsent), so the leader
   * can recycle memory it lent them from. It may never be called (a
   * cancelled call); the lender must then simply not reuse that memory.
   */
  readonly release?: () => void;
}

/**
 * Why a fetch produced no response: `unavailable` (no stream to the leader,
 * or it broke while the request was outstanding), `queue_full` (too many
 * requests outstanding on the stream), `malformed_response` (undecodable or
 * out of order; the stream is reset), `internal` (the leader's handler failed
 * or rejected the request), `closed` (the client was closed).
 */
export type ReplicaFetchError = 'unavailable' | 'queue_full' | 'malformed_response' | 'internal' | 'closed';

/** Malformed request from a follower: the leader ends that stream with INVALID_ARGUMENT. */
export type ReplicaFetchDecodeError = 'malformed_message';
