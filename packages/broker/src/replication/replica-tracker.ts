/**
 * The leader's view of a partition's replicas: each follower's log end
 * offset, the in-sync replica set (ISR) and the high watermark (HWM).
 *
 * Kafka's rules, as pure logic (no timers, no I/O; time arrives as `nowMs`,
 * which must come from a monotonic clock):
 * - HWM = min log end offset over the ISR, the leader included. It never
 *   moves back. While an ISR change is in flight it is computed over the
 *   larger of the two sets (committed ∪ proposed), and followers eligible
 *   to join that were caught up within the lag window count too, so the HWM
 *   cannot run away from a follower that is about to join.
 * - A follower behind the leader and not caught up for `lagTimeMaxMs` should
 *   leave the ISR; a non-member that has fetched under this leader and holds
 *   everything below the HWM may rejoin.
 * - ISR changes are only proposals: the caller sends them to the controller
 *   (AlterPartition, fenced by partition epoch) and reports the outcome with
 *   onIsrCommitted / onIsrRejected. At most one proposal is in flight.
 *
 * Owned by the partition while this broker leads it, one instance per leader
 * epoch: a new leader or leader epoch means a new tracker. Only the owner
 * calls the mutating methods. Expected failures (a fetch from a broker that
 * is not a replica, a fetch past our log end) come back as Results and leave
 * the state untouched; a broken invariant (HWM above the leader's log end or
 * moving back, the leader's log end moving back) is a bug and asserts.
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import { FollowerProgress } from './follower-progress.ts';

export type ReplicaTrackerOptions = {
  leaderId: number;
  /** All assigned replicas, the leader included. */
  replicas: readonly number[];
  /** The committed ISR; must contain the leader. */
  isr: readonly number[];
  leaderEpoch: number;
  partitionEpoch: number;
  /** The HWM this broker held when it became leader. */
  highWatermark: bigint;
  /** The leader's log end offset; also where the current leader epoch starts. */
  logEndOffset: bigint;
  /** Kafka's `replica.lag.time.max.ms`. */
  lagTimeMaxMs: number;
  nowMs: number;
  /**
   * The topic's min.insync.replicas (default 1). While the committed ISR is
   * smaller the HWM stays put (KIP-966): replicas that left the ISR for the
   * ELR are then guaranteed to hold everything below it.
   */
  minInsyncReplicas?: number;
  /** ReplicationRules.isrRejoinNeedsNewFetch (default true; only the simulation turns it off). */
  rejoinNeedsNewFetch?: boolean;
};

export type IsrChangeReason = 'shrink' | 'expand';

/** An AlterPartition proposal: the whole new ISR, fenced by the epochs it was computed under. */
export type IsrProposal = {
  isr: number[];
  reason: IsrChangeReason;
  /** The followers removed (shrink) or added (expand). */
  changed: number[];
  leaderEpoch: number;
  partitionEpoch: number;
  /** For an expand: the broker epoch each added member fetched under (KIP-903); the controller refuses stale ones. */
  addedBrokerEpochs: { brokerId: number; brokerEpoch: bigint }[];
};

export type FetchError = 'unknown_replica' | 'offset_out_of_range';

export type AckState = 'wait' | 'done' | 'not_enough_replicas_after_append';

export type FollowerState = {
  /** null until the follower fetches under this leader. */
  logEndOffset: bigint | null;
  /** Messages the follower is behind the leader; null until it fetches. */
  lagMessages: bigint | null;
  /** Time since the follower was last caught up. */
  lagMs: number;
  inIsr: boolean;
};

export const defaultReplicaLagTimeMaxMs = 30_000;

export class ReplicaTracker {
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicas: readonly number[];
  readonly #lagTimeMaxMs: number;
  /** Followers whose LEO is below this cannot hold this leader epoch's records (KIP-101). */
  readonly #epochStartOffset: bigint;
  readonly #followers = new Map<number, FollowerProgress>();
  #isr: readonly number[];
  #partitionEpoch: number;
  #highWatermark: bigint;
  #leaderEndOffset: bigint;
  #pending: IsrProposal | null = null;
  #minInsyncReplicas: number;
  /** Followers metadata shows fenced or unregistered (KIP-841): never counted towards joining the ISR. */
  #unavailable: ReadonlySet<number> = new Set();
  /** Latest time passed in, for the calls that take none. */
  #nowMs: number;
  readonly #rejoinNeedsNewFetch: boolean;

