/**
 * A package's own expected failures are values, not exceptions: a closed
 * union of error names, mapped to a Kafka error code at the boundary.
 */
export type Result<T, E extends string> = { ok: true; value: T } | { ok: false; error: E; message?: string };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E extends string>(error: E, message?: string): { ok: false; error: E; message?: string } =>
  message === undefined ? { ok: false, error } : { ok: false, error, message };
