/**
 * Invariant checks that stay on in production. A failed assert is a bug in
 * Runnel, never bad input: it throws AssertionError and the process is
 * expected to crash rather than go on with corrupt state.
 */
export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new AssertionError(message);
}

export function unreachable(value: never, message = 'unreachable'): never {
  throw new AssertionError(`${message}: ${String(value)}`);
}
