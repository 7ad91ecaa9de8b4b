/**
 * The leader's most recent appends, kept in memory so a caught-up follower
 * is answered without touching the file: no offset lookup, no header reads,
 * no read into a fresh buffer (each a thread-pool round trip and garbage).
 * Under acks=all that read sits on every produce's critical path.
 *
 * The buffers are the very ones the log wrote: the log rewrites baseOffset
 * and partitionLeaderEpoch in place before writing and never copies, so an
 * entry is byte for byte what a file read would return. Entries are only
 * added once their append is complete, so nothing here is past the
 * tracker's log end.
 *
 * The bytes are usually a view into a recycled request frame (FramePool):
 * each entry holds its own claim on them, released when it is evicted or
 * cleared, and a reader that keeps what `read` returned past the current
 * tick takes a claim of its own (readForFollower does).
 *
 * Owned by a Partition for one leadership (one ReplicaTracker): cleared and
 * dropped with it, so a truncation (only ever done as follower) can never
 * leave stale bytes here. Anything not found here is read from the log as
 * before.
 */
import { type FrameClaim, retainFrame } from '../network/frame-pool.ts';

interface Entry {
  readonly baseOffset: bigint;
  /** One past the last offset of the entry. */
  readonly endOffset: bigint;
  readonly bytes: Buffer;
  /** This entry's claim on `bytes` when they are a pooled frame's. */
  readonly claim: FrameClaim | null;
}

/** Entries above this many bytes are left to the file read path (a fetch response must fit one gRPC message). */
const entryBytesMax = 4 * 1024 * 1024;

export class LeaderTailCache {
  readonly #bytesMax: number;
  readonly #entries: Entry[] = [];
  /** Index of the oldest live entry; the array is compacted now and then rather than shifted per eviction. */
  #head = 0;
  #bytes = 0;

  constructor(bytesMax: number) {
    this.#bytesMax = bytesMax;
  }

  get sizeBytes(): number {
    return this.#bytes;
  }

  /** Records a completed append of `bytes` holding offsets [baseOffset, endOffset). */
  add(baseOffset: bigint, endOffset: bigint, bytes: Buffer): void {
    const last = this.#entries.at(-1);
    // Not contiguous with what we hold (an append we did not see): start over from this one.
    if (last !== undefined && last.endOffset !== baseOffset) this.clear();
    if (bytes.length > entryBytesMax || bytes.length > this.#bytesMax) {
      this.clear();
      return;
    }
    this.#entries.push({ baseOffset, endOffset, bytes, claim: retainFrame(bytes) });
    this.#bytes += bytes.length;
    while (this.#bytes > this.#bytesMax) this.#evictOldest();
  }

  /** Drops entries wholly below `offset` (every ISR member has them: the high watermark). */
  trimBelow(offset: bigint): void {
    for (;;) {
      const oldest = this.#entries[this.#head];
      if (oldest === undefined || oldest.endOffset > offset) return;
      this.#evictOldest();
    }
  }

  /**
   * The cached batches from `offset` on, whole entries up to `maxBytes` (at
   * least one), none at or past `maxOffset`; null when `offset` does not
   * start a cached entry, so the caller reads the log instead.
   */
  read(offset: bigint, maxBytes: number, maxOffset: bigint): Buffer[] | null {
    let i = this.#head;
    // Followers fetch from the oldest entries; the scan is short because trimBelow keeps the cache to the unreplicated tail.
    while (i < this.#entries.length && (this.#entries[i] as Entry).baseOffset < offset) i++;
    const first = this.#entries[i];
    if (first === undefined || first.baseOffset !== offset || first.endOffset > maxOffset) return null;
    const out = [first.bytes];
    let bytes = first.bytes.length;
    for (let j = i + 1; j < this.#entries.length; j++) {
      const next = this.#entries[j] as Entry;
      if (next.endOffset > maxOffset || bytes + next.bytes.length > maxBytes) break;
      out.push(next.bytes);
      bytes += next.bytes.length;
    }
    return out;
  }

  /** Drops every entry, releasing their claims. */
  clear(): void {
    for (let i = this.#head; i < this.#entries.length; i++) this.#entries[i]?.claim?.release();
    this.#entries.length = 0;
    this.#head = 0;
    this.#bytes = 0;
  }

  #evictOldest(): void {
    const oldest = this.#entries[this.#head];
    if (oldest === undefined) return;
    this.#bytes -= oldest.bytes.length;
    oldest.claim?.release();
    this.#head++;
    if (this.#head === this.#entries.length) this.clear();
    else if (this.#head >= 64 && this.#head * 2 >= this.#entries.length) {
      this.#entries.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
