/**
 * Where a log's control batches (transaction markers) lie, so "how many
 * data records are there between two offsets" (consumer lag that counts
 * data only) is answered without reading record bytes: offsets taken by
 * control batches are subtracted from the offset distance.
 *
 * In memory only, per segment object: a segment's spans are found by one
 * walk over its batch headers the first time it is asked about (after an
 * open, a roll, or a compaction swap, which all bring new segment objects),
 * then kept. A sealed segment never changes, so its spans stay right until
 * the object is dropped; the active segment's spans are extended by every
 * stored control batch once they are known, and forgotten on truncation.
 * Markers are rare (one per transaction per partition), so a segment's
 * list is small.
 *
 * Owned by PartitionLog: `scan` of the active segment and `recordStored`
 * run inside its mutation queue, so no append lands during that walk.
 */
import { assert } from '@runnel/common';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_HEADER_BYTES,
} from '@runnel/protocol';
import { readAt } from './file-system.ts';
import type { LogSegment } from './log-segment.ts';

/** The offsets [baseOffset, lastOffset] of one control batch. */
export interface ControlSpan {
  readonly baseOffset: bigint;
  readonly lastOffset: bigint;
}

const windowBytes = 1024 * 1024;

/** The control batch at `pos` of `buf` as a span, or null for a data batch. */
export function controlSpanAt(buf: Buffer, pos: number): ControlSpan | null {
  if ((buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & ATTRIBUTE_CONTROL) === 0) return null;
  const baseOffset = buf.readBigInt64BE(pos + BASE_OFFSET_OFFSET);
  return { baseOffset, lastOffset: baseOffset + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET)) };
}

/** Offsets of [from, to) that control batches in `spans` take. */
export function controlOffsetsBetween(spans: readonly ControlSpan[], from: bigint, to: bigint): bigint {
  let count = 0n;
  for (const span of spans) {
    const start = span.baseOffset > from ? span.baseOffset : from;
    const end = span.lastOffset + 1n < to ? span.lastOffset + 1n : to;
    if (end > start) count += end - start;
  }
  return count;
}

/**
 * The control batches of a segment, walking its headers in 1 MiB windows;
 * a batch longer than what is left of a window costs one header read, not
 * its bytes. Null when the segment closed meanwhile.
 */
export async function scanControlSpans(segment: LogSegment): Promise<ControlSpan[] | null> {
  const result = await segment.withOpen(async () => {
    const spans: ControlSpan[] = [];
    const end = segment.sizeBytes;
    for (let position = 0; position < end; ) {
      const buf = await readAt(segment.logFile, position, Math.min(windowBytes, end - position));
      let at = 0;
      while (at + RECORD_BATCH_HEADER_BYTES <= buf.length) {
        const span = controlSpanAt(buf, at);
        if (span !== null) spans.push(span);
        at += LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH_OFFSET);
      }
      assert(at > 0, `no batch header at ${position} of segment ${segment.baseOffset}`);
      position += at;
    }
    return spans;
  });
  return result.open ? result.value : null;
}

export class ControlBatchIndex {
  readonly #spans = new WeakMap<LogSegment, ControlSpan[]>();

  /**
   * Offsets of [from, to) that control batches take in the log's
   * `segments` (read afresh for each segment, so one swapped for its
   * compacted copy meanwhile is asked about through the copy). An unknown
   * active segment is walked through `inQueue` (the log's mutation queue);
   * a segment closed meanwhile counts none.
   */
  async countBetween(
    segments: () => readonly LogSegment[],
    from: bigint,
    to: bigint,
    inQueue: (scan: () => Promise<readonly ControlSpan[] | null>) => Promise<readonly ControlSpan[] | null>,
  ): Promise<bigint> {
    let count = 0n;
    for (const listed of [...segments()]) {
      if (listed.nextOffset <= from || listed.baseOffset >= to) continue;
      const segment = segments().find((s) => s.baseOffset === listed.baseOffset) ?? listed;
      let spans: readonly ControlSpan[] | null | undefined = this.#spans.get(segment);
      if (spans === undefined) {
        const scan = () => this.scan(segment);
        spans = segment === segments().at(-1) ? await inQueue(scan) : await scan();
      }
      if (spans === null) continue;
      count += controlOffsetsBetween(spans, from, to);
    }
    return count;
  }

  /** Learns `segment`'s spans by a header walk; null when it closed meanwhile. */
  async scan(segment: LogSegment): Promise<readonly ControlSpan[] | null> {
    const known = this.#spans.get(segment);
    if (known !== undefined) return known;
    const spans = await scanControlSpans(segment);
    if (spans !== null) this.#spans.set(segment, spans);
    return spans;
  }

  /** A batch just stored at `pos` of `buf` in `segment`: extends its spans when they are known. */
  recordStored(segment: LogSegment, buf: Buffer, pos: number): void {
    const spans = this.#spans.get(segment);
    if (spans === undefined) return;
    const span = controlSpanAt(buf, pos);
    if (span !== null) spans.push(span);
  }

  /** The segment lost a tail (truncation): its spans are found again when next asked. */
  forget(segment: LogSegment): void {
    this.#spans.delete(segment);
  }
}
