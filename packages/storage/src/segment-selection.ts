/**
 * Which of a log's segments a lookup or retention picks: pure functions over
 * the sorted segment list PartitionLog owns (the last segment is the active
 * one). They only read the segments.
 */
import { assert } from '@runnel/common';
import type { LogConfig } from './log-config.ts';
import type { LogSegment } from './log-segment.ts';

/** The segment whose offsets include `offset`: the last one based at or below it (the first, below every base). */
export function segmentContaining(segments: readonly LogSegment[], offset: bigint): LogSegment {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    const segment = segments[mid];
    assert(segment !== undefined);
    if (segment.baseOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  const found = segments[lo];
  assert(found !== undefined, 'a log always has a segment');
  return found;
}

/**
 * How many segments, oldest first, retention deletes at `nowMs`: those whose
 * largest timestamp is older than retention.ms (a segment without timestamps
 * is kept by time), then more while the log would still hold at least
 * retention.bytes without them. Never the active segment, and none at all
 * unless cleanup.policy includes delete.
 */
export function segmentsPastRetention(
  segments: readonly Pick<LogSegment, 'sizeBytes' | 'maxTimestampMs'>[],
  config: Pick<LogConfig, 'retentionMs' | 'retentionBytes' | 'cleanupPolicy'>,
  nowMs: bigint,
): number {
  if (!config.cleanupPolicy.delete) return 0;
  const { retentionMs, retentionBytes } = config;
  type Sized = (typeof segments)[number];
  const deletable = (count: number): Sized | undefined => (count < segments.length - 1 ? segments[count] : undefined);
  const expired = (s: Sized) =>
    retentionMs >= 0 && s.maxTimestampMs >= 0n && nowMs - s.maxTimestampMs > BigInt(retentionMs);
  let count = 0;
  for (let s = deletable(count); s !== undefined && expired(s); s = deletable(count)) count++;
  if (retentionBytes < 0) return count;
  let excess = -retentionBytes;
  for (const segment of segments.slice(count)) excess += segment.sizeBytes;
  for (let s = deletable(count); s !== undefined && excess - s.sizeBytes >= 0; s = deletable(count)) {
    excess -= s.sizeBytes;
    count++;
  }
  return count;
}
