/**
 * A budget of log lines for events a client can trigger at will (a refused
 * produce batch): at most `linesPerWindow` lines per `windowMs`, and the
 * first line of the next window says how many were left out. Pure: the
 * caller passes the clock's time. Owned by one handler.
 */
export class RefusalLogLimiter {
  readonly #windowMs: number;
  readonly #linesPerWindow: number;
  #windowStartMs = Number.NEGATIVE_INFINITY;
  #lines = 0;
  #suppressed = 0;

  constructor(windowMs = 10_000, linesPerWindow = 20) {
    this.#windowMs = windowMs;
    this.#linesPerWindow = linesPerWindow;
  }

  /** Null: do not log this one. Otherwise log it, with `suppressed` lines dropped since the last one. */
  admit(nowMs: number): { suppressed: number } | null {
    if (nowMs - this.#windowStartMs >= this.#windowMs) {
      this.#windowStartMs = nowMs;
      this.#lines = 0;
    }
    if (this.#lines >= this.#linesPerWindow) {
      this.#suppressed++;
      return null;
    }
    this.#lines++;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    return { suppressed };
  }
}
