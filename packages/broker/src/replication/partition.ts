/**
 * One partition replica hosted by this broker: its log, its role (leader,
 * follower, or neither while the partition has no leader), its high
 * watermark, and whoever waits on it (long-polling fetches, acks=all
 * produces).
 *
 * As leader it owns a ReplicaTracker (one per leader epoch and replica
 * set): appends and follower fetches move the tracker's high watermark,
 * which is what consumers may read and what acks=all waits for. As follower
 * the high watermark comes from the leader's fetch responses, never above
 * the local log end.
 *
 * Owned by PartitionManager, which opens and closes it and changes its role
 * as metadata changes. Handlers may append/read; the replication code feeds
 * fetches in. Waiters are told when the role changes under them.
 */
import type { PartitionLog } from '@runnel/storage';
import { LeaderTailCache } from './leader-tail-cache.ts';
import { type AckState, type IsrProposal, ReplicaTracker } from './replica-tracker.ts';

export type AppendListener = () => void;

/** Per leader partition: appends not yet on every ISR member stay in memory up to this (see LeaderTailCache). */
const tailCacheBytesMax = 4 * 1024 * 1024;

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

/** How an acks=all produce ended. */
export type AckOutcome = 'done' | 'not_enough_replicas_after_append' | 'timed_out' | 'not_leader';

interface AckWaiter {
  readonly lastOffset: bigint;
  readonly minInsyncReplicas: number;
  readonly resolve: (outcome: AckOutcome) => void;
}

export class Partition {
  readonly topic: string;
  readonly index: number;
  readonly topicId: string;
  readonly log: PartitionLog;
  readonly nodeId: number;
  #state: PartitionState;
  #role: PartitionRole = 'none';
  #tracker: ReplicaTracker | null = null;
  /** Recent appends for followers' fetches; lives and dies with #tracker. */
  #tail: LeaderTailCache | null = null;
  /** Offsets below this are committed and visible to consumers. */
  #highWatermark: bigint;
  readonly #listeners = new Set<AppendListener>();
  readonly #ackWaiters = new Set<AckWaiter>();
  #closed = false;

