/**
 * A FileSystem wrapper that behaves like a process with a descriptor limit:
 * it counts open handles and fails `open` with EMFILE, as open(2) does, once
 * `openMax` are open. Tests use it to check that logs stay within a
 * HandleCache's budget and survive running out.
 */
import type { FileHandle, FileSystem } from '../src/file-system.ts';
import { PassThroughFileSystem } from './pass-through-file-system.ts';

export class LimitedFileSystem extends PassThroughFileSystem {
  openMax: number;
  openCount = 0;
  /** The most handles open at once. */
  openPeak = 0;

  constructor(inner: FileSystem, openMax = Number.MAX_SAFE_INTEGER) {
    super(inner);
    this.openMax = openMax;
  }

  override async open(path: string): Promise<FileHandle> {
    if (this.openCount >= this.openMax) {
      throw Object.assign(new Error(`EMFILE: too many open files, open '${path}'`), { code: 'EMFILE' });
    }
    this.openCount++;
    this.openPeak = Math.max(this.openPeak, this.openCount);
    let file: FileHandle;
    try {
      file = await this.inner.open(path);
    } catch (error) {
      this.openCount--;
      throw error;
    }
    let closed = false;
    return {
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      write: (data, position) => file.write(data, position),
      writev: (buffers, position) => file.writev(buffers, position),
      truncate: (length) => file.truncate(length),
      sync: () => file.sync(),
      close: async () => {
        if (!closed) {
          closed = true;
          this.openCount--;
        }
        await file.close();
      },
    };
  }
}
