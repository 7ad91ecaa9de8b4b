/**
 * A byte-rate budget for reassignment traffic (Kafka's
 * `follower.replication.throttled.rate`), as a token bucket: it refills at
 * the rate, holds at most one second's worth, and fetched bytes are taken
 * out afterwards (it may go below zero after a large fetch). While it is
 * empty `allows()` says no and the fetchers leave throttled partitions out
 * of their next round, so the average stays at the rate. A rate of 0 or
 * less means unlimited. Time comes from the monotonic clock passed in.
 * Owned by ReplicaManager and shared by its fetchers.
 */
export class ByteRateLimiter {
  readonly #bytesPerSec: number;
  readonly #nowMs: () => number;
  #tokens: number;
  #lastMs: number;

  constructor(bytesPerSec: number, nowMs: () => number) {
    this.#bytesPerSec = bytesPerSec;
    this.#nowMs = nowMs;
    this.#tokens = bytesPerSec;
    this.#lastMs = nowMs();
  }

  allows(): boolean {
    if (this.#bytesPerSec <= 0) return true;
    this.#refill();
    return this.#tokens > 0;
  }

  record(bytes: number): void {
    if (this.#bytesPerSec <= 0) return;
    this.#refill();
    this.#tokens -= bytes;
  }

  #refill(): void {
    const now = this.#nowMs();
    const elapsedMs = Math.max(0, now - this.#lastMs);
    this.#lastMs = now;
    this.#tokens = Math.min(this.#bytesPerSec, this.#tokens + (this.#bytesPerSec * elapsedMs) / 1000);
  }
}
