/**
 * Timers as a parameter, like the Clock: the coordinator asks to be woken,
 * tests decide when that happens.
 */

export interface GroupTimers {
  /** Calls `fire` once after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, fire: () => void): () => void;
}

/** Node's timers, unref'd so a coordinator never keeps the process alive by itself. */
export const realGroupTimers: GroupTimers = {
  schedule(delayMs, fire) {
    const timer = setTimeout(fire, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
