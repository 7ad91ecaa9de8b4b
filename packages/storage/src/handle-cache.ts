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
 * owned by one LogSegment or IndexFile. Files in use (an I/O call in
 * flight, or held for a compaction swap) are never closed: an open that
 * finds every descriptor of the budget in use waits until one is given
 * back. limit() puts a log's other, short-lived files under the same
 * budget. When the process does run out anyway (EMFILE or ENFILE from
 * open: sockets took the rest), idle files are closed and the open is tried
 * once more; a second failure rejects that call only.
 */
import type { Logger } from '@runnel/common';
import { assert } from '@runnel/common';
import type { FileHandle, FileSystem } from './file-system.ts';

export interface HandleCacheStats {
  /** Segment files with an open descriptor now (including those in use). */
  readonly openCount: number;
  /** Other storage files open now through limit() (checkpoints, snapshots, markers). */
  readonly transientCount: number;
  /** Segment file descriptors opened since the cache was made. */
  readonly opens: number;
  /** Idle descriptors closed to stay within the budget. */
  readonly evictions: number;
  /** Opens that waited for a descriptor to be given back (every one in the budget was in use). */
  readonly waitedOpens: number;
  /** Opens that failed with EMFILE/ENFILE and were retried after closing idle files. */
  readonly exhaustedOpens: number;
}

export class HandleCache {
  readonly handlesMax: number;
  readonly #logger: Logger | null;
  /** Segment files holding a descriptor, least recently used first (Map keeps insertion order). */
  readonly #open = new Map<LazyFile, true>();
  /** Descriptors reserved by #slot (being opened), being closed, and transient ones (limit()): all count. */
  #reserved = 0;
  #closing = 0;
  #transient = 0;
  #waiters: (() => void)[] = [];
  /** File systems made by limit(), to the ones they wrap: segment files open through the inner one. */
  readonly #limited = new WeakMap<FileSystem, FileSystem>();
  #opens = 0;
  #evictions = 0;
  #waitedOpens = 0;
  #exhaustedOpens = 0;

  constructor(options: { handlesMax: number; logger?: Logger }) {
    assert(options.handlesMax >= 1, 'a handle cache needs room for one file');
    this.handlesMax = options.handlesMax;
    this.#logger = options.logger ?? null;
  }

