/**
 * The gateway's one retry pacing: waits that double from `initialMs` up
 * to `maxMs`, start over after a success (`reset`), and end at once when
 * the owner stops (`signal` aborts), so a stopping gateway never sits out
 * a retry delay. Used by the cluster link, the registry's store opening
 * and the store's tail of `_schemas`.
 */
import { setTimeout as delay } from 'node:timers/promises';

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #nextMs: number;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#nextMs = initialMs;
  }

  reset(): void {
    this.#nextMs = this.#initialMs;
  }

  /** Waits the current delay (doubling the next one); resolves early, without error, once `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    const ms = this.#nextMs;
    this.#nextMs = Math.min(ms * 2, this.#maxMs);
    try {
      await delay(ms, undefined, { signal });
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }
}
