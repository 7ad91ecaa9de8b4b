/**
 * The acks=all produces parked on one leader partition: each waits for the
 * high watermark to pass its batch, and is told `not_enough_replicas_after_append`
 * as soon as the ISR falls below its min.insync.replicas, `not_leader` when
 * leadership moves, or `timed_out` after its timeout (a timer from the
 * Timers seam).
 *
 * Owned by a Partition, which calls `check` whenever the high watermark or
 * the ISR may have moved and `failAll` when its role changes. Each waiter
 * resolves exactly once.
 */
import type { Timers } from '@runnel/common';
import type { AckState } from './replica-tracker.ts';

/** How an acks=all produce ended. */
export type AckOutcome = 'done' | 'not_enough_replicas_after_append' | 'timed_out' | 'not_leader';

/** What the tracker says about one waiter now; 'not_leader' once there is no tracker. */
export type AckCheck = (lastOffset: bigint, minInsyncReplicas: number) => AckState | 'not_leader';

interface AckWaiter {
  readonly lastOffset: bigint;
  readonly minInsyncReplicas: number;
  readonly finish: (outcome: AckOutcome) => void;
}

export class AckWaiters {
  readonly #timers: Timers;
  readonly #waiters = new Set<AckWaiter>();

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  get size(): number {
    return this.#waiters.size;
  }

  /** Resolves when `check` stops answering 'wait' for this batch, on failAll, or after `timeoutMs`. */
  wait(lastOffset: bigint, minInsyncReplicas: number, timeoutMs: number, check: AckCheck): Promise<AckOutcome> {
    const now = check(lastOffset, minInsyncReplicas);
    if (now !== 'wait') return Promise.resolve(now);
    return new Promise((resolve) => {
      const timer = this.#timers.setTimeout(() => finish('timed_out'), Math.max(0, timeoutMs));
      const finish = (outcome: AckOutcome): void => {
        if (!this.#waiters.delete(waiter)) return;
        timer.cancel();
        resolve(outcome);
      };
      const waiter: AckWaiter = { lastOffset, minInsyncReplicas, finish };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves every waiter whose batch is now committed, or whose ISR is now too small. */
  check(check: AckCheck): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of [...this.#waiters]) {
      const state = check(waiter.lastOffset, waiter.minInsyncReplicas);
      if (state !== 'wait') waiter.finish(state);
    }
  }

  failAll(outcome: AckOutcome): void {
    for (const waiter of [...this.#waiters]) waiter.finish(outcome);
  }
}
