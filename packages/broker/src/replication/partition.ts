/**
 * One partition replica hosted by this broker: its log, its role (leader,
 * follower, or neither while the partition has no leader), its high
 * watermark, and whoever waits on it (long-polling fetches, acks=all
 * produces). Every replication decision about the partition is made here:
 * what a produce needs before it is answered, what a consumer and what a
 * follower may read, and what a follower does with its leader's answer.
 *
 * As leader it owns a ReplicaTracker (one per leader epoch and replica
 * set): appends and follower fetches move the tracker's high watermark,
 * which is what consumers may read and what acks=all waits for. As follower
 * the high watermark comes from the leader's fetch responses, never above
 * the local log end.
 *
 * Owned by PartitionManager, which opens and closes its log and changes its
 * role as metadata changes (through ReplicaManager). Handlers append and
 * read through its methods; the replication code feeds fetches in. Time and
 * timers come from the Clock and Timers it is given. Waiters are told when
 * the role changes under them. A log I/O error rejects the call that hit it.
 */
import type { Clock, Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  encodeTxnMarkerBatch,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_HEADER_BYTES,
  RECORD_COUNT_OFFSET,
  type TxnMarkerType,
} from '@runnel/protocol';
import type { PartitionLog, ReadBuffer, TimestampLookup } from '@runnel/storage';
import type { FrameClaim } from '../network/frame-pool.ts';
import { type AckOutcome, AckWaiters } from './ack-waiters.ts';
import type { EpochEnd } from './divergence.ts';
import { fetchRefusal, type ReadMemory, readForFollower } from './follower-answer.ts';
import {
  applyLeaderAnswer,
  type FollowerOutcome,
  type LeaderAnswer,
  type LeaderAnswerError,
} from './follower-apply.ts';
import { LeaderTailCache } from './leader-tail-cache.ts';
import { LowWatermarkWaiters } from './low-watermark-waiters.ts';
import type {
  CommittedRead,
  DeleteRecordsResult,
  FetchPosition,
  FollowerFetch,
  FollowerFetchAnswer,
  IsolationLevel,
  LeaderAppend,
  LeaderAppendError,
  LeaderAppendOptions,
  PartitionOptions,
  PartitionRole,
  PartitionState,
  TxnMarkerAppend,
  TxnMarkerAppendOptions,
  TxnMarkerError,
} from './partition-api.ts';
import { type FollowerState, type IsrProposal, ReplicaTracker } from './replica-tracker.ts';
import { type ReplicationRules, runnelReplicationRules } from './replication-rules.ts';

export type AppendListener = () => void;

/** Per leader partition: appends not yet on every ISR member stay in memory up to this (see LeaderTailCache). */
const tailCacheBytesMax = 4 * 1024 * 1024;

const emptyRecords = Buffer.alloc(0);

export class Partition {
  readonly topic: string;
  readonly index: number;
  readonly topicId: string;
  /** For PartitionManager (open, close, retention, compaction); replication and handlers use the methods below. */
  readonly log: PartitionLog;
  readonly nodeId: number;
  readonly #clock: Clock;
  readonly #rules: ReplicationRules;
  #state: PartitionState;
  #role: PartitionRole = 'none';
  #tracker: ReplicaTracker | null = null;
  /** Recent appends for followers' fetches; lives and dies with #tracker. */
  #tail: LeaderTailCache | null = null;
  /** Offsets below this are committed and visible to consumers. */
  #highWatermark: bigint;
  /** As follower: the leader's high watermark in its latest answer (ours is capped at our log end); -1 before one. */
  #leaderHighWatermark = -1n;
  readonly #listeners = new Set<AppendListener>();
  readonly #acks: AckWaiters;
  readonly #deletions: LowWatermarkWaiters;
  readonly #lowWatermark = () => this.#tracker?.lowWatermark(this.log.logStartOffset) ?? null;
  readonly #ackState = (lastOffset: bigint, minIsr: number) =>
    this.#tracker?.ackState(lastOffset, minIsr) ?? 'not_leader';
  #closed = false;

  constructor(options: PartitionOptions) {
    this.topic = options.topic;
    this.index = options.index;
    this.topicId = options.topicId;
    this.log = options.log;
    this.nodeId = options.nodeId;
    this.#clock = options.clock;
    this.#rules = options.rules ?? runnelReplicationRules;
    this.#acks = new AckWaiters(options.timers);
    this.#deletions = new LowWatermarkWaiters(options.timers);
    this.#state = options.state;
    this.#highWatermark = clamp(options.highWatermark, options.log.logStartOffset, options.log.logEndOffset);
  }