  constructor(options: {
    topic: string;
    index: number;
    topicId: string;
    log: PartitionLog;
    nodeId: number;
    state: PartitionState;
    /** From the high-watermark checkpoint; clipped to the log. */
    highWatermark: bigint;
  }) {
    this.topic = options.topic;
    this.index = options.index;
    this.topicId = options.topicId;
    this.log = options.log;
    this.nodeId = options.nodeId;
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

  /** The tracker while this broker leads the partition. */
  get tracker(): ReplicaTracker | null {
    return this.#tracker;
  }

  /**
   * Takes the state metadata now gives. A new leader, leader epoch or
   * replica set makes a fresh tracker (as leader) or ends leadership; a
   * newer partition epoch with the same leadership is an ISR commit.
   */
  applyState(
    state: PartitionState,
    nowMs: number,
    lagTimeMaxMs: number,
    minInsyncReplicas = 1,
    unavailable: ReadonlySet<number> = new Set(),
  ): void {
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
        lagTimeMaxMs,
        nowMs,
        minInsyncReplicas,
      });
      this.#tracker.setUnavailableFollowers(unavailable);
      this.#tail = new LeaderTailCache(tailCacheBytesMax);
      this.#setHighWatermark(this.#tracker.highWatermark);
      // Waiters of an earlier epoch of ours cannot know their records survived the change.
      this.#failAcks('not_leader');
    } else {
      this.#tracker = null;
      this.#tail = null;
      this.#failAcks('not_leader');
    }
    this.#notify();
  }

  /** Appends validated batches as leader; resolves once they are in the log (see storage's durability notes). */
  async appendAsLeader(
    batches: Buffer,
    recordCount: number,
    nowMs: () => number,
  ): Promise<{ baseOffset: bigint; lastOffset: bigint; logAppendTimeMs: bigint }> {
    const epoch = this.#state.leaderEpoch;
    const result = await this.log.append(batches, { leaderEpoch: epoch, recordCount });
    const tracker = this.#tracker;
    // Later appends may already be in the log but not done, so the end of *this* append is what is complete.
    // Appends complete in order, so this never moves back while we lead under the same tracker.
    if (tracker !== null && tracker.leaderEpoch === epoch && result.lastOffset + 1n > tracker.logEndOffset) {
      // The log rewrote offsets and epoch in `batches` in place: they are the stored bytes.
      this.#tail?.add(result.baseOffset, result.lastOffset + 1n, batches);
      const { highWatermarkChanged } = tracker.onLeaderAppend(result.lastOffset + 1n, nowMs());
      if (highWatermarkChanged) this.#setHighWatermark(tracker.highWatermark);
      this.#checkAcks();
    }
    this.#notify();
    return result;
  }

  /**
   * Resolves when the high watermark passes `lastOffset` (acks=all), when
   * the ISR falls below `minInsyncReplicas`, when this broker stops leading,
   * or after `timeoutMs`.
   */
  waitForAcks(lastOffset: bigint, minInsyncReplicas: number, timeoutMs: number): Promise<AckOutcome> {
    const tracker = this.#tracker;
    if (tracker === null || this.#closed) return Promise.resolve('not_leader');
    const now = tracker.ackState(lastOffset, minInsyncReplicas);
    if (now !== 'wait') return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish('timed_out'), Math.max(0, timeoutMs));
      const finish = (outcome: AckOutcome): void => {
        clearTimeout(timer);
        this.#ackWaiters.delete(waiter);
        resolve(outcome);
      };
      const waiter: AckWaiter = { lastOffset, minInsyncReplicas, resolve: finish };
      this.#ackWaiters.add(waiter);
    });
  }

  /**
   * As leader: stored batches from `offset` (a batch boundary) out of memory,
   * whole appends up to `maxBytes` (at least one), none at or past
   * `maxOffset`; null when they are not cached and must be read from the log.
   */
  readTail(offset: bigint, maxBytes: number, maxOffset: bigint): Buffer[] | null {
    return this.#tail?.read(offset, maxBytes, maxOffset) ?? null;
  }

  /** Requests parked on acks=all (for metrics). */
  get ackWaiterCount(): number {
    return this.#ackWaiters.size;
  }

  /** A follower fetched at `fetchOffset`; moves the high watermark when it can. */
  onFollowerFetch(
    followerId: number,
    fetchOffset: bigint,
    nowMs: number,
    brokerEpoch: bigint,
  ): 'ok' | 'unknown_replica' | 'offset_out_of_range' {
    const tracker = this.#tracker;
    if (tracker === null) return 'unknown_replica';
    const result = tracker.onFollowerFetch(followerId, fetchOffset, nowMs, brokerEpoch);
    if (!result.ok) return result.error;
    if (result.value.highWatermarkChanged) {
      this.#setHighWatermark(tracker.highWatermark);
      this.#checkAcks();
      this.#notify();
    }
    return 'ok';
  }

  /** The ISR change the tracker wants now, if leader and none is in flight. */
  isrChange(nowMs: number): IsrProposal | null {
    return this.#tracker?.isrChange(nowMs) ?? null;
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

  /** As follower: the leader's high watermark, capped at what this log holds. Never moves back. */
  onLeaderHighWatermark(leaderHighWatermark: bigint): void {
    const hw = leaderHighWatermark < this.log.logEndOffset ? leaderHighWatermark : this.log.logEndOffset;
    if (hw > this.#highWatermark) {
      this.#highWatermark = hw;
      this.#notify();
    }
  }

  /** After a truncation: the high watermark cannot stay above the log end. */
  clipHighWatermark(): void {
    if (this.#highWatermark > this.log.logEndOffset) this.#highWatermark = this.log.logEndOffset;
    if (this.#highWatermark < this.log.logStartOffset) this.#highWatermark = this.log.logStartOffset;
  }

  /** As follower: records came in; wakes anyone watching the log. */
  onFollowerAppend(): void {
    this.#notify();
  }

  /** Registers a one-shot interest in the next append or high-watermark move (long-poll fetch). */
  onNextAppend(listener: AppendListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  markClosed(): void {
    this.#closed = true;
    this.#tracker = null;
    this.#tail = null;
    this.#role = 'none';
    this.#failAcks('not_leader');
    this.#notify();
  }

  #setHighWatermark(hw: bigint): void {
    if (hw > this.#highWatermark) this.#highWatermark = hw;
    // Every ISR member has what is below the high watermark; a follower behind it reads the log.
    this.#tail?.trimBelow(this.#highWatermark);
  }

  #checkAcks(): void {
    const tracker = this.#tracker;
    if (tracker === null || this.#ackWaiters.size === 0) return;
    for (const waiter of [...this.#ackWaiters]) {
      const state: AckState = tracker.ackState(waiter.lastOffset, waiter.minInsyncReplicas);
      if (state !== 'wait') waiter.resolve(state);
    }
  }

  #failAcks(outcome: AckOutcome): void {
    for (const waiter of [...this.#ackWaiters]) waiter.resolve(outcome);
  }

  #notify(): void {
    if (this.#listeners.size === 0) return;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l();
  }
}

function clamp(value: bigint, low: bigint, high: bigint): bigint {
  if (value < low) return low;
  if (value > high) return high;
  return value;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
