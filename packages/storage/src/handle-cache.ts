/**
 * A budget of open file descriptors for segment files, shared by every
 * partition log of a process: segment logs and indexes are opened on first
 * use, kept open while used, and the least recently used idle ones are
 * closed when the budget is spent. A broker with tens of thousands of
 * partitions (three files per segment) then stays within a normal
 * RLIMIT_NOFILE, while hot segments (the active ones being appended to and
 * read) keep their descriptors and pay no open/close per read.
 *
 * Owned by whoever opens the logs (the broker's partition manager; a log
 * opened without one gets a cache of its own without a bound). LazyFile is
 * owned by one LogSegment or IndexFile. The budget is soft: files in use
 * (an I/O call in flight, or held for a compaction swap) are never closed,
 * so while more than `handlesMax` are in use at once the cache goes over it
 * (counted in `overBudgetOpens`). When the process does run out (EMFILE or
 * ENFILE from open), idle files are closed and the open is tried once more;
 * a second failure rejects that call only.
 */
import type { Logger } from '@runnel/common';
import { assert } from '@runnel/common';
import type { FileHandle, FileSystem } from './file-system.ts';

export interface HandleCacheStats {
  /** Files with an open descriptor now (including those in use). */
  readonly openCount: number;
  /** Descriptors opened since the cache was made. */
  readonly opens: number;
  /** Idle descriptors closed to stay within the budget. */
  readonly evictions: number;
  /** Opens made while every descriptor in the budget was in use. */
  readonly overBudgetOpens: number;
  /** Opens that failed with EMFILE/ENFILE and were retried after closing idle files. */
  readonly exhaustedOpens: number;
}

export class HandleCache {
  readonly handlesMax: number;
  readonly #logger: Logger | null;
  /** Files holding a descriptor, least recently used first (Map keeps insertion order). */
  readonly #open = new Map<LazyFile, true>();
  /** Descriptors being closed: they still count until close returns. */
  #closing = 0;
  #opens = 0;
  #evictions = 0;
  #overBudgetOpens = 0;
  #exhaustedOpens = 0;

  constructor(options: { handlesMax: number; logger?: Logger }) {
    assert(options.handlesMax >= 1, 'a handle cache needs room for one file');
    this.handlesMax = options.handlesMax;
    this.#logger = options.logger ?? null;
  }

  /** A file at `path` that opens (creating it if missing) on first use. No descriptor yet. */
  file(fs: FileSystem, path: string): LazyFile {
    return new LazyFile(this, fs, path);
  }

  get stats(): HandleCacheStats {
    return {
      openCount: this.#open.size,
      opens: this.#opens,
      evictions: this.#evictions,
      overBudgetOpens: this.#overBudgetOpens,
      exhaustedOpens: this.#exhaustedOpens,
    };
  }

