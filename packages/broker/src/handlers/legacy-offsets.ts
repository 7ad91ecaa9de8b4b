/**
 * ListOffsets v0's answer, pure: up to maxNumOffsets offsets, newest first,
 * from the log's segment boundaries. Each segment contributes its base
 * offset (never below the log start), stamped with its newest record's
 * time; a log with records past its last segment's base adds its end,
 * stamped now. Latest (-1) starts from the newest point, earliest (-2)
 * from the oldest, a time from the newest point stamped at or before it.
 * A consumer never sees past the high watermark: points above it collapse
 * into the high watermark. Kafka kept segment file times for this; Runnel
 * uses the segments' largest record timestamps, the same thing for logs
 * written in time order.
 */

export interface SegmentTime {
  baseOffset: bigint;
  maxTimestampMs: bigint;
}

export interface LegacyOffsetsInput {
  segments: readonly SegmentTime[];
  logStartOffset: bigint;
  logEndOffset: bigint;
  /** Null for a follower or debugging tool, which may see the whole log. */
  highWatermark: bigint | null;
  timestamp: bigint;
  maxNumOffsets: number;
  nowMs: bigint;
}

const latest = -1n;

/** Math.max for bigints. */
function atLeast(value: bigint, floor: bigint): bigint {
  return value < floor ? floor : value;
}

const earliest = -2n;

export function legacyOffsets(input: LegacyOffsetsInput): bigint[] {
  const points = input.segments.map((s) => ({
    offset: atLeast(s.baseOffset, input.logStartOffset),
    timeMs: s.maxTimestampMs,
  }));
  const last = input.segments.at(-1);
  if (last === undefined || input.logEndOffset > last.baseOffset) {
    points.push({ offset: input.logEndOffset, timeMs: input.nowMs });
  }
  let start: number;
  if (input.timestamp === latest) start = points.length - 1;
  else if (input.timestamp === earliest) start = 0;
  else start = points.findLastIndex((p) => p.timeMs <= input.timestamp);
  const offsets: bigint[] = [];
  for (let i = start; i >= 0 && offsets.length < input.maxNumOffsets; i--)
    offsets.push((points[i] as (typeof points)[number]).offset);
  const hw = input.highWatermark;
  if (hw === null || !offsets.some((o) => o > hw)) return offsets;
  return [hw, ...offsets.filter((o) => o <= hw)];
}
