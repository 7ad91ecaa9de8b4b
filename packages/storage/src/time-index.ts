/**
 * The `.timeindex` file of a segment: sparse entries (timestamp int64,
 * relative offset int32). An entry (t, o) says "the largest batch
 * maxTimestamp up to here is t, first reached by the batch based at o", so
 * timestamps strictly increase and every batch before o has maxTimestamp < t.
 * Entries are added alongside offset index entries when the maximum grew,
 * plus one when the segment is sealed or closed, so the last entry is the
 * segment's largest timestamp.
 *
 * Owned by one LogSegment; see IndexFile for persistence and errors.
 */
import type { FileSystem } from './file-system.ts';
import type { HandleCache } from './handle-cache.ts';
import { IndexFile } from './index-file.ts';

const entryBytes = 12;

export interface TimeEntry {
  timestampMs: bigint;
  relOffset: number;
}

export class TimeIndex {
  readonly #file: IndexFile;

  private constructor(file: IndexFile) {
    this.#file = file;
  }

  static async open(fs: FileSystem, path: string, handles: HandleCache, create: boolean): Promise<TimeIndex> {
    return new TimeIndex(await IndexFile.open(fs, path, entryBytes, handles, create));
  }

  get file(): IndexFile {
    return this.#file;
  }

  get count(): number {
    return this.#file.count;
  }

  entry(i: number): TimeEntry {
    const b = this.#file.bytes;
    return { timestampMs: b.readBigInt64BE(i * entryBytes), relOffset: b.readInt32BE(i * entryBytes + 8) };
  }

  last(): TimeEntry | null {
    return this.count === 0 ? null : this.entry(this.count - 1);
  }

  /** Appends when `timestampMs` is a new maximum; otherwise the entry would add nothing. */
  maybeAppend(timestampMs: bigint, relOffset: number): void {
    const last = this.last();
    if (last !== null && (timestampMs <= last.timestampMs || relOffset < last.relOffset)) return;
    if (timestampMs < 0n) return;
    const at = this.#file.appendSlot();
    this.#file.bytes.writeBigInt64BE(timestampMs, at);
    this.#file.bytes.writeInt32BE(relOffset, at + 8);
  }

  /** The last entry with timestamp <= target, or null. */
  floor(timestampMs: bigint): TimeEntry | null {
    const b = this.#file.bytes;
    const found = this.#file.lastIndexWhere((at) => b.readBigInt64BE(at) <= timestampMs);
    return found < 0 ? null : this.entry(found);
  }

  /** Keeps entries with relOffset < target. */
  truncateFrom(relOffset: number): void {
    let n = this.count;
    while (n > 0 && this.entry(n - 1).relOffset >= relOffset) n--;
    this.#file.truncateEntries(n);
  }

  truncateEntries(count: number): void {
    this.#file.truncateEntries(count);
  }

  /** How many leading entries are well formed: timestamps increase, offsets do not decrease and stay below `relOffsetEnd`. */
  validPrefix(relOffsetEnd: number): number {
    let prevTs = -1n;
    let prevRel = 0;
    for (let i = 0; i < this.count; i++) {
      const { timestampMs, relOffset } = this.entry(i);
      if (timestampMs <= prevTs || relOffset < prevRel || relOffset >= relOffsetEnd) return i;
      prevTs = timestampMs;
      prevRel = relOffset;
    }
    return this.count;
  }
}