  constructor(options: ReplicaTrackerOptions) {
    assert(options.replicas.includes(options.leaderId), 'leader must be an assigned replica');
    assert(options.highWatermark <= options.logEndOffset, 'high watermark above the log end offset');
    assert(options.lagTimeMaxMs > 0, 'replica.lag.time.max.ms must be positive');
    this.leaderId = options.leaderId;
    this.leaderEpoch = options.leaderEpoch;
    this.replicas = [...options.replicas];
    this.#lagTimeMaxMs = options.lagTimeMaxMs;
    this.#rejoinNeedsNewFetch = options.rejoinNeedsNewFetch ?? true;
    this.#epochStartOffset = options.logEndOffset;
    this.#isr = checkedIsr(options.isr, options.leaderId, this.replicas);
    this.#partitionEpoch = options.partitionEpoch;
    this.#highWatermark = options.highWatermark;
    this.#leaderEndOffset = options.logEndOffset;
    this.#nowMs = options.nowMs;
    this.#minInsyncReplicas = options.minInsyncReplicas ?? 1;
    for (const id of this.replicas) {
      // Every follower gets a full lag window from the moment we lead.
      if (id !== options.leaderId) this.#followers.set(id, new FollowerProgress(id, options.nowMs));
    }
    this.#advanceHighWatermark();
  }

  /** Offsets below this are committed: held by every ISR member. */
  get highWatermark(): bigint {
    return this.#highWatermark;
  }

  get logEndOffset(): bigint {
    return this.#leaderEndOffset;
  }

  /** The committed ISR (what the controller has accepted). */
  get isr(): readonly number[] {
    return this.#isr;
  }

  get partitionEpoch(): number {
    return this.#partitionEpoch;
  }

  get proposalPending(): boolean {
    return this.#pending !== null;
  }

