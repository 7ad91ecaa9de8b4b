/**
 * The FileSystem seam: exactly the file operations the partition log needs,
 * so tests can swap in FaultyFileSystem (torn writes, lost unsynced data,
 * corrupt bytes) and production uses nodeFileSystem.
 *
 * Writes are positional: the log tracks its own file sizes, so "append" is a
 * write at the current end. Failures surface as rejected promises carrying
 * the platform error (ENOENT, EIO, ...); the log treats them as fatal for
 * the operation that hit them.
 */
import { constants, writeSync, writevSync } from 'node:fs';
import type { FileHandle as NodeFileHandle } from 'node:fs/promises';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';

export interface FileHandle {
  /** Reads up to `length` bytes at `position` into `buffer[offset..]`; returns how many were read (short at EOF). */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Writes all of `data` at `position`. */
  write(data: Buffer, position: number): Promise<void>;
  /** Writes all `buffers` back to back starting at `position`. */
  writev(buffers: readonly Buffer[], position: number): Promise<void>;
  truncate(length: number): Promise<void>;
  /** fsync: what was written so far survives a power cut once this resolves. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface FileStat {
  sizeBytes: number;
  isDirectory: boolean;
}

export interface FileSystem {
  /** Opens for reading and writing, creating an empty file if missing. */
  open(path: string): Promise<FileHandle>;
  /** Entry names in a directory (not paths). */
  readdir(path: string): Promise<string[]>;
  /** mkdir -p. */
  mkdirp(path: string): Promise<void>;
  unlink(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** null when nothing exists at `path`. */
  stat(path: string): Promise<FileStat | null>;
  /** rm -rf. */
  rmrf(path: string): Promise<void>;
  /** fsync of a directory: entries created, renamed or unlinked in it so far survive a power cut. */
  syncDirectory(path: string): Promise<void>;
}

/**
 * Writes up to this size are made on the event loop (writeSync) rather
 * than handed to libuv's thread pool. A small append to the page cache
 * takes ~10-20 µs, less than the hand-off: waking a pool thread, which on
 * a busy 2-core machine often preempts the JavaScript thread, and waking
 * the loop again for the completion. At acks=all and 20 MB/s (small
 * batches, a write per partition per produce on the leader and on every
 * follower) that hand-off was the largest single item on a broker's
 * JavaScript thread, and making small writes synchronous took delivery
 * p99 from 13-16 ms to 11.6-12.0 ms (BENCHMARKS.md, "Small appends on the
 * event loop"). Kafka's request handlers write the same way. Larger writes
 * (full-speed produce batches, segment copies) stay in the pool, where
 * they overlap with the loop's other work. A disk that blocks small writes
 * (dirty-page throttling) now stalls the loop for as long, as it would
 * stall every pool thread behind it before.
 */
const syncWriteBytesMax = 64 * 1024;

class NodeFile implements FileHandle {
  readonly #handle: NodeFileHandle;
  constructor(handle: NodeFileHandle) {
    this.#handle = handle;
  }
  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    let done = 0;
    // pread may return short reads before EOF; only a 0-byte read means EOF.
    while (done < length) {
      const { bytesRead } = await this.#handle.read(buffer, offset + done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  }
  async write(data: Buffer, position: number): Promise<void> {
    let done = 0;
    if (data.length <= syncWriteBytesMax) {
      while (done < data.length) done += writeSync(this.#handle.fd, data, done, data.length - done, position + done);
      return;
    }
    while (done < data.length) {
      const { bytesWritten } = await this.#handle.write(data, done, data.length - done, position + done);
      done += bytesWritten;
    }
  }
  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    const bytesWritten =
      total <= syncWriteBytesMax
        ? writevSync(this.#handle.fd, buffers as Buffer[], position)
        : (await this.#handle.writev(buffers as Buffer[], position)).bytesWritten;
    if (bytesWritten < total) {
      // Rare short writev: finish the remainder with plain writes.
      let skip = bytesWritten;
      let at = position + bytesWritten;
      for (const b of buffers) {
        if (skip >= b.length) {
          skip -= b.length;
          continue;
        }
        const rest = b.subarray(skip);
        skip = 0;
        await this.write(rest, at);
        at += rest.length;
      }
    }
  }
  truncate(length: number): Promise<void> {
    return this.#handle.truncate(length);
  }
  sync(): Promise<void> {
    return this.#handle.sync();
  }
  close(): Promise<void> {
    return this.#handle.close();
  }
}

/** The real disk, through node:fs/promises. */
export const nodeFileSystem: FileSystem = {
  async open(path) {
    return new NodeFile(await open(path, constants.O_RDWR | constants.O_CREAT, 0o644));
  },
  readdir: (path) => readdir(path),
  async mkdirp(path) {
    await mkdir(path, { recursive: true });
  },
  unlink: (path) => unlink(path),
  rename: (from, to) => rename(from, to),
  async stat(path) {
    try {
      const s = await stat(path);
      return { sizeBytes: s.size, isDirectory: s.isDirectory() };
    } catch (error: unknown) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw error;
    }
  },
  rmrf: (path) => rm(path, { recursive: true, force: true }),
  async syncDirectory(path) {
    const dir = await open(path, constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  },
};

/** Reads exactly `length` bytes at `position`, or fewer only at end of file. */
/** Where a read's bytes go: a buffer of exactly `sizeBytes` the caller then owns (a broker passes recycled memory). */
export type ReadBuffer = (sizeBytes: number) => Buffer;

export const allocateReadBuffer: ReadBuffer = (sizeBytes) => Buffer.allocUnsafe(sizeBytes);

export async function readAt(
  file: FileHandle,
  position: number,
  length: number,
  allocate: ReadBuffer = allocateReadBuffer,
): Promise<Buffer> {
  const buffer = allocate(length);
  const n = await file.read(buffer, 0, length, position);
  return n === length ? buffer : buffer.subarray(0, n);
}