  get closed(): boolean {
    return this.#closed;
  }

  get role(): PartitionRole {
    return this.#role;
  }

  get state(): PartitionState {
    return this.#state;
  }

  get leader(): number {
    return this.#state.leader;
  }

  get leaderEpoch(): number {
    return this.#state.leaderEpoch;
  }

  get isr(): readonly number[] {
    return this.#tracker?.isr ?? this.#state.isr;
  }

  get replicas(): readonly number[] {
    return this.#state.replicas;
  }

  get highWatermark(): bigint {
    return this.#highWatermark;
  }

  get logStartOffset(): bigint {
    return this.log.logStartOffset;
  }

  /**
   * The last stable offset: below it every transaction is decided, so a
   * read_committed consumer may read up to it. The high watermark, held
   * back to the first offset of the earliest open transaction, and of the
   * earliest ended one whose marker the high watermark has not passed yet.
   */
  get lastStableOffset(): bigint {
    return this.log.lastStableOffset(this.#highWatermark);
  }

  get logEndOffset(): bigint {
    return this.log.logEndOffset;
  }

  /**
   * DescribeLogDirs' offsetLag: how far this replica's log end is behind the
   * high watermark it knows of (a follower: its leader's, from the latest
   * fetch answer); 0 for a leader, and for a follower that has not heard
   * from its leader yet.
   */
  get offsetLag(): bigint {
    const known = this.#role === 'follower' ? this.#leaderHighWatermark : this.#highWatermark;
    const lag = known - this.log.logEndOffset;
    return lag > 0n ? lag : 0n;
  }

  /** Requests parked on acks=all (for metrics). */
  get ackWaiterCount(): number {
    return this.#acks.size;
  }

  /**
   * Takes the state metadata now gives. A new leader, leader epoch or
   * replica set makes a fresh tracker (as leader) or ends leadership; a
   * newer partition epoch with the same leadership is an ISR commit.
   */
  applyState(
    state: PartitionState,
    options: { lagTimeMaxMs: number; minInsyncReplicas?: number; unavailable?: ReadonlySet<number> },
  ): void {
    const minInsyncReplicas = options.minInsyncReplicas ?? 1;
    const unavailable = options.unavailable ?? new Set<number>();
    const before = this.#state;
    this.#state = state;
    const role: PartitionRole =
      state.leader === this.nodeId
        ? 'leader'
        : state.leader >= 0 && state.replicas.includes(this.nodeId)
          ? 'follower'
          : 'none';
    const sameLeadership =
      role === this.#role &&
      state.leader === before.leader &&
      state.leaderEpoch === before.leaderEpoch &&
      sameIds(state.replicas, before.replicas);
    if (sameLeadership && this.#tracker !== null) {
      const committed = this.#tracker.onIsrCommitted(state.isr, state.partitionEpoch);
      const minIsr = this.#tracker.setMinInsyncReplicas(minInsyncReplicas);
      const fenced = this.#tracker.setUnavailableFollowers(unavailable);
      if (committed.highWatermarkChanged || minIsr.highWatermarkChanged || fenced.highWatermarkChanged) {
        this.#setHighWatermark(this.#tracker.highWatermark);
        this.#notify();
      }
      this.#checkAcks();
      return;
    }
    if (sameLeadership) return;
    this.#role = role;
    if (role === 'leader') {
      this.#tracker = new ReplicaTracker({
        leaderId: this.nodeId,
        replicas: state.replicas,
        isr: state.isr.includes(this.nodeId) ? state.isr : [this.nodeId],
        leaderEpoch: state.leaderEpoch,
        partitionEpoch: state.partitionEpoch,
        highWatermark: clamp(this.#highWatermark, 0n, this.log.logEndOffset),
        logEndOffset: this.log.logEndOffset,
        lagTimeMaxMs: options.lagTimeMaxMs,
        nowMs: this.#clock.monotonicMs(),
        minInsyncReplicas,
        rejoinNeedsNewFetch: this.#rules.isrRejoinNeedsNewFetch,
      });
      this.#tracker.setUnavailableFollowers(unavailable);
      this.#tail?.clear();
      this.#tail = new LeaderTailCache(tailCacheBytesMax);
      this.#setHighWatermark(this.#tracker.highWatermark);
    } else {
      this.#tracker = null;
      this.#dropTail();
    }
    // Waiters of an earlier epoch of ours cannot know their records survived the change.
    this.#acks.failAll('not_leader');
    this.#deletions.failAll();
    this.#notify();
  }

