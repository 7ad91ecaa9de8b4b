/**
 * What a partition leader knows about one follower: its log end offset as
 * reported by its fetches, and when it was last caught up with the leader.
 * Pure data plus the catch-up rule; the ReplicaTracker owns every instance.
 */

export class FollowerProgress {
  readonly id: number;
  /** The follower's log end offset from its latest fetch; null until it fetches under this leader. */
  logEndOffset: bigint | null = null;
  /** Last time (ms) the follower was known to hold everything the leader had. */
  lastCaughtUpMs: number;
  /** The follower's log start offset from its latest fetch (DeleteRecords waits on it); null while unknown. */
  logStartOffset: bigint | null = null;
  /** The registration (broker epoch) the fetches came from; null until it fetches. */
  brokerEpoch: bigint | null = null;
  /** Leader log end offset and time of the previous fetch, for the catch-up rule below. */
  #prevFetchLeaderEndOffset: bigint | null = null;
  #prevFetchMs = 0;

  constructor(id: number, lastCaughtUpMs: number) {
    this.id = id;
    this.lastCaughtUpMs = lastCaughtUpMs;
  }

  get hasFetched(): boolean {
    return this.logEndOffset !== null;
  }

  /**
   * Records a fetch at `fetchOffset` (the follower's log end offset). Under
   * steady produce traffic the follower is rarely exactly at the leader's end,
   * so, as Kafka does, reaching the leader's end as of the previous fetch also
   * counts: the follower was caught up at the time of that previous fetch.
   */
  recordFetch(fetchOffset: bigint, leaderEndOffset: bigint, nowMs: number): void {
    if (fetchOffset >= leaderEndOffset) {
      this.lastCaughtUpMs = Math.max(this.lastCaughtUpMs, nowMs);
    } else if (this.#prevFetchLeaderEndOffset !== null && fetchOffset >= this.#prevFetchLeaderEndOffset) {
      this.lastCaughtUpMs = Math.max(this.lastCaughtUpMs, this.#prevFetchMs);
    }
    this.logEndOffset = fetchOffset;
    this.#prevFetchLeaderEndOffset = leaderEndOffset;
    this.#prevFetchMs = nowMs;
  }

  /**
   * Out of sync: behind the leader and not caught up for longer than the lag
   * limit. A follower level with the leader stays in sync even if it has been
   * idle, because an idle partition gives it nothing to fetch.
   */
  isOutOfSync(leaderEndOffset: bigint, nowMs: number, lagTimeMaxMs: number): boolean {
    if (this.logEndOffset !== null && this.logEndOffset >= leaderEndOffset) return false;
    return nowMs - this.lastCaughtUpMs > lagTimeMaxMs;
  }

  /**
   * May join the ISR: it has fetched under this leader, holds every committed
   * record (so the high watermark cannot move back when it joins), and has
   * reached the start of the current leader epoch (so its log agrees with ours).
   */
  canJoinIsr(highWatermark: bigint, epochStartOffset: bigint): boolean {
    return this.logEndOffset !== null && this.logEndOffset >= highWatermark && this.logEndOffset >= epochStartOffset;
  }
}
