/** Polls `condition` until it holds or the deadline passes; the test fails with `what` on timeout. */
export async function waitFor(what: string, condition: () => boolean, deadlineMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
