/**
 * The shared vocabulary of consumer-group coordination (issue 5): what the
 * coordinator keeps per group, what it persists to `__consumer_offsets`,
 * and the seam between the coordinator (group state, handlers) and its
 * store (record formats, the internal topic's partitions).
 *
 * The value shapes mirror Kafka's own `__consumer_offsets` records
 * (GroupMetadataValue, OffsetCommitValue), so logs written by Runnel can be
 * read like Kafka's and the formats stay stable once persisted.
 */
import type { Result } from '@runnel/common';
import type { StoreError, StoreResult } from '../coordinator-store.ts';

/** The internal topic that stores group metadata and committed offsets. */
export const consumerOffsetsTopic = '__consumer_offsets';

/** offsets.topic.num.partitions */
export const consumerOffsetsPartitionsDefault = 50;

/** A member's entry in the persisted group metadata (Kafka's MemberMetadata). */
export interface MemberMetadata {
  readonly memberId: string;
  /** Static membership (KIP-345); null for dynamic members. */
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
  readonly rebalanceTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  /** The chosen protocol's metadata from this member's JoinGroup (opaque to the broker). */
  readonly subscription: Buffer;
  /** What the leader assigned this member in SyncGroup (opaque to the broker). */
  readonly assignment: Buffer;
}

/** A group as persisted after each completed rebalance (Kafka's GroupMetadataValue v3). */
export interface GroupMetadataValue {
  /** e.g. "consumer"; null for a group that only ever committed offsets. */
  readonly protocolType: string | null;
  readonly generation: number;
  /** The selected assignor, e.g. "range"; null when the group is empty. */
  readonly protocol: string | null;
  readonly leader: string | null;
  readonly currentStateTimestampMs: bigint;
  readonly members: readonly MemberMetadata[];
}

/** One committed offset (Kafka's OffsetCommitValue v3). */
export interface OffsetCommitValue {
  readonly offset: bigint;
  /** -1 when the client did not send one. */
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestampMs: bigint;
}

/**
 * A commit as the coordinator holds it: the value and the log offset of its
 * record in `__consumer_offsets`. Of two commits of one partition, the one
 * written later wins (Kafka's rule when a transaction's commits complete
 * after plain commits of the same partition).
 */
export interface LoggedOffset extends OffsetCommitValue {
  readonly recordOffset: bigint;
}

/** The producer a transactional offset commit is written for (KIP-98 TxnOffsetCommit). */
export interface TxnProducer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** null deletes the commit (tombstone: OffsetDelete, DeleteGroups, expiry). */
  readonly value: OffsetCommitValue | null;
}

/** Why a write to `__consumer_offsets` did not commit (shared with the transaction coordinator). */
export type { StoreError, StoreResult } from '../coordinator-store.ts';

/**
 * Why an offsets write did not commit: the store's errors, or (transactional
 * commits only) the partition refused the producer's epoch as older than
 * the one it knows — the producer was fenced.
 */
export type OffsetsWriteError = StoreError | 'invalid_producer_epoch';

/** An offsets write's outcome; `baseOffset` is the log offset of its first record (the rest follow in order). */
export type OffsetsWriteResult = Result<{ readonly baseOffset: bigint }, OffsetsWriteError>;

/**
 * Persistence for one broker's coordinator: each write goes to the
 * `__consumer_offsets` partition of the group (partitionFor) as one batch,
 * appended as leader and resolved once committed (high watermark past it,
 * acks=all semantics). Implemented over the partition logs by the store
 * (groups/offsets-store.ts); tests use an in-memory fake.
 */
export interface GroupStore {
  /** Persists the group's metadata, or a tombstone (null) when the group is deleted. */
  writeGroup(groupId: string, value: GroupMetadataValue | null): Promise<StoreResult>;
  /**
   * Persists commits (and tombstones) for one group, atomically: one batch;
   * for `transaction`'s producer a transactional batch (its id and epoch, no
   * sequence), whose records count only once the transaction's COMMIT marker
   * follows them in the partition.
   */
  writeOffsets(
    groupId: string,
    offsets: readonly TopicPartitionOffset[],
    transaction: TxnProducer | null,
  ): Promise<OffsetsWriteResult>;
}

/** What the store read back from one `__consumer_offsets` partition when this broker became its leader. */
export interface LoadedPartition {
  /** The latest metadata per group (groups whose latest record is a tombstone are absent). */
  readonly groups: ReadonlyMap<string, GroupMetadataValue>;
  /** groupId → `${topic}:${partition}` → latest commit (tombstoned commits absent). */
  readonly offsets: ReadonlyMap<string, ReadonlyMap<string, LoggedOffset>>;
  /**
   * Transactional commits whose transaction was still open at the end of the
   * load (no COMMIT or ABORT marker yet): producerId → groupId → key → commit.
   */
  readonly pendingTxnOffsets: ReadonlyMap<bigint, ReadonlyMap<string, ReadonlyMap<string, LoggedOffset>>>;
}

/**
 * The coordinator lifecycle the store drives as leadership of
 * `__consumer_offsets` partitions moves: load when this broker becomes the
 * partition's leader (groups of that partition answer
 * COORDINATOR_LOAD_IN_PROGRESS until then), drop when it stops.
 */
export interface CoordinatorLifecycle {
  /** Loading of `partition` began: its groups answer COORDINATOR_LOAD_IN_PROGRESS. */
  loading(partition: number): void;
  /** This broker now coordinates the groups of `partition`, starting from `state`. */
  loaded(partition: number, state: LoadedPartition): void;
  /** This broker no longer coordinates `partition`: drop its groups, answer NOT_COORDINATOR. */
  unloaded(partition: number): void;
}

/** Kafka's partitioning of groups over `__consumer_offsets`: Utils.abs(groupId.hashCode()) % partitions (Java's String.hashCode). */
export function partitionForGroup(groupId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < groupId.length; i++) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  // Kafka's Utils.abs: Math.abs, except Integer.MIN_VALUE maps to 0.
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions;
}
