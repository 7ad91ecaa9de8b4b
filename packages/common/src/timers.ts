/**
 * Scheduling as a parameter, next to Clock: code that waits (long polls,
 * request timeouts, periodic duties) asks a Timers for its callbacks instead
 * of calling setTimeout/setInterval, so a simulation can decide when they
 * fire. Delays are measured on the monotonic clock.
 *
 * `systemTimers` is Node's event loop. `ManualTimers` fires nothing on its
 * own: its owner moves the clock it reads and calls `fireNext()`; with
 * nothing else scheduling work, the same calls give the same order of
 * callbacks (earliest due first, then in the order they were set).
 */
import { assert } from './assert.ts';

export interface Timer {
  /** Stops the timer; harmless after it fired or was cancelled. */
  cancel(): void;
}

export interface Timers {
  /** Calls `callback` once, `delayMs` (at least 0) from now. */
  setTimeout(callback: () => void, delayMs: number): Timer;
  /**
   * Calls `callback` every `periodMs` until cancelled. A background duty:
   * it does not keep the process alive on its own (Node's unref).
   */
  setInterval(callback: () => void, periodMs: number): Timer;
}

export const systemTimers: Timers = {
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return { cancel: () => clearTimeout(handle) };
  },
  setInterval(callback, periodMs) {
    const handle = setInterval(callback, periodMs);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
};

interface Scheduled {
  dueMs: number;
  readonly seq: number;
  readonly periodMs: number | null;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * Timers that fire only when told to, against a clock the owner moves
 * (a ManualClock, or a simulation's). Owned by one test or simulated
 * process; a callback that throws propagates out of `fireNext()`, and the
 * timer is gone (an interval is rescheduled before its callback runs).
 */
export class ManualTimers implements Timers {
  readonly #now: () => number;
  /** Sorted by (dueMs, seq). */
  #queue: Scheduled[] = [];
  #seq = 0;

  constructor(clock: { monotonicMs(): number }) {
    this.#now = () => clock.monotonicMs();
  }

  setTimeout(callback: () => void, delayMs: number): Timer {
    return this.#add(callback, Math.max(0, delayMs), null);
  }

  setInterval(callback: () => void, periodMs: number): Timer {
    assert(periodMs > 0, 'an interval needs a positive period');
    return this.#add(callback, periodMs, periodMs);
  }

  /** Timers set and not yet fired or cancelled (an interval counts once). */
  get pendingCount(): number {
    return this.#queue.length;
  }

  /** When the earliest pending timer is due, or null when none is pending. */
  nextDueMs(): number | null {
    return this.#queue[0]?.dueMs ?? null;
  }

  /** Fires the earliest timer due by now; false when none is due. */
  fireNext(): boolean {
    const head = this.#queue[0];
    if (head === undefined || head.dueMs > this.#now()) return false;
    this.#queue.shift();
    if (head.periodMs !== null) {
      head.dueMs += head.periodMs;
      this.#insert(head);
    }
    head.callback();
    return true;
  }

  /** Fires every timer due by now, including those the callbacks set that are due too; returns how many fired. */
  fireDue(firesMax = 100_000): number {
    let fired = 0;
    while (this.fireNext()) {
      fired += 1;
      assert(fired <= firesMax, `more than ${firesMax} timers fired at one instant`);
    }
    return fired;
  }

  /** Drops every pending timer (a simulated process died). */
  cancelAll(): void {
    for (const s of this.#queue) s.cancelled = true;
    this.#queue = [];
  }

  #add(callback: () => void, delayMs: number, periodMs: number | null): Timer {
    const scheduled: Scheduled = {
      dueMs: this.#now() + delayMs,
      seq: this.#seq++,
      periodMs,
      callback,
      cancelled: false,
    };
    this.#insert(scheduled);
    return {
      cancel: () => {
        if (scheduled.cancelled) return;
        scheduled.cancelled = true;
        const at = this.#queue.indexOf(scheduled);
        if (at >= 0) this.#queue.splice(at, 1);
      },
    };
  }

  #insert(s: Scheduled): void {
    let at = this.#queue.length;
    while (at > 0) {
      const before = this.#queue[at - 1];
      if (before === undefined || before.dueMs < s.dueMs || (before.dueMs === s.dueMs && before.seq < s.seq)) break;
      at -= 1;
    }
    this.#queue.splice(at, 0, s);
  }
}
