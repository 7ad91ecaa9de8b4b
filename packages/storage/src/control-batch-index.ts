/**
 * Where a log's control batches (transaction markers) lie, so "how many
 * data records are there between two offsets" (consumer lag that counts
 * data only) is answered without reading record bytes: offsets taken by
 * control batches are subtracted from the offset distance.
 *
 * In memory only, per segment object, and only for the segments a count
 * has touched: a segment's spans are found by one walk over its batch
 * headers the first time a range reaches into it (after an open, a roll,
 * or a compaction swap, which all bring new segment objects), then kept.
 * A consumer near the log end so only ever loads the newest segments. A
 * sealed segment never changes, so its spans stay right until the object
 * is dropped; the active segment's spans are extended by every stored
 * control batch once they are known, and forgotten on truncation.
 *
 * A segment's spans are offsets relative to its base (int32: a segment
 * never spans more) in growable typed arrays with running totals, 12
 * bytes per marker; a count is two binary searches per segment.
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

const windowBytes = 1024 * 1024;
const initialCapacity = 16;

/**
 * The control batches of one segment, in offset order: [base, last] of
 * each relative to the segment's base, and how many offsets the ones
 * before each take.
 */
export class SegmentControlSpans {
  readonly segmentBase: bigint;
  #count = 0;
  #bases = new Int32Array(initialCapacity);
  #lasts = new Int32Array(initialCapacity);
  /** #before[i]: offsets taken by spans 0..i-1 (fits: a segment holds < 2^31 offsets). */
  #before = new Float64Array(initialCapacity + 1);

  constructor(segmentBase: bigint) {
    this.segmentBase = segmentBase;
  }

  get size(): number {
    return this.#count;
  }

  /** Adds the control batch [baseOffset, lastOffset], after every span already held. */
  push(baseOffset: bigint, lastOffset: bigint): void {
    const base = Number(baseOffset - this.segmentBase);
    const last = Number(lastOffset - this.segmentBase);
    const previous = this.#count > 0 ? this.#lasts[this.#count - 1] : -1;
    assert(base > (previous ?? -1) && last >= base && last <= 0x7fffffff, `control span ${baseOffset} out of order`);
    if (this.#count === this.#bases.length) this.#grow();
    this.#bases[this.#count] = base;
    this.#lasts[this.#count] = last;
    this.#before[this.#count + 1] = (this.#before[this.#count] ?? 0) + (last - base + 1);
    this.#count++;
  }

  /** Offsets of [from, to) that these control batches take. */
  countBetween(from: bigint, to: bigint): bigint {
    const fromRel = clampRel(from - this.segmentBase);
    const toRel = clampRel(to - this.segmentBase);
    if (toRel <= fromRel || this.#count === 0) return 0n;
    // Spans i..j-1 reach into the range: i is the first ending at or after it, j the first starting past it.
    const i = this.#firstIndex((k) => (this.#lasts[k] ?? 0) >= fromRel);
    const j = this.#firstIndex((k) => (this.#bases[k] ?? 0) >= toRel);
    if (i >= j) return 0n;
    let total = (this.#before[j] ?? 0) - (this.#before[i] ?? 0);
    total -= Math.max(0, fromRel - (this.#bases[i] ?? 0));
    total -= Math.max(0, (this.#lasts[j - 1] ?? 0) + 1 - toRel);
    return BigInt(total);
  }

  /** The first index whose span satisfies `past` (monotone over the spans), or the count. */
  #firstIndex(past: (k: number) => boolean): number {
    let low = 0;
    let high = this.#count;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (past(mid)) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  #grow(): void {
    const bases = new Int32Array(this.#bases.length * 2);
    const lasts = new Int32Array(this.#lasts.length * 2);
    const before = new Float64Array(this.#lasts.length * 2 + 1);
    bases.set(this.#bases);
    lasts.set(this.#lasts);
    before.set(this.#before);
    this.#bases = bases;
    this.#lasts = lasts;
    this.#before = before;
  }
}

/** A relative offset clamped to [0, 2^31]: ranges reaching past a segment count only its part. */
function clampRel(rel: bigint): number {
  if (rel < 0n) return 0;
  return rel > 0x80000000n ? 0x80000000 : Number(rel);
}

function isControlAt(buf: Buffer, pos: number): boolean {
  return (buf.readInt16BE(pos + ATTRIBUTES_OFFSET) & ATTRIBUTE_CONTROL) !== 0;
}

function pushControlAt(spans: SegmentControlSpans, buf: Buffer, pos: number): void {
  const base = buf.readBigInt64BE(pos + BASE_OFFSET_OFFSET);
  spans.push(base, base + BigInt(buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET)));
}

/**
 * The control batches of a segment, walking its headers in 1 MiB windows;
 * a batch longer than what is left of a window costs one header read, not
 * its bytes. Null when the segment closed meanwhile.
 */
export async function scanControlSpans(segment: LogSegment): Promise<SegmentControlSpans | null> {
  const result = await segment.withOpen(async () => {
    const spans = new SegmentControlSpans(segment.baseOffset);
    const end = segment.sizeBytes;
    for (let position = 0; position < end; ) {
      const buf = await readAt(segment.logFile, position, Math.min(windowBytes, end - position));
      let at = 0;
      while (at + RECORD_BATCH_HEADER_BYTES <= buf.length) {
        if (isControlAt(buf, at)) pushControlAt(spans, buf, at);
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
  readonly #spans = new WeakMap<LogSegment, SegmentControlSpans>();

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
    inQueue: (scan: () => Promise<SegmentControlSpans | null>) => Promise<SegmentControlSpans | null>,
  ): Promise<bigint> {
    let count = 0n;
    for (const listed of [...segments()]) {
      if (listed.nextOffset <= from || listed.baseOffset >= to) continue;
      const segment = segments().find((s) => s.baseOffset === listed.baseOffset) ?? listed;
      let spans: SegmentControlSpans | null | undefined = this.#spans.get(segment);
      if (spans === undefined) {
        const scan = () => this.scan(segment);
        spans = segment === segments().at(-1) ? await inQueue(scan) : await scan();
      }
      if (spans !== null) count += spans.countBetween(from, to);
    }
    return count;
  }

  /** Learns `segment`'s spans by a header walk; null when it closed meanwhile. */
  async scan(segment: LogSegment): Promise<SegmentControlSpans | null> {
    const known = this.#spans.get(segment);
    if (known !== undefined) return known;
    const spans = await scanControlSpans(segment);
    if (spans !== null) this.#spans.set(segment, spans);
    return spans;
  }

  /** A batch just stored at `pos` of `buf` in `segment`: extends its spans when they are known. */
  recordStored(segment: LogSegment, buf: Buffer, pos: number): void {
    const spans = this.#spans.get(segment);
    if (spans !== undefined && isControlAt(buf, pos)) pushControlAt(spans, buf, pos);
  }

  /** The segment lost a tail (truncation): its spans are found again when next asked. */
  forget(segment: LogSegment): void {
    this.#spans.delete(segment);
  }
}
