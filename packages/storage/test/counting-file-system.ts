/**
 * A FileSystem wrapper that counts what the log does to `.log` files: write
 * and writev calls (with the most buffers one writev carried), read calls
 * and bytes read. Tests use it to observe coalesced appends and skipped rescans
 * without timing anything.
 */
import type { FileHandle, FileStat, FileSystem } from '../src/file-system.ts';

export interface LogFileCounts {
  writes: number;
  writevs: number;
  writevBuffersMax: number;
  /** read calls, and the bytes they returned. */
  reads: number;
  readBytes: number;
}

export class CountingFileSystem implements FileSystem {
  readonly inner: FileSystem;
  counts: LogFileCounts = zeroCounts();

  constructor(inner: FileSystem) {
    this.inner = inner;
  }

  reset(): void {
    this.counts = zeroCounts();
  }

  async open(path: string): Promise<FileHandle> {
    const file = await this.inner.open(path);
    if (!path.endsWith('.log')) return file;
    return {
      read: async (buffer, offset, length, position) => {
        const n = await file.read(buffer, offset, length, position);
        this.counts.reads++;
        this.counts.readBytes += n;
        return n;
      },
      write: (data, position) => {
        this.counts.writes++;
        return file.write(data, position);
      },
      writev: (buffers, position) => {
        this.counts.writevs++;
        this.counts.writevBuffersMax = Math.max(this.counts.writevBuffersMax, buffers.length);
        return file.writev(buffers, position);
      },
      truncate: (length) => file.truncate(length),
      sync: () => file.sync(),
      close: () => file.close(),
    };
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  mkdirp(path: string): Promise<void> {
    return this.inner.mkdirp(path);
  }
  unlink(path: string): Promise<void> {
    return this.inner.unlink(path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.inner.rename(from, to);
  }
  stat(path: string): Promise<FileStat | null> {
    return this.inner.stat(path);
  }
  rmrf(path: string): Promise<void> {
    return this.inner.rmrf(path);
  }
  syncDirectory(path: string): Promise<void> {
    return this.inner.syncDirectory(path);
  }
}

function zeroCounts(): LogFileCounts {
  return { writes: 0, writevs: 0, writevBuffersMax: 0, reads: 0, readBytes: 0 };
}