  /**
   * The followers that are fenced or not registered now. A follower that
   * died just after catching up would otherwise hold the HWM back as a
   * would-be member until its lag window ran out, stalling acks=all for
   * replica.lag.time.max.ms even though the controller has already fenced
   * it. Returns whether the HWM moved.
   */
  setUnavailableFollowers(ids: ReadonlySet<number>): { highWatermarkChanged: boolean } {
    this.#unavailable = ids;
    return { highWatermarkChanged: this.#advanceHighWatermark() };
  }

  /** The topic's min.insync.replicas changed; returns whether the HWM moved. */
  setMinInsyncReplicas(n: number): { highWatermarkChanged: boolean } {
    this.#minInsyncReplicas = n;
    return { highWatermarkChanged: this.#advanceHighWatermark() };
  }

  /** acks=all must be refused with NOT_ENOUGH_REPLICAS before appending when this is false. */
  hasMinIsr(minInsyncReplicas: number): boolean {
    return this.#isr.length >= minInsyncReplicas;
  }

  /**
   * Records that the leader's log now ends at `logEndOffset` (the end of the
   * latest completed append). With no followers in the ISR this alone moves
   * the HWM, which is today's single-replica behaviour. Call it before
   * followers can read the new records: a fetch past this offset is refused.
   */
  onLeaderAppend(logEndOffset: bigint, nowMs: number): { highWatermarkChanged: boolean } {
    assert(logEndOffset >= this.#leaderEndOffset, 'leader log end offset moved back');
    this.#observe(nowMs);
    this.#leaderEndOffset = logEndOffset;
    return { highWatermarkChanged: this.#advanceHighWatermark() };
  }

  /**
   * Records a follower fetch; `fetchOffset` is the follower's log end offset
   * and `brokerEpoch` the registration it fetches under. A new registration
   * means the follower restarted and may have lost what it held: what we
   * knew about it is forgotten (KIP-903). `logStartOffset` is the
   * follower's (-1 when it did not say).
   */
  onFollowerFetch(
    followerId: number,
    fetchOffset: bigint,
    nowMs: number,
    brokerEpoch = -1n,
    logStartOffset = -1n,
  ): Result<{ highWatermarkChanged: boolean }, FetchError> {
    let follower = this.#followers.get(followerId);
    if (follower === undefined) return err('unknown_replica');
    if (fetchOffset < 0n || fetchOffset > this.#leaderEndOffset) return err('offset_out_of_range');
    this.#observe(nowMs);
    if (follower.brokerEpoch !== null && follower.brokerEpoch !== brokerEpoch) {
      follower = new FollowerProgress(followerId, follower.lastCaughtUpMs);
      this.#followers.set(followerId, follower);
    }
    follower.brokerEpoch = brokerEpoch;
    follower.logStartOffset = logStartOffset >= 0n ? logStartOffset : null;
    follower.recordFetch(fetchOffset, this.#leaderEndOffset, nowMs);
    return ok({ highWatermarkChanged: this.#advanceHighWatermark() });
  }

  /**
   * The ISR change to propose now, or null. Shrinks come before expands so a
   * dead follower stops holding back the HWM as soon as possible. Returns
   * null while a proposal is in flight; a returned proposal is in flight
   * until onIsrCommitted or onIsrRejected.
   */
  isrChange(nowMs: number): IsrProposal | null {
    this.#observe(nowMs);
    if (this.#pending !== null) return null;
    const lagging = this.#isr.filter((id) =>
      this.#followers.get(id)?.isOutOfSync(this.#leaderEndOffset, nowMs, this.#lagTimeMaxMs),
    );
    if (lagging.length > 0) {
      return this.#propose(
        this.#isr.filter((id) => !lagging.includes(id)),
        'shrink',
        lagging,
      );
    }
    const joining = this.#eligibleToJoin(false);
    if (joining.length > 0) return this.#propose(sortedIds([...this.#isr, ...joining]), 'expand', joining);
    return null;
  }

  /**
   * The controller committed `isr` at `partitionEpoch` (from the AlterPartition
   * response or the metadata log, whichever comes first; the other is stale
   * and ignored). Ends any proposal in flight. Must not be called for a change
   * of leader or leader epoch: those replace the tracker.
   */
  onIsrCommitted(isr: readonly number[], partitionEpoch: number): { applied: boolean; highWatermarkChanged: boolean } {
    if (partitionEpoch <= this.#partitionEpoch) return { applied: false, highWatermarkChanged: false };
    const committed = checkedIsr(isr, this.leaderId, this.replicas);
    for (const id of this.#rejoinNeedsNewFetch ? this.#isr : []) {
      const follower = this.#followers.get(id);
      if (committed.includes(id) || follower === undefined) continue;
      // Out of the ISR (our shrink, or the controller's: controlled shutdown, fencing), a follower joins
      // again only on a fetch made after it left, as Kafka expands only on fetches. Its old position
      // would otherwise put a broker in controlled shutdown (no longer fetching) straight back into
      // an idle partition's ISR, and the controller would take it out again, forever.
      this.#followers.set(id, new FollowerProgress(id, follower.lastCaughtUpMs));
    }
    this.#isr = committed;
    this.#partitionEpoch = partitionEpoch;
    this.#pending = null;
    return { applied: true, highWatermarkChanged: this.#advanceHighWatermark() };
  }

  /** The controller refused the proposal in flight (stale epoch, fenced broker...); the next isrChange recomputes. */
  onIsrRejected(): void {
    this.#pending = null;
  }

  /**
   * What an acks=all produce whose batch ends at `lastOffset` should do now.
   * It fails as soon as the ISR is below `minInsyncReplicas`, instead of
   * waiting for the HWM: its records were appended but are not guaranteed to
   * reach that many replicas.
   */
  ackState(lastOffset: bigint, minInsyncReplicas: number): AckState {
    if (this.#maximalIsr().length < minInsyncReplicas) return 'not_enough_replicas_after_append';
    return this.#highWatermark > lastOffset ? 'done' : 'wait';
  }

  /**
   * The low watermark DeleteRecords answers with: the lowest log start
   * offset over the leader (`leaderLogStart`) and every follower that is
   * not fenced or unregistered, as Kafka takes it over the live replicas,
   * in the ISR or not. -1 while such a follower's start is unknown (it has
   * not fetched under this leader): nothing can be promised about it yet.
   */
  lowWatermark(leaderLogStart: bigint): bigint {
    let lowest = leaderLogStart;
    for (const [id, follower] of this.#followers) {
      if (this.#unavailable.has(id)) continue;
      if (follower.logStartOffset === null) return -1n;
      if (follower.logStartOffset < lowest) lowest = follower.logStartOffset;
    }
    return lowest;
  }

  /** For metrics; undefined for the leader itself and for brokers that are not replicas. */
  followerState(id: number, nowMs: number): FollowerState | undefined {
    const follower = this.#followers.get(id);
    if (follower === undefined) return undefined;
    const leo = follower.logEndOffset;
    return {
      logEndOffset: leo,
      lagMessages: leo === null ? null : this.#leaderEndOffset - leo,
      lagMs: Math.max(0, nowMs - follower.lastCaughtUpMs),
      inIsr: this.#isr.includes(id),
    };
  }

  #observe(nowMs: number): void {
    if (nowMs > this.#nowMs) this.#nowMs = nowMs;
  }

  #propose(isr: number[], reason: IsrChangeReason, changed: number[]): IsrProposal {
    const proposal = {
      isr,
      reason,
      changed,
      leaderEpoch: this.leaderEpoch,
      partitionEpoch: this.#partitionEpoch,
      addedBrokerEpochs:
        reason === 'expand'
          ? changed.map((id) => ({ brokerId: id, brokerEpoch: this.#followers.get(id)?.brokerEpoch ?? -1n }))
          : [],
    };
    this.#pending = proposal;
    return proposal;
  }

  /** Committed ISR ∪ proposed ISR: while a change is in flight either may end up committed. */
  #maximalIsr(): readonly number[] {
    if (this.#pending === null) return this.#isr;
    return [...new Set([...this.#isr, ...this.#pending.isr])];
  }

  /**
   * Non-members that may join the ISR. For the HWM (`recentOnly`) only those
   * caught up within the lag window count, as in Kafka: a follower that just
   * left the ISR, or died after catching up, must not hold the HWM back.
   */
  #eligibleToJoin(recentOnly: boolean): number[] {
    const joining: number[] = [];
    for (const [id, follower] of this.#followers) {
      if (this.#isr.includes(id) || this.#unavailable.has(id)) continue;
      if (!follower.canJoinIsr(this.#highWatermark, this.#epochStartOffset)) continue;
      if (recentOnly && follower.isOutOfSync(this.#leaderEndOffset, this.#nowMs, this.#lagTimeMaxMs)) continue;
      joining.push(id);
    }
    return joining;
  }

  /** Moves the HWM up to the lowest LEO among the replicas that count; returns whether it moved. */
  #advanceHighWatermark(): boolean {
    const previous = this.#highWatermark;
    if (this.#isr.length < this.#minInsyncReplicas) return false;
    const candidate = this.#lowestCountedEndOffset();
    if (candidate !== null && candidate > previous) this.#highWatermark = candidate;
    assert(this.#highWatermark >= previous, 'high watermark moved back');
    assert(this.#highWatermark <= this.#leaderEndOffset, 'high watermark above the leader log end offset');
    return this.#highWatermark !== previous;
  }

  /** null when a counted follower has not fetched under this leader yet: it pins the HWM where it is. */
  #lowestCountedEndOffset(): bigint | null {
    let lowest = this.#leaderEndOffset;
    for (const id of [...this.#maximalIsr(), ...this.#eligibleToJoin(true)]) {
      if (id === this.leaderId) continue;
      const leo = this.#followers.get(id)?.logEndOffset ?? null;
      if (leo === null) return null;
      if (leo < lowest) lowest = leo;
    }
    return lowest;
  }
}

function checkedIsr(isr: readonly number[], leaderId: number, replicas: readonly number[]): readonly number[] {
  assert(isr.includes(leaderId), 'the ISR must contain the leader');
  assert(
    isr.every((id) => replicas.includes(id)),
    'the ISR must be a subset of the replicas',
  );
  assert(new Set(isr).size === isr.length, 'the ISR has duplicates');
  return sortedIds(isr);
}

function sortedIds(ids: readonly number[]): number[] {
  return [...ids].sort((a, b) => a - b);
}
