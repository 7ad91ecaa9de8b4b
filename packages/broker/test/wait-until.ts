/** Waiting on a condition in the broker's socket-level tests (connections over loopback, no fixed sleeps). */

/** One turn of the event loop: lets queued I/O and promise continuations run. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Polls `condition` on each turn of the event loop until it holds (its value is returned), failing after 10 s. */
export async function waitUntil<T>(condition: () => T | undefined | false, what = 'condition'): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = condition();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await turn();
  }
}
