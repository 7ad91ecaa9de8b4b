/**
 * A FileSystem wrapper that counts what the log does to `.log` files: write
 * and writev calls (with the most buffers one writev carried), read calls
 * and bytes read. Tests use it to observe coalesced appends and skipped rescans
 * without timing anything.
 */
import type { FileHandle } from '../src/file-system.ts';
import { PassThroughFileSystem } from './pass-through-file-system.ts';

export interface LogFileCounts {
  writes: number;
  writevs: number;
  writevBuffersMax: number;
  /** read calls, and the bytes they returned. */
  reads: number;
  readBytes: number;
}

export class CountingFileSystem extends PassThroughFileSystem {
  counts: LogFileCounts = zeroCounts();

  reset(): void {
    this.counts = zeroCounts();
  }

  override async open(path: string): Promise<FileHandle> {
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
}

function zeroCounts(): LogFileCounts {
  return { writes: 0, writevs: 0, writevBuffersMax: 0, reads: 0, readBytes: 0 };
}
