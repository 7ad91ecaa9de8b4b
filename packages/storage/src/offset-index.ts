/**
 * The `.index` file of a segment: sparse entries (relative offset int32,
 * file position int32), both strictly increasing. An entry says "the batch
 * whose base offset is segment base + relOffset starts at position". Lookups
 * give a floor to scan batch headers forward from.
 *
 * Owned by one LogSegment; see IndexFile for persistence and errors.
 */
import { assert } from '@runnel/common';
import type { FileSystem } from './file-system.ts';
import type { HandleCache } from './handle-cache.ts';
import { IndexFile } from './index-file.ts';

const entryBytes = 8;

export interface OffsetEntry {
  relOffset: number;
  position: number;
}

export class OffsetIndex {
  readonly #file: IndexFile;

  private constructor(file: IndexFile) {
    this.#file = file;
  }

  static async open(fs: FileSystem, path: string, handles: HandleCache, create: boolean): Promise<OffsetIndex> {
    return new OffsetIndex(await IndexFile.open(fs, path, entryBytes, handles, create));
  }

  get file(): IndexFile {
    return this.#file;
  }

  get count(): number {
    return this.#file.count;
  }

  entry(i: number): OffsetEntry {
    const b = this.#file.bytes;
    return { relOffset: b.readInt32BE(i * entryBytes), position: b.readInt32BE(i * entryBytes + 4) };
  }

  last(): OffsetEntry | null {
    return this.count === 0 ? null : this.entry(this.count - 1);
  }

  append(relOffset: number, position: number): void {
    const last = this.last();
    assert(
      last === null || (relOffset > last.relOffset && position > last.position),
      `offset index entries must increase: ${relOffset}@${position} after ${last?.relOffset}@${last?.position}`,
    );
    const at = this.#file.appendSlot();
    this.#file.bytes.writeInt32BE(relOffset, at);
    this.#file.bytes.writeInt32BE(position, at + 4);
  }

  /** Index of the last entry with relOffset <= target, or -1. */
  floorIndex(relOffset: number): number {
    const b = this.#file.bytes;
    return this.#file.lastIndexWhere((at) => b.readInt32BE(at) <= relOffset);
  }

  /** The last entry with relOffset <= target, or the segment start. */
  floor(relOffset: number): OffsetEntry {
    const i = this.floorIndex(relOffset);
    return i < 0 ? { relOffset: 0, position: 0 } : this.entry(i);
  }

  /** Keeps entries with relOffset <= target. */
  truncateAfter(relOffset: number): void {
    this.#file.truncateEntries(this.floorIndex(relOffset) + 1);
  }

  /** Keeps entries with relOffset < target. */
  truncateFrom(relOffset: number): void {
    this.truncateAfter(relOffset - 1);
  }

  /** How many leading entries are well formed: increasing, and pointing inside a log of `logBytes`. */
  validPrefix(logBytes: number): number {
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < this.count; i++) {
      const { relOffset, position } = this.entry(i);
      if (relOffset <= prevRel || position <= prevPos || position >= logBytes) return i;
      prevRel = relOffset;
      prevPos = position;
    }
    return this.count;
  }
}
