/**
 * A sparse index file of fixed-size big-endian entries, held fully in memory
 * (indexes are small: one entry per index.interval.bytes of log) so lookups
 * never touch the disk. New entries are buffered and written in one call by
 * persist(); the file is derived data, so recovery validates it and rebuilds
 * it from the log whenever it is missing, short or inconsistent.
 *
 * The file's descriptor comes from the HandleCache (handle-cache.ts): an
 * existing index is read once at open and its descriptor given back at once,
 * since lookups never read the file again; it is opened again only to
 * persist. A missing file is created by the first persist or sync (or at
 * open, for a new segment).
 *
 * Owned by one LogSegment. After a failed persist() the in-memory entries are
 * still right; the segment's owner treats the I/O error as fatal for the log.
 */
import { assert } from '@runnel/common';
import { type FileSystem, readAt } from './file-system.ts';
import type { HandleCache, LazyFile } from './handle-cache.ts';

export class IndexFile {
  readonly path: string;
  readonly entryBytes: number;
  readonly #file: LazyFile;
  #bytes: Buffer;
  #count: number;
  /** Entries known to be in the file. */
  #writtenCount: number;
  /** The file's real size; may hold a partial or stale tail until the next persist. */
  #fileBytes: number;

  private constructor(path: string, entryBytes: number, file: LazyFile, bytes: Buffer, fileBytes: number) {
    this.path = path;
    this.entryBytes = entryBytes;
    this.#file = file;
    this.#bytes = bytes;
    this.#count = Math.floor(fileBytes / entryBytes);
    this.#writtenCount = this.#count;
    this.#fileBytes = fileBytes;
  }

  /**
   * Loads every whole entry (validation is the caller's job), keeping no
   * descriptor open; `create` makes the file now if it is missing.
   */
  static async open(
    fs: FileSystem,
    path: string,
    entryBytes: number,
    handles: HandleCache,
    create: boolean,
  ): Promise<IndexFile> {
    const fileBytes = (await fs.stat(path))?.sizeBytes ?? 0;
    const file = handles.file(fs, path);
    let loaded: Buffer = Buffer.alloc(0);
    if (fileBytes > 0) {
      loaded = await readAt(file, 0, fileBytes);
      // Lookups use the copy in memory: the descriptor is not needed again until a persist.
      file.release();
    } else if (create) {
      // Created now, as a new segment's files always were; written only every few dozen entries.
      await file.touch();
      file.release();
    }
    const bytes = Buffer.alloc(Math.max(entryBytes * 64, fileBytes * 2));
    loaded.copy(bytes, 0);
    return new IndexFile(path, entryBytes, file, bytes, loaded.length);
  }

  get count(): number {
    return this.#count;
  }

  /** The in-memory entries; entry i starts at i * entryBytes. Valid until the next append. */
  get bytes(): Buffer {
    return this.#bytes;
  }

  /** Makes room for one more entry and returns its byte position in `bytes`. */
  appendSlot(): number {
    const at = this.#count * this.entryBytes;
    if (at + this.entryBytes > this.#bytes.length) {
      const grown = Buffer.alloc(this.#bytes.length * 2);
      this.#bytes.copy(grown, 0, 0, at);
      this.#bytes = grown;
    }
    this.#count++;
    return at;
  }

  /**
   * Binary search: the index of the last entry for which `atMost` holds, or
   * -1. `atMost` gets the entry's byte position in `bytes` and must hold for
   * a prefix of the entries (true for sorted keys <= a target).
   */
  lastIndexWhere(atMost: (entryStart: number) => boolean): number {
    let lo = 0;
    let hi = this.#count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (atMost(mid * this.entryBytes)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Keeps the first `count` entries. */
  truncateEntries(count: number): void {
    assert(count >= 0 && count <= this.#count, `index truncate to ${count} of ${this.#count}`);
    this.#count = count;
    this.#writtenCount = Math.min(this.#writtenCount, count);
  }

  /** Whether the file holds exactly the in-memory entries: all written, no partial or stale tail. */
  get inSyncWithFile(): boolean {
    return this.#writtenCount === this.#count && this.#fileBytes === this.#count * this.entryBytes;
  }

  /** Number of entries not yet written to the file. */
  get pendingCount(): number {
    return this.#count - this.#writtenCount;
  }

  /** Writes buffered entries (and drops a stale tail) in at most two calls. */
  async persist(): Promise<void> {
    const writtenBytes = this.#writtenCount * this.entryBytes;
    if (this.#fileBytes !== writtenBytes) {
      await this.#file.truncate(writtenBytes);
      this.#fileBytes = writtenBytes;
    }
    const count = this.#count;
    const endBytes = count * this.entryBytes;
    if (endBytes !== writtenBytes) {
      // Copy out: the in-memory buffer may grow (and be replaced) while the write is in flight.
      await this.#file.write(Buffer.from(this.#bytes.subarray(writtenBytes, endBytes)), writtenBytes);
      this.#writtenCount = count;
      this.#fileBytes = endBytes;
    }
    // Persists come every few dozen entries: an index holds no descriptor in between.
    this.#file.release();
  }

  async sync(): Promise<void> {
    await this.persist();
    await this.#file.sync();
    this.#file.release();
  }

  async close(): Promise<void> {
    await this.#file.close();
  }
}