  /** @internal LazyFile: marks `file` most recently used. */
  touch(file: LazyFile): void {
    if (this.#open.delete(file)) this.#open.set(file, true);
  }

  /** @internal LazyFile: opens a descriptor for `file`, making room first. */
  async open(file: LazyFile, fs: FileSystem, path: string): Promise<FileHandle> {
    this.#makeRoom(1);
    if (this.#open.size >= this.handlesMax) this.#overBudgetOpens++;
    let handle: FileHandle;
    try {
      handle = await fs.open(path);
    } catch (error: unknown) {
      if (!isOutOfDescriptors(error)) throw error;
      this.#exhaustedOpens++;
      // The process ran out before the budget did (sockets, other files): give back every idle descriptor.
      const closed = this.#makeRoom(1, 0);
      this.#logger?.warn(
        { path, openFiles: this.#open.size, closedIdle: closed, handlesMax: this.handlesMax },
        'out of file descriptors opening a segment file; closed idle files and retrying',
      );
      await this.#drained();
      handle = await fs.open(path);
    }
    this.#opens++;
    this.#open.set(file, true);
    // Opens that ran concurrently each made room for one: trim back to the budget now they are all counted.
    this.#makeRoom(0);
    return handle;
  }

  /** @internal LazyFile: a call finished; files kept open past the budget by calls in flight may close now. */
  idle(): void {
    if (this.#open.size > this.handlesMax) this.#makeRoom(0);
  }

  /** @internal LazyFile: `file` closed its descriptor itself. */
  forget(file: LazyFile): void {
    this.#open.delete(file);
  }

  /** @internal LazyFile: `file` gave its idle descriptor back early; closed in the background. */
  closeReleased(file: LazyFile, handle: FileHandle): void {
    this.#open.delete(file);
    this.#closeInBackground(file, handle);
  }

  /**
   * Closes idle descriptors, least recently used first, until `wanted` more
   * fit; returns how many it closed. Closes finish in the background (the
   * budget leaves headroom below the process limit for those few).
   */
  #makeRoom(wanted: number, handlesMax = this.handlesMax): number {
    let closed = 0;
    for (const file of this.#open.keys()) {
      if (this.#open.size + wanted <= handlesMax) break;
      const handle = file.releaseIfIdle();
      if (handle === null) continue;
      this.#open.delete(file);
      this.#evictions++;
      closed++;
      this.#closeInBackground(file, handle);
    }
    return closed;
  }

  #closeInBackground(file: LazyFile, handle: FileHandle): void {
    this.#closing++;
    handle
      .close()
      .catch((error: unknown) => {
        this.#logger?.warn({ path: file.path, err: String(error) }, 'closing an idle segment file failed');
      })
      .finally(() => {
        this.#closing--;
        this.#onDrained();
      });
  }

  #waiters: (() => void)[] = [];
  #drained(): Promise<void> {
    if (this.#closing === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  #onDrained(): void {
    if (this.#closing > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** A cache for one log opened on its own: files open lazily and are never closed for the budget. */
export function unboundedHandleCache(): HandleCache {
  return new HandleCache({ handlesMax: Number.MAX_SAFE_INTEGER });
}

function isOutOfDescriptors(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'EMFILE' || error.code === 'ENFILE');
}

/**
 * A FileHandle whose descriptor the HandleCache opens on demand and may
 * close while no call is using it. Positional I/O makes a reopened file
 * indistinguishable from the first one, as long as the path still names
 * the same file: the owner calls hold() before renaming another file over
 * it (a compaction swap), and never uses it after close().
 */
export class LazyFile implements FileHandle {
  readonly path: string;
  readonly #cache: HandleCache;
  readonly #fs: FileSystem;
  #handle: FileHandle | null = null;
  #opening: Promise<FileHandle> | null = null;
  /** Calls in flight (plus one while held): the descriptor stays open while above zero. */
  #users = 0;
  #held = false;
  #closed = false;

  constructor(cache: HandleCache, fs: FileSystem, path: string) {
    this.#cache = cache;
    this.#fs = fs;
    this.path = path;
  }

  /** Whether a descriptor is open now (tests and metrics). */
  get isOpen(): boolean {
    return this.#handle !== null;
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.#use((h) => h.read(buffer, offset, length, position));
  }
  write(data: Buffer, position: number): Promise<void> {
    return this.#use((h) => h.write(data, position));
  }
  writev(buffers: readonly Buffer[], position: number): Promise<void> {
    return this.#use((h) => h.writev(buffers, position));
  }
  truncate(length: number): Promise<void> {
    return this.#use((h) => h.truncate(length));
  }
  sync(): Promise<void> {
    return this.#use((h) => h.sync());
  }

  /** Closes the descriptor now if no call is using it; the file stays usable and opens again when used. */
  release(): void {
    if (this.#held) return;
    const handle = this.releaseIfIdle();
    if (handle !== null) this.#cache.closeReleased(this, handle);
  }

  /** Opens the descriptor now (creating the file if missing), leaving it in the cache. */
  async touch(): Promise<void> {
    await this.#use(async () => undefined);
  }

  /**
   * Keeps the descriptor open until close(), whatever the budget: reads in
   * flight must finish on this file after another is renamed over its path.
   */
  async hold(): Promise<void> {
    if (this.#held) return;
    this.#held = true;
    this.#users++;
    await this.#acquire();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const handle = this.#handle ?? (this.#opening === null ? null : await this.#opening.catch(() => null));
    this.#handle = null;
    this.#cache.forget(this);
    if (handle !== null) await handle.close();
  }

  /** @internal HandleCache: gives up the descriptor if no call is using it. */
  releaseIfIdle(): FileHandle | null {
    if (this.#users > 0 || this.#handle === null) return null;
    const handle = this.#handle;
    this.#handle = null;
    return handle;
  }

  async #use<T>(fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    assert(!this.#closed, `use of closed file ${this.path}`);
    this.#users++;
    try {
      return await fn(await this.#acquire());
    } finally {
      this.#users--;
      if (this.#users === 0) this.#cache.idle();
    }
  }

  async #acquire(): Promise<FileHandle> {
    if (this.#handle !== null) {
      this.#cache.touch(this);
      return this.#handle;
    }
    if (this.#opening === null) {
      this.#opening = this.#cache.open(this, this.#fs, this.path).then(
        (handle) => {
          this.#handle = handle;
          this.#opening = null;
          return handle;
        },
        (error: unknown) => {
          this.#opening = null;
          throw error;
        },
      );
    }
    return this.#opening;
  }
}
