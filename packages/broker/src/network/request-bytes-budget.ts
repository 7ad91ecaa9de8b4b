/**
 * The broker-wide budget for request bytes in flight (Kafka's
 * `queued.max.request.bytes`): bytes count from the moment a connection
 * reads them (a partial frame's too, so a frame costs what has arrived, not
 * what it declares) until the request they form is handled. While the
 * budget is spent, connections pause reading; they resume when handled
 * requests give bytes back.
 *
 * Never a deadlock: when the budget is spent and no request is being
 * handled (everything counted is partial frames on paused connections, so
 * nothing would ever give bytes back), one paused connection in the middle
 * of a frame is granted reading until that frame is complete, whatever its
 * size: a single frame larger than the budget still gets through.
 *
 * Owned by KafkaServer; Connections take, give back and wait. Reading is
 * checked after each socket chunk, so the budget may be overshot by at most
 * one chunk per connection.
 */
import { assert } from '@runnel/common';

/** A connection as the budget sees it: whether it is mid-frame, and how to wake it. */
export interface BudgetReader {
  /** Bytes of an incomplete frame (or size prefix) are buffered. */
  readonly midFrame: boolean;
  /** Called when it may read again (it re-checks and pauses again if not). */
  wake(): void;
}

export interface BudgetSnapshot {
  readonly bytesMax: number;
  readonly inFlightBytes: number;
  /** Connections paused because the budget was spent. */
  readonly pausedConnections: number;
  /** Seconds the budget has been spent, in total. */
  readonly exhaustedSeconds: number;
}

/**
 * Whether a connection may read now: the pure rule (see the file comment).
 * `bytesMax <= 0` is Kafka's -1: no budget.
 */
export function mayRead(state: { bytesMax: number; inFlightBytes: number; granted: boolean }): boolean {
  return state.bytesMax <= 0 || state.inFlightBytes < state.bytesMax || state.granted;
}

/**
 * Which waiter to grant reading past a spent budget, or -1: only when
 * nothing being handled will give bytes back, and then the first waiter
 * that is mid-frame (a connection between frames cannot complete one).
 */
export function grantee(state: { handling: number; spent: boolean; midFrame: readonly boolean[] }): number {
  if (!state.spent || state.handling > 0) return -1;
  return state.midFrame.indexOf(true);
}

export class RequestBytesBudget {
  readonly #bytesMax: number;
  readonly #monotonicMs: () => number;
  #inFlightBytes = 0;
  /** Requests dispatched to handlers and not yet settled. */
  #handling = 0;
  readonly #waiting = new Set<BudgetReader>();
  #granted: BudgetReader | null = null;
  #exhaustedSinceMs: number | null = null;
  #exhaustedMs = 0;

  constructor(bytesMax: number, monotonicMs: () => number = () => performance.now()) {
    this.#bytesMax = bytesMax;
    this.#monotonicMs = monotonicMs;
  }

  get snapshot(): BudgetSnapshot {
    const open = this.#exhaustedSinceMs === null ? 0 : this.#monotonicMs() - this.#exhaustedSinceMs;
    return {
      bytesMax: this.#bytesMax,
      inFlightBytes: this.#inFlightBytes,
      pausedConnections: this.#waiting.size,
      exhaustedSeconds: (this.#exhaustedMs + open) / 1000,
    };
  }

  /** Whether `reader` may read now. */
  mayRead(reader: BudgetReader): boolean {
    return mayRead({
      bytesMax: this.#bytesMax,
      inFlightBytes: this.#inFlightBytes,
      granted: this.#granted === reader,
    });
  }

  /** Counts bytes just read. */
  take(bytes: number): void {
    this.#inFlightBytes += bytes;
    this.#trackExhaustion();
  }

  /** A complete frame went to its handler. */
  startHandling(): void {
    this.#handling++;
  }

  /** Its handler settled: its bytes are free. */
  finishHandling(bytes: number): void {
    assert(this.#handling > 0, 'request budget: more requests finished than started');
    this.#handling--;
    this.give(bytes);
  }

  /** Gives back bytes no request will be made of (a closed connection's partial frame, frames never handled). */
  give(bytes: number): void {
    assert(bytes <= this.#inFlightBytes, 'request budget: more bytes given back than taken');
    this.#inFlightBytes -= bytes;
    this.#trackExhaustion();
    this.#wakeWaiters();
  }

  /** `reader` paused for the budget: woken when it may read (see mayRead). */
  wait(reader: BudgetReader): void {
    this.#waiting.add(reader);
    this.#wakeWaiters();
  }

  /** `reader` no longer waits (it resumed, or closed); a grant it held ends. */
  leave(reader: BudgetReader): void {
    this.#waiting.delete(reader);
    if (this.#granted === reader) this.#granted = null;
    this.#wakeWaiters();
  }

  /** The granted reader finished its frame: the grant ends (it waits again like any other if still spent). */
  frameDone(reader: BudgetReader): void {
    if (this.#granted !== reader) return;
    this.#granted = null;
    this.#wakeWaiters();
  }

  #wakeWaiters(): void {
    if (this.#waiting.size === 0) return;
    const spent = !mayRead({ bytesMax: this.#bytesMax, inFlightBytes: this.#inFlightBytes, granted: false });
    if (!spent) {
      const woken = [...this.#waiting];
      this.#waiting.clear();
      for (const w of woken) w.wake();
      return;
    }
    if (this.#granted !== null) return;
    const waiters = [...this.#waiting];
    const i = grantee({ handling: this.#handling, spent, midFrame: waiters.map((w) => w.midFrame) });
    const chosen = waiters[i];
    if (chosen === undefined) return;
    this.#granted = chosen;
    this.#waiting.delete(chosen);
    chosen.wake();
  }

  #trackExhaustion(): void {
    const spent = this.#bytesMax > 0 && this.#inFlightBytes >= this.#bytesMax;
    if (spent && this.#exhaustedSinceMs === null) this.#exhaustedSinceMs = this.#monotonicMs();
    if (!spent && this.#exhaustedSinceMs !== null) {
      this.#exhaustedMs += this.#monotonicMs() - this.#exhaustedSinceMs;
      this.#exhaustedSinceMs = null;
    }
  }
}