  /** A file at `path` that opens (creating it if missing) on first use. No descriptor yet. */
  file(fs: FileSystem, path: string): LazyFile {
    return new LazyFile(this, this.#limited.get(fs) ?? fs, path);
  }

  /**
   * `fs` with every open() counted against this budget too (waiting for a
   * descriptor when it is spent), so a log's short-lived files (checkpoints,
   * snapshots, markers) cannot take the process past its limit when many
   * partitions write them at once. Segment files made with file() on it
   * are counted once.
   */
  limit(fs: FileSystem): FileSystem {
    const limited: FileSystem = {
      open: (path) => this.#openTransient(fs, path),
      readdir: (path) => fs.readdir(path),
      mkdirp: (path) => fs.mkdirp(path),
      unlink: (path) => fs.unlink(path),
      rename: (from, to) => fs.rename(from, to),
      stat: (path) => fs.stat(path),
      rmrf: (path) => fs.rmrf(path),
      // fsync of a directory opens it: one descriptor for the call.
      syncDirectory: (path) => this.#withTransient(() => fs.syncDirectory(path)),
    };
    this.#limited.set(limited, fs);
    return limited;
  }

  get stats(): HandleCacheStats {
    return {
      openCount: this.#open.size,
      transientCount: this.#transient,
      opens: this.#opens,
      evictions: this.#evictions,
      waitedOpens: this.#waitedOpens,
      exhaustedOpens: this.#exhaustedOpens,
    };
  }

  /** @internal LazyFile: marks `file` most recently used. */
  touch(file: LazyFile): void {
    if (this.#open.delete(file)) this.#open.set(file, true);
  }

  /** @internal LazyFile: opens a descriptor for `file` once the budget has room. */
  async open(file: LazyFile, fs: FileSystem, path: string): Promise<FileHandle> {
    await this.#slot();
    let handle: FileHandle;
    try {
      handle = await this.#openRetrying(fs, path);
    } finally {
      this.#reserved--;
    }
    this.#opens++;
    this.#open.set(file, true);
    return handle;
  }

  /** @internal LazyFile: a call finished, so its file may be closed for a waiting open. */
  idle(): void {
    if (this.#waiters.length > 0) this.#wake();
  }

  /** @internal LazyFile: `file` closed its descriptor itself. */
  forget(file: LazyFile): void {
    if (this.#open.delete(file)) this.#wake();
  }

  /** @internal LazyFile: `file` gave its idle descriptor back early; closed in the background. */
  closeReleased(file: LazyFile, handle: FileHandle): void {
    this.#open.delete(file);
    this.#closeInBackground(file.path, handle);
  }

  get #used(): number {
    return this.#open.size + this.#reserved + this.#closing + this.#transient;
  }

  /**
   * Resolves once one more descriptor fits in the budget, reserved for the
   * caller (counted in #reserved until the caller hands it over). The
   * reservation is taken here, in the same turn as the check: waiters woken
   * together would otherwise all see the one free descriptor. Idle files are closed, least recently used
   * first, to make room; when every descriptor is in use the open waits for
   * one to be given back. No call holds one file while opening another, so
   * the wait always ends.
   */
  async #slot(): Promise<void> {
    let waited = false;
    while (this.#used >= this.handlesMax) {
      // Closes pending cover some of the waiters; close one more idle file for each of the rest.
      if (this.#closing <= this.#waiters.length) this.#evictIdle(1);
      if (!waited) this.#waitedOpens++;
      waited = true;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#reserved++;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  async #openRetrying(fs: FileSystem, path: string): Promise<FileHandle> {
    try {
      return await fs.open(path);
    } catch (error: unknown) {
      if (!isOutOfDescriptors(error)) throw error;
      this.#exhaustedOpens++;
      // The process ran out before the budget did (sockets, other files): give back every idle descriptor.
      const closed = this.#evictIdle(this.#open.size);
      this.#logger?.warn(
        { path, openFiles: this.#open.size, closedIdle: closed, handlesMax: this.handlesMax },
        'out of file descriptors opening a log file; closed idle files and retrying',
      );
      while (this.#closing > 0) await new Promise<void>((resolve) => this.#waiters.push(resolve));
      return await fs.open(path);
    }
  }

  async #withTransient<T>(fn: () => Promise<T>): Promise<T> {
    await this.#slot();
    this.#reserved--;
    this.#transient++;
    try {
      return await fn();
    } finally {
      this.#transient--;
      this.#wake();
    }
  }

  async #openTransient(fs: FileSystem, path: string): Promise<FileHandle> {
    await this.#slot();
    this.#reserved--;
    this.#transient++;
    let handle: FileHandle;
    try {
      handle = await this.#openRetrying(fs, path);
    } catch (error) {
      this.#transient--;
      this.#wake();
      throw error;
    }
    let closed = false;
    const release = (): void => {
      if (closed) return;
      closed = true;
      this.#transient--;
      this.#wake();
    };
    return {
      read: (buffer, offset, length, position) => handle.read(buffer, offset, length, position),
      write: (data, position) => handle.write(data, position),
      writev: (buffers, position) => handle.writev(buffers, position),
      truncate: (length) => handle.truncate(length),
      sync: () => handle.sync(),
      close: () => handle.close().finally(release),
    };
  }

  /** Closes up to `count` idle descriptors, least recently used first; returns how many. */
  #evictIdle(count: number): number {
    let closed = 0;
    for (const file of this.#open.keys()) {
      if (closed >= count) break;
      const handle = file.releaseIfIdle();
      if (handle === null) continue;
      this.#open.delete(file);
      this.#evictions++;
      closed++;
      this.#closeInBackground(file.path, handle);
    }
    return closed;
  }

  #closeInBackground(path: string, handle: FileHandle): void {
    this.#closing++;
    handle
      .close()
      .catch((error: unknown) => {
        this.#logger?.warn({ path, err: String(error) }, 'closing an idle log file failed');
      })
      .finally(() => {
        this.#closing--;
        this.#wake();
      });
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
