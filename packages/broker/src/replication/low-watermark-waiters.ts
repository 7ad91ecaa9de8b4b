/**
 * DeleteRecords requests parked on one leader partition (Kafka's delayed
 * delete-records): each waits until the partition's low watermark (the
 * lowest log start offset over the live replicas, ReplicaTracker.lowWatermark)
 * reaches the offset it deleted below, so its answer means every live
 * replica has dropped those records. It is told `not_leader` when
 * leadership moves, or `timed_out` after its timeout (a Timers timer).
 *
 * Owned by a Partition, which calls `check` after each follower fetch (the
 * only way a follower's log start reaches the leader) and `failAll` when
 * its role changes. Each waiter resolves exactly once.
 */
import type { Timers } from '@runnel/common';

export type LowWatermarkOutcome =
  | { readonly kind: 'done'; readonly lowWatermark: bigint }
  | { readonly kind: 'timed_out' }
  | { readonly kind: 'not_leader' };

/** The partition's low watermark now; null once this broker no longer leads it. */
export type LowWatermarkCheck = () => bigint | null;

interface Waiter {
  readonly target: bigint;
  readonly finish: (outcome: LowWatermarkOutcome) => void;
}

export class LowWatermarkWaiters {
  readonly #timers: Timers;
  readonly #waiters = new Set<Waiter>();

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  get size(): number {
    return this.#waiters.size;
  }

  /** Resolves once the low watermark is at least `target`, on failAll, or after `timeoutMs`. */
  wait(target: bigint, timeoutMs: number, check: LowWatermarkCheck): Promise<LowWatermarkOutcome> {
    const now = outcomeOf(target, check());
    if (now !== null) return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = this.#timers.setTimeout(() => finish({ kind: 'timed_out' }), Math.max(0, timeoutMs));
      const finish = (outcome: LowWatermarkOutcome): void => {
        if (!this.#waiters.delete(waiter)) return;
        timer.cancel();
        resolve(outcome);
      };
      const waiter: Waiter = { target, finish };
      this.#waiters.add(waiter);
    });
  }

  check(check: LowWatermarkCheck): void {
    if (this.#waiters.size === 0) return;
    const lowWatermark = check();
    for (const waiter of [...this.#waiters]) {
      const outcome = outcomeOf(waiter.target, lowWatermark);
      if (outcome !== null) waiter.finish(outcome);
    }
  }

  failAll(): void {
    for (const waiter of [...this.#waiters]) waiter.finish({ kind: 'not_leader' });
  }
}

function outcomeOf(target: bigint, lowWatermark: bigint | null): LowWatermarkOutcome | null {
  if (lowWatermark === null) return { kind: 'not_leader' };
  return lowWatermark >= target ? { kind: 'done', lowWatermark } : null;
}
