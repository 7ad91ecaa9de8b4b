/**
 * Time as a parameter. Production code takes a Clock instead of calling
 * Date.now() so tests and simulations can drive time deterministically.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (record timestamps, retention). */
  nowMs(): number;
  /** Monotonic milliseconds for measuring durations and timeouts. */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

/** A clock that only moves when told to. Owned by the test that made it. */
export class ManualClock implements Clock {
  #nowMs: number;
  #monoMs = 0;
  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs;
  }
  nowMs(): number {
    return this.#nowMs;
  }
  monotonicMs(): number {
    return this.#monoMs;
  }
  advance(ms: number): void {
    this.#nowMs += ms;
    this.#monoMs += ms;
  }
}
