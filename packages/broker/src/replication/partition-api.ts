/**
 * The shapes Partition's methods take and return: what metadata says about
 * a partition, what a produce asks for and gets, what a consumer and a
 * follower may read. Plain types (and one guard); Partition (partition.ts)
 * is where the decisions are made.
 */

import type { Clock, Result, Timers } from '@runnel/common';
import type { PartitionLog, ProducerAppendError, ProducerOrigin, TxnVerification } from '@runnel/storage';
import type { FrameClaim } from '../network/frame-pool.ts';
import type { AckOutcome } from './ack-waiters.ts';
import type { LeaderAnswer } from './follower-apply.ts';
import type { ReplicationRules } from './replication-rules.ts';

export type PartitionRole = 'leader' | 'follower' | 'none';

/** What metadata says about the partition. */
export interface PartitionState {
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly addingReplicas: readonly number[];
}

/** Whether two partition states say the same: a follower whose state did not change has nothing to apply. */
export function samePartitionState(a: PartitionState, b: PartitionState): boolean {
  const sameIds = (x: readonly number[], y: readonly number[]): boolean =>
    x.length === y.length && x.every((id, i) => id === y[i]);
  return (
    a.leader === b.leader &&
    a.leaderEpoch === b.leaderEpoch &&
    a.partitionEpoch === b.partitionEpoch &&
    sameIds(a.replicas, b.replicas) &&
    sameIds(a.isr, b.isr) &&
    sameIds(a.addingReplicas, b.addingReplicas)
  );
}

export interface PartitionOptions {
  readonly topic: string;
  readonly index: number;
  readonly topicId: string;
  readonly log: PartitionLog;
  readonly nodeId: number;
  readonly state: PartitionState;
  /** From the high-watermark checkpoint; clipped to the log. */
  readonly highWatermark: bigint;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly rules?: ReplicationRules;
}

/** What a produce waits for: the leader's append (acks 0 and 1), or every ISR member (acks=all, -1). */
export type Acks = 0 | 1 | -1;

export interface LeaderAppendOptions {
  readonly acks: Acks;
  /** acks=all is refused before appending, and fails after, while the ISR is smaller than this. */
  readonly minInsyncReplicas: number;
  /** acks=all: how long to wait for the ISR. */
  readonly timeoutMs: number;
  /** KIP-890 part 1: the verification a transactional produce carries (handlers/produce-verification.ts). */
  readonly verification?: TxnVerification | undefined;
  /** 'coordinator': a coordinator writes for a producer (no sequences; storage's producer-checks.ts). Default 'client'. */
  readonly origin?: ProducerOrigin;
}

/**
 * Why a produce was refused before anything was appended: this broker does
 * not lead, the ISR is too small for acks=all, or the producer checks of
 * the log refused it (`ProducerAppendError`: out of order, old epoch,
 * non-transactional batch in an open transaction).
 */
export type LeaderAppendError = 'not_leader' | 'not_enough_replicas' | ProducerAppendError;

export interface LeaderAppend {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
  readonly logAppendTimeMs: bigint;
  /** The batches repeat an earlier append of the producer's: these are its offsets, and nothing new was written. */
  readonly duplicate: boolean;
  /**
   * Settles once the append is as replicated as `acks` asked: at once for
   * acks 0 and 1; for acks=all when every ISR member has it ('done'), or
   * with why not. Never rejects.
   */
  readonly replicated: Promise<AckOutcome>;
}

export function isAcks(n: number): n is Acks {
  return n === 0 || n === 1 || n === -1;
}

/**
 * What a consumer may read (Fetch / ListOffsets isolation_level): below
 * the high watermark, or below the last stable offset (no open
 * transaction's records) with the aborted transactions to skip.
 */
export type IsolationLevel = 'read_uncommitted' | 'read_committed';

/** Committed records for a consumer, with the bounds it may use. */
export type CommittedRead =
  | {
      readonly ok: true;
      readonly records: Buffer[];
      readonly sizeBytes: number;
      readonly recordCount: number;
      readonly highWatermark: bigint;
      readonly lastStableOffset: bigint;
      readonly logStartOffset: bigint;
      /** read_committed: aborted transactions that may hold returned records; null for read_uncommitted. */
      readonly abortedTransactions: { producerId: bigint; firstOffset: bigint }[] | null;
    }
  | {
      readonly ok: false;
      readonly error: 'offset_out_of_range';
      readonly highWatermark: bigint;
      readonly lastStableOffset: bigint;
      readonly logStartOffset: bigint;
    };

/**
 * Why a transaction marker was not written: this broker does not lead, a
 * newer transaction coordinator already wrote a marker for the producer,
 * or the ISR is below min.insync.replicas (markers are always acks=all).
 */
export type TxnMarkerError = 'not_leader' | 'coordinator_fenced' | 'not_enough_replicas';

export interface TxnMarkerAppendOptions {
  /** The topic's min.insync.replicas: refused before appending, and failed after, while the ISR is smaller. */
  readonly minInsyncReplicas: number;
  /** How long `replicated` waits for the ISR. */
  readonly timeoutMs: number;
}

export interface TxnMarkerAppend {
  readonly offset: bigint;
  /** Settles once every ISR member has the marker ('done'), or with why not. Never rejects. */
  readonly replicated: Promise<AckOutcome>;
}

/** One follower's fetch of this partition, as the leader receives it. */
export interface FollowerFetch {
  readonly followerId: number;
  /** The registration the follower fetches under (KIP-903). */
  readonly brokerEpoch: bigint;
  /** The follower's log end offset: where it continues. */
  readonly fetchOffset: bigint;
  /** Epoch of the follower's last batch; -1 when its log is empty. */
  readonly lastFetchedEpoch: number;
  /** The leader epoch the follower believes in; -1 when unknown. */
  readonly currentLeaderEpoch: number;
  /** The follower's log start offset (DeleteRecords waits for it to pass the deleted offsets); -1 or absent when unknown. */
  readonly logStartOffset?: bigint;
}

/**
 * How a DeleteRecords on the leader ended: the low watermark every live
 * replica reached, or why not (this broker does not lead; the offset is past
 * the high watermark; the replicas did not all get there in time).
 */
export type DeleteRecordsResult = Result<{ lowWatermark: bigint }, 'not_leader' | 'offset_out_of_range' | 'timed_out'>;

/** The leader's answer to a FollowerFetch. */
export interface FollowerFetchAnswer extends LeaderAnswer {
  /** Where the records came from (for metrics); null when none were read. */
  readonly source: 'tail' | 'log' | null;
  /** The fetch reached the tracker: an ISR change may be due. */
  readonly progressed: boolean;
  /** The caller's claim on `records` when they are a recycled frame's: release it once they are sent (or dropped). */
  readonly claim: FrameClaim | null;
}

/** Where this replica asks its leader to continue from. */
export interface FetchPosition {
  readonly fetchOffset: bigint;
  readonly lastFetchedEpoch: number;
  readonly logStartOffset: bigint;
}