  /**
   * DeleteRecords as leader: moves the log start to `offset` (-1: the high
   * watermark), which must not pass the high watermark, then waits up to
   * `timeoutMs` for every live replica's log start to get there too
   * (followers copy the leader's from their fetch answers; see
   * applyLeaderAnswer). The new start is durable before the wait begins.
   */
  async deleteRecords(offset: bigint, timeoutMs: number): Promise<DeleteRecordsResult> {
    if (this.#closed || this.#role !== 'leader' || this.#tracker === null) return err('not_leader');
    const target = offset === -1n ? this.#highWatermark : offset;
    if (target < 0n || target > this.#highWatermark) return err('offset_out_of_range');
    await this.log.advanceLogStart(target);
    // Long-polling fetches (followers' among them) answer now and carry the new start.
    this.#notify();
    const outcome = await this.#deletions.wait(target, timeoutMs, this.#lowWatermark);
    if (outcome.kind === 'done') return ok({ lowWatermark: outcome.lowWatermark });
    return err(outcome.kind);
  }

  /**
   * Produce as leader: refuses acks=all before appending while the ISR is
   * below `minInsyncReplicas`, appends the validated batches (resolving
   * once they are in the log; see storage's durability notes) unless the
   * log's producer checks refuse them or find them already stored, and for
   * acks=all makes `replicated` wait until every ISR member has them (the
   * high watermark passes the batch — the original, for a duplicate).
   */
  async appendAsLeader(
    batches: Buffer,
    recordCount: number,
    options: LeaderAppendOptions,
  ): Promise<Result<LeaderAppend, LeaderAppendError>> {
    const tracker = this.#tracker;
    if (this.#closed || this.#role !== 'leader' || tracker === null) return err('not_leader');
    if (options.acks === -1 && !tracker.hasMinIsr(options.minInsyncReplicas)) return err('not_enough_replicas');
    const epoch = this.#state.leaderEpoch;
    const appended = await this.log.appendFromClient(batches, {
      leaderEpoch: epoch,
      recordCount,
      origin: options.origin ?? 'client',
      verification: options.verification,
    });
    if (!appended.ok) return err(appended.error, appended.message);
    const { duplicate, ...result } = appended.value;
    if (!duplicate) this.#appendedAsLeader(batches, result.baseOffset, result.lastOffset);
    const replicated: Promise<AckOutcome> =
      options.acks === -1
        ? this.#acks.wait(result.lastOffset, options.minInsyncReplicas, options.timeoutMs, this.#ackState)
        : Promise.resolve('done');
    return ok({ ...result, duplicate, replicated });
  }

  /** Leader bookkeeping for batches just stored by this leader (`batches` holds their stored bytes). */
  #appendedAsLeader(batches: Buffer, baseOffset: bigint, lastOffset: bigint): void {
    const current = this.#tracker;
    // Later appends may already be in the log but not done, so the end of *this* append is what is complete.
    // Appends complete in order, so this never moves back. A tracker of a newer epoch of ours (made while
    // this append was being written, from the log end before it) must hear of it too, or followers would
    // never be sent it and the high watermark would wait for the next produce.
    if (current !== null && lastOffset + 1n > current.logEndOffset) {
      // The log rewrote offsets and epoch in `batches` in place: they are the stored bytes.
      this.#tail?.add(baseOffset, lastOffset + 1n, batches);
      const { highWatermarkChanged } = current.onLeaderAppend(lastOffset + 1n, this.#clock.monotonicMs());
      if (highWatermarkChanged) this.#setHighWatermark(current.highWatermark);
      this.#checkAcks();
    }
    this.#notify();
  }

  /**
   * Ends producer `producerId`'s transaction on this partition as its
   * transaction coordinator asked (WriteTxnMarkers): appends the COMMIT or
   * ABORT control batch as leader; followers copy it like any batch. A
   * coordinator epoch older than the last marker's is a fenced (zombie)
   * coordinator's and writes nothing. Markers are always acks=all (as
   * Kafka appends them with requiredAcks -1): refused before appending
   * while the ISR is below `minInsyncReplicas`, and `replicated` settles
   * once every ISR member has the marker, or with why not (the coordinator
   * must not complete the transaction before that).
   */
  async writeTxnMarker(
    producerId: bigint,
    producerEpoch: number,
    coordinatorEpoch: number,
    type: TxnMarkerType,
    options: TxnMarkerAppendOptions,
  ): Promise<Result<TxnMarkerAppend, TxnMarkerError>> {
    const tracker = this.#tracker;
    if (this.#closed || this.#role !== 'leader' || tracker === null) return err('not_leader');
    const known = this.log.producer(producerId);
    if (known !== undefined && coordinatorEpoch < known.coordinatorEpoch) return err('coordinator_fenced');
    if (!tracker.hasMinIsr(options.minInsyncReplicas)) return err('not_enough_replicas');
    const batch = encodeTxnMarkerBatch({
      producerId,
      producerEpoch,
      coordinatorEpoch,
      type,
      timestampMs: BigInt(this.#clock.nowMs()),
    });
    const result = await this.log.append(batch, { leaderEpoch: this.#state.leaderEpoch, recordCount: 1 });
    this.#appendedAsLeader(batch, result.baseOffset, result.lastOffset);
    const replicated = this.#acks.wait(result.lastOffset, options.minInsyncReplicas, options.timeoutMs, this.#ackState);
    return ok({ offset: result.baseOffset, replicated });
  }

  /**
   * For a consumer: whole batches from `fetchOffset` below the high
   * watermark (read_committed: below the last stable offset, with the
   * aborted transactions that may hold the records returned), up to
   * `maxBytes` (at least one batch), into memory from `allocate`. Between that bound and the log end (a
   * new leader whose high watermark lags the old one's, an open
   * transaction) the offset is valid but there is nothing to give yet.
   */
  async readCommitted(
    fetchOffset: bigint,
    maxBytes: number,
    isolation: IsolationLevel = 'read_uncommitted',
    allocate?: ReadBuffer,
  ): Promise<CommittedRead> {
    const highWatermark = this.#highWatermark;
    const lastStableOffset = this.lastStableOffset;
    const logStartOffset = this.log.logStartOffset;
    const bounds = { highWatermark, lastStableOffset, logStartOffset };
    const outOfRange = { ok: false, error: 'offset_out_of_range', ...bounds } as const;
    if (fetchOffset < logStartOffset || fetchOffset > this.log.logEndOffset) return outOfRange;
    const committed = isolation === 'read_committed';
    const limit = committed ? lastStableOffset : highWatermark;
    const aborted = (records: readonly Buffer[]) => {
      const end = endOffsetOf(records);
      if (!committed) return null;
      return end === null ? [] : this.log.abortedTransactions(fetchOffset, end);
    };
    if (fetchOffset >= limit) {
      return { ok: true, records: [], sizeBytes: 0, recordCount: 0, ...bounds, abortedTransactions: aborted([]) };
    }
    const read = await this.log.read(fetchOffset, maxBytes, limit, allocate);
    if (!read.ok) return outOfRange;
    const recordCount = countRecords(read.records);
    const abortedTransactions = aborted(read.records);
    return { ok: true, records: read.records, sizeBytes: read.sizeBytes, recordCount, ...bounds, abortedTransactions };
  }

  /** The first committed (read_committed: stable) record whose timestamp is at or after `timestampMs`, or null. */
  async offsetForTimestamp(
    timestampMs: bigint,
    isolation: IsolationLevel = 'read_uncommitted',
  ): Promise<TimestampLookup | null> {
    return this.#visible(await this.log.offsetForTimestamp(timestampMs), isolation);
  }

  /** The first committed (read_committed: stable) record with the log's largest timestamp, or null. */
  async maxTimestampRecord(isolation: IsolationLevel = 'read_uncommitted'): Promise<TimestampLookup | null> {
    return this.#visible(await this.log.maxTimestampRecord(), isolation);
  }

  #visible(found: TimestampLookup | null, isolation: IsolationLevel): TimestampLookup | null {
    const limit = isolation === 'read_committed' ? this.lastStableOffset : this.#highWatermark;
    if (found === null || found.offset >= limit) return null;
    // A batch that DeleteRecords cut into starts below the log start: its first offset still served is the start.
    const start = this.log.logStartOffset;
    return found.offset < start ? { ...found, offset: start } : found;
  }

  /**
   * As leader: answers one follower's fetch (see follower-answer.ts):
   * fenced, diverging or out of range, or its progress is recorded (which
   * may move the high watermark) and it gets stored batches.
   */
  async answerFollowerFetch(
    fetch: FollowerFetch,
    maxBytes: number,
    memory: ReadMemory | null = null,
  ): Promise<FollowerFetchAnswer> {
    const answer = (
      error: LeaderAnswerError,
      extra: {
        divergingEpoch?: EpochEnd | null;
        records?: Buffer;
        source?: 'tail' | 'log';
        progressed?: boolean;
        claim?: FrameClaim | null;
      } = {},
    ): FollowerFetchAnswer => ({
      error,
      highWatermark: this.#highWatermark,
      logStartOffset: this.log.logStartOffset,
      logEndOffset: this.#tracker?.logEndOffset ?? this.log.logEndOffset,
      divergingEpoch: extra.divergingEpoch ?? null,
      records: extra.records ?? emptyRecords,
      source: extra.source ?? null,
      progressed: extra.progressed ?? false,
      claim: extra.claim ?? null,
    });
    if (this.#closed) return answer('unknown_partition');
    const tracker = this.#tracker;
    if (this.#role !== 'leader' || tracker === null) return answer('not_leader');
    const refusal = fetchRefusal(this.log, this.#rules, this.#state.leaderEpoch, tracker.logEndOffset, fetch);
    if (refusal !== null) return answer(refusal.error, { divergingEpoch: refusal.divergingEpoch });
    const nowMs = this.#clock.monotonicMs();
    const fetched = tracker.onFollowerFetch(
      fetch.followerId,
      fetch.fetchOffset,
      nowMs,
      fetch.brokerEpoch,
      fetch.logStartOffset,
    );
    if (!fetched.ok) return answer(fetched.error === 'unknown_replica' ? 'unknown_partition' : 'offset_out_of_range');
    this.#deletions.check(this.#lowWatermark);
    if (fetched.value.highWatermarkChanged) {
      this.#setHighWatermark(tracker.highWatermark);
      this.#checkAcks();
      this.#notify();
    }
    const progressed = true;
    if (maxBytes <= 0 || fetch.fetchOffset >= tracker.logEndOffset) return answer('none', { progressed });
    const read = await readForFollower(this.log, this.#tail, fetch.fetchOffset, maxBytes, tracker.logEndOffset, memory);
    if (read === null) return answer('offset_out_of_range', { progressed });
    return answer('none', { ...read, progressed });
  }

  /** The ISR change the tracker wants now, if leader and none is in flight. */
  isrChange(): IsrProposal | null {
    return this.#tracker?.isrChange(this.#clock.monotonicMs()) ?? null;
  }

  /** The controller's answer to a proposal from the tracker of `leaderEpoch`. */
  onIsrAnswer(leaderEpoch: number, answer: { isr: readonly number[]; partitionEpoch: number } | null): void {
    const tracker = this.#tracker;
    if (tracker === null || tracker.leaderEpoch !== leaderEpoch) return;
    // An answer whose ISR leaves us out means leadership is moving (a reassignment removing this
    // replica): metadata will replace the tracker; until then keep the ISR we know.
    if (answer === null || !answer.isr.includes(this.nodeId)) {
      tracker.onIsrRejected();
      return;
    }
    const { highWatermarkChanged } = tracker.onIsrCommitted(answer.isr, answer.partitionEpoch);
    if (highWatermarkChanged) {
      this.#setHighWatermark(tracker.highWatermark);
      this.#notify();
    }
    this.#checkAcks();
  }

  /** As leader, for metrics: what the tracker knows about follower `id`. */
  followerState(id: number, nowMs: number): FollowerState | undefined {
    return this.#tracker?.followerState(id, nowMs);
  }

  /** As follower: where the next fetch continues. */
  fetchPosition(): FetchPosition {
    return {
      fetchOffset: this.log.logEndOffset,
      lastFetchedEpoch: this.log.latestEpoch,
      logStartOffset: this.log.logStartOffset,
    };
  }

  /**
   * As follower, once per new leadership before the first fetch: the
   * rules may cut the log here (only the pre-KIP-101 rule does).
   */
  async startFollowing(): Promise<void> {
    const to = this.#rules.truncationOnFollow(this.#highWatermark);
    if (to === null || to >= this.log.logEndOffset) return;
    await this.log.truncateTo(to);
    this.#clipHighWatermark();
  }

  /**
   * As follower: applies the leader's answer to a fetch at `fetchOffset`
   * (still our log end; see follower-apply.ts), then takes the leader's
   * high watermark, capped at what this log holds.
   */
  async applyLeaderAnswer(fetchOffset: bigint, answer: LeaderAnswer): Promise<FollowerOutcome> {
    const outcome = await applyLeaderAnswer(this.log, this.#rules, this.#highWatermark, fetchOffset, answer);
    switch (outcome.kind) {
      case 'appended':
        this.#notify();
        this.#takeLeaderHighWatermark(answer.highWatermark);
        await this.#takeLeaderLogStart(answer.logStartOffset);
        break;
      case 'caught_up':
        this.#takeLeaderHighWatermark(answer.highWatermark);
        await this.#takeLeaderLogStart(answer.logStartOffset);
        break;
      case 'reset':
      case 'truncated':
        this.#clipHighWatermark();
        break;
      case 'paused':
        break;
    }
    return outcome;
  }

  /** Registers a one-shot interest in the next append or high-watermark move (long-poll fetch). */
  onNextAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  markClosed(): void {
    this.#closed = true;
    this.#tracker = null;
    this.#dropTail();
    this.#role = 'none';
    this.#acks.failAll('not_leader');
    this.#deletions.failAll();
    this.#notify();
  }

  /**
   * As follower: records the leader deleted (DeleteRecords) go here too, up
   * to what this log holds; the rest goes when the log catches up (the
   * next answers carry the same start). Our next fetch tells the leader.
   */
  async #takeLeaderLogStart(leaderLogStart: bigint): Promise<void> {
    const end = this.log.logEndOffset;
    const target = leaderLogStart < end ? leaderLogStart : end;
    if (target <= this.log.logStartOffset) return;
    await this.log.advanceLogStart(target);
    this.#clipHighWatermark();
  }

  /** Releases the tail cache's claims on recycled frames (readers hold their own). */
  #dropTail(): void {
    this.#tail?.clear();
    this.#tail = null;
  }

  /** Never moves back. */
  #takeLeaderHighWatermark(leaderHighWatermark: bigint): void {
    this.#leaderHighWatermark = leaderHighWatermark;
    const hw = leaderHighWatermark < this.log.logEndOffset ? leaderHighWatermark : this.log.logEndOffset;
    if (hw > this.#highWatermark) {
      this.#highWatermark = hw;
      // A follower's table forgets the ended transactions the high watermark passed (a leader's: #setHighWatermark).
      this.log.lastStableOffset(hw);
      this.#notify();
    }
  }

  /** After a truncation: the high watermark cannot stay above the log end. */
  #clipHighWatermark(): void {
    if (this.#highWatermark > this.log.logEndOffset) this.#highWatermark = this.log.logEndOffset;
    if (this.#highWatermark < this.log.logStartOffset) this.#highWatermark = this.log.logStartOffset;
  }

  #setHighWatermark(hw: bigint): void {
    if (hw > this.#highWatermark) this.#highWatermark = hw;
    // Every ISR member has what is below the high watermark; a follower behind it reads the log.
    this.#tail?.trimBelow(this.#highWatermark);
    // The producer table forgets ended transactions below it, fetched or not (bounded on a topic nobody reads).
    this.log.lastStableOffset(this.#highWatermark);
  }

  #checkAcks(): void {
    if (this.#tracker !== null) this.#acks.check(this.#ackState);
  }

  #notify(): void {
    if (this.#listeners.size === 0) return;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l();
  }
}

/** Records in whole batches (the record count field of each batch header). */
/** One past the last offset of the last whole batch in `chunks`; null when there is none. */
function endOffsetOf(chunks: readonly Buffer[]): bigint | null {
  let end: bigint | null = null;
  for (const chunk of chunks) {
    for (let pos = 0; pos + RECORD_BATCH_HEADER_BYTES <= chunk.length; ) {
      end =
        chunk.readBigInt64BE(pos + BASE_OFFSET_OFFSET) + BigInt(chunk.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET)) + 1n;
      pos += LOG_OVERHEAD + chunk.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    }
  }
  return end;
}

function countRecords(chunks: readonly Buffer[]): number {
  let count = 0;
  for (const chunk of chunks) {
    let pos = 0;
    while (pos + RECORD_BATCH_HEADER_BYTES <= chunk.length) {
      count += chunk.readInt32BE(pos + RECORD_COUNT_OFFSET);
      pos += LOG_OVERHEAD + chunk.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    }
  }
  return count;
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (value < low) return low;
  if (value > high) return high;
  return value;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
