/**
 * How many segment files the broker keeps open at once (log.open.files.max,
 * Runnel's): an explicit value, or half the process's soft RLIMIT_NOFILE so
 * the other half stays for client connections, replication streams, the
 * controller channel, the HTTP endpoints and short-lived files
 * (checkpoints, snapshots). Node has no getrlimit; Linux shows the limit in
 * /proc/self/limits. The cache behind it is @runnel/storage's HandleCache.
 */
import { readFileSync } from 'node:fs';

/** The smallest budget: a broker needs a few files open at once to serve anything. */
export const segmentFilesMin = 16;
/** Used when the process limit is unknown or unlimited. */
export const segmentFilesWithoutLimit = 10_000;

/** The soft "Max open files" limit in /proc/<pid>/limits text; null when absent or unlimited. */
export function parseOpenFilesLimit(limits: string): number | null {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits);
  const soft = match?.[1];
  if (soft === undefined || soft === 'unlimited') return null;
  const n = Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** The soft RLIMIT_NOFILE of this process, or null where /proc does not tell (not Linux). */
export function readOpenFilesLimit(): number | null {
  try {
    return parseOpenFilesLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return null;
  }
}

/** The budget: `configured` when positive (log.open.files.max), else half the soft limit. */
export function segmentFilesBudget(configured: number, softLimit: number | null): number {
  if (configured > 0) return Math.max(segmentFilesMin, configured);
  if (softLimit === null) return segmentFilesWithoutLimit;
  return Math.max(segmentFilesMin, Math.floor(softLimit / 2));
}

/**
 * Descriptors kept for everything that is neither a segment file nor a
 * client connection: the HTTP endpoints (/healthz, /readyz, /metrics and
 * their clients), the controller channel, replication streams, the
 * controller's store and the gateway in `runnel dev`, pipes and Node's own.
 */
export const otherFilesReserve = 64;

/**
 * Client connections the Kafka listener accepts: max.connections, but no
 * more than the descriptors left once segment files and the reserve are
 * counted, so a flood of connections cannot take the descriptors /healthz
 * and shutdown need (an accept past the process limit fails silently and
 * answers nobody).
 */
export function connectionsWithinLimit(configured: number, softLimit: number | null, segmentFiles: number): number {
  if (softLimit === null) return configured;
  return Math.min(configured, Math.max(1, softLimit - segmentFiles - otherFilesReserve));
}
