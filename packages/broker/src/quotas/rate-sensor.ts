/**
 * Kafka's quota arithmetic (its metrics library's sampled Rate and
 * QuotaUtils), as plain code with time passed in, so tests drive it with
 * exact clocks.
 *
 * A rate is the sum of up to `samples` samples, each `windowMs` long,
 * divided by the time they cover. That time is at least (samples - 1)
 * windows, so a client's first burst is spread over ~10 s instead of
 * reading as an infinite rate. A sample older than samples * windowMs no
 * longer counts. Defaults: quota.window.num=11, quota.window.size.seconds=1.
 */

export interface QuotaWindow {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds, in ms. */
  readonly windowMs: number;
}

interface Sample {
  startMs: number;
  value: number;
}

/** One entity's rate of one quota type. Owned by ClientQuotaManager; not shared across types. */
export class RateSensor {
  readonly #window: QuotaWindow;
  #samples: Sample[] = [];
  /** When the sensor last recorded: idle sensors are dropped (their rate is 0 by then). */
  lastRecordMs = 0;

  constructor(window: QuotaWindow) {
    this.#window = window;
  }

  record(value: number, nowMs: number): void {
    this.#purge(nowMs);
    this.lastRecordMs = nowMs;
    const last = this.#samples.at(-1);
    if (last !== undefined && nowMs - last.startMs < this.#window.windowMs) {
      last.value += value;
      return;
    }
    this.#samples.push({ startMs: nowMs, value });
    if (this.#samples.length > this.#window.samples) this.#samples.shift();
  }

  /** The time the rate is measured over, in ms (Kafka's Rate.windowSize). */
  windowSizeMs(nowMs: number): number {
    this.#purge(nowMs);
    const { samples, windowMs } = this.#window;
    let elapsedMs = nowMs - (this.#samples[0]?.startMs ?? nowMs);
    const fullWindows = Math.floor(elapsedMs / windowMs);
    if (fullWindows < samples - 1) elapsedMs += (samples - 1 - fullWindows) * windowMs;
    return Math.max(elapsedMs, 1);
  }

  /** Units per second over the sampled window. */
  rate(nowMs: number): number {
    this.#purge(nowMs);
    let total = 0;
    for (const s of this.#samples) total += s.value;
    return (total * 1000) / this.windowSizeMs(nowMs);
  }

  #purge(nowMs: number): void {
    const expireMs = this.#window.samples * this.#window.windowMs;
    let drop = 0;
    while (drop < this.#samples.length && nowMs - (this.#samples[drop]?.startMs ?? nowMs) >= expireMs) drop++;
    if (drop > 0) this.#samples = this.#samples.slice(drop);
  }
}

/**
 * How long a client over its quota must wait so that its rate falls back
 * to the bound if it sends nothing more: with observed rate O, bound T
 * and window W, O * W / (W + X) = T gives X = (O - T) / T * W, at most
 * `maxMs` (Kafka bounds only its request-time quota's; byte rates pass the
 * wire's int32 limit).
 */
export function throttleTimeMs(rate: number, bound: number, windowSizeMs: number, maxMs: number): number {
  if (rate <= bound) return 0;
  return Math.min(Math.round(((rate - bound) / bound) * windowSizeMs), maxMs);
}
