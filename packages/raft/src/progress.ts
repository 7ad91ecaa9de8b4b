/**
 * The leader's view of one follower: how far its log matches (match), what
 * to send next (next), and the flow-control state.
 *
 * - probe: we do not know where the follower's log ends; send one append and
 *   wait for its answer (or a heartbeat answer) before sending another.
 * - replicate: the follower is keeping up; stream appends optimistically, at
 *   most `inflightMessagesMax` unacknowledged at once.
 * - snapshot: the entries it needs are compacted; a snapshot is on its way and
 *   nothing else is sent until the driver reports how it went.
 *
 * Owned by the leader's Raft state; rebuilt on every election. Mutated only
 * by the Raft core; nothing here can fail except by assertion.
 */
import { assert } from '@runnel/common';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * The last index of every append that is still unacknowledged, oldest first.
 * Bounded by `capacity`: when full, the follower is paused.
 */
export class Inflights {
  readonly capacity: number;
  #lastIndexes: number[] = [];

  constructor(capacity: number) {
    assert(Number.isInteger(capacity) && capacity > 0, `inflight capacity must be positive, got ${capacity}`);
    this.capacity = capacity;
  }

  get count(): number {
    return this.#lastIndexes.length;
  }

  full(): boolean {
    return this.#lastIndexes.length >= this.capacity;
  }

  add(lastIndex: number): void {
    assert(!this.full(), 'inflight window overflow');
    const newest = this.#lastIndexes.at(-1);
    assert(newest === undefined || lastIndex > newest, `inflight indexes must grow: ${newest} then ${lastIndex}`);
    this.#lastIndexes.push(lastIndex);
  }

  /** The follower acknowledged everything up to `index`. */
  freeLE(index: number): void {
    let freed = 0;
    while (freed < this.#lastIndexes.length && (this.#lastIndexes[freed] ?? 0) <= index) freed++;
    this.#lastIndexes.splice(0, freed);
  }

  /** A heartbeat answer proves the follower is alive; let one more append through. */
  freeFirstOne(): void {
    this.#lastIndexes.shift();
  }

  reset(): void {
    this.#lastIndexes = [];
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In snapshot state: the index of the snapshot sent. */
  pendingSnapshot = 0;
  /** In probe state: an append is out and we are waiting for its answer. */
  probeSent = false;
  /** Heard from within the current election timeout (check-quorum). */
  recentActive = false;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, inflightMessagesMax: number, isLearner: boolean) {
    this.next = next;
    this.inflights = new Inflights(inflightMessagesMax);
    this.isLearner = isLearner;
  }

  #resetState(state: ProgressState): void {
    this.state = state;
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.inflights.reset();
  }

  becomeProbe(): void {
    // After a snapshot, the follower holds at least the snapshot's entries.
    const next = this.state === 'snapshot' ? Math.max(this.match + 1, this.pendingSnapshot + 1) : this.match + 1;
    this.#resetState('probe');
    this.next = next;
  }

  becomeReplicate(): void {
    this.#resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.#resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /**
   * The follower restarted on lost storage and its log ends at `lastIndex`,
   * below what it acknowledged to us: forget the match and probe from there
   * (without this, its rejections look stale and it would never be fed).
   */
  forgetMatch(lastIndex: number): void {
    assert(lastIndex < this.match, `forgetting a match of ${this.match} for a log ending at ${lastIndex}`);
    this.#resetState('probe');
    this.match = 0;
    this.next = lastIndex + 1;
  }

  /** An append was acknowledged up to `index`; false if the answer is stale. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /** In replicate state, entries up to `lastIndex` were sent without waiting for an answer. */
  optimisticUpdate(lastIndex: number): void {
    this.next = lastIndex + 1;
  }

  /**
   * The follower rejected an append whose previous index was `rejected`;
   * `hint` is where the leader should try next. False if the rejection is
   * stale (answers an append we have since moved past).
   */
  maybeDecreaseTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }
}
