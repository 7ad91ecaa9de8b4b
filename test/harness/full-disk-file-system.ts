/**
 * The real disk, with a switch that makes it full: while `full` is set every
 * write (write, writev, and creating a file) rejects with ENOSPC, as a full
 * filesystem does, having written nothing; reads, truncation, unlink and
 * rename work. For in-process tests that fill one broker's disk among
 * several in the same process (a tmpfs mount would fill them all).
 */
import { type FileHandle, type FileStat, type FileSystem, nodeFileSystem } from '@runnel/storage';

function enospc(path: string): Error {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
}

export class FullDiskFileSystem implements FileSystem {
  full = false;
  readonly #disk: FileSystem;

  constructor(disk: FileSystem = nodeFileSystem) {
    this.#disk = disk;
  }

  async open(path: string): Promise<FileHandle> {
    if (this.full && (await this.#disk.stat(path)) === null) throw enospc(path);
    const file = await this.#disk.open(path);
    const disk = this;
    return {
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      async write(data, position) {
        if (disk.full) throw enospc(path);
        await file.write(data, position);
      },
      async writev(buffers, position) {
        if (disk.full) throw enospc(path);
        await file.writev(buffers, position);
      },
      truncate: (length) => file.truncate(length),
      sync: () => file.sync(),
      close: () => file.close(),
    };
  }

  readdir(path: string): Promise<string[]> {
    return this.#disk.readdir(path);
  }

  mkdirp(path: string): Promise<void> {
    return this.#disk.mkdirp(path);
  }

  unlink(path: string): Promise<void> {
    return this.#disk.unlink(path);
  }

  rename(from: string, to: string): Promise<void> {
    return this.#disk.rename(from, to);
  }

  stat(path: string): Promise<FileStat | null> {
    return this.#disk.stat(path);
  }

  rmrf(path: string): Promise<void> {
    return this.#disk.rmrf(path);
  }

  syncDirectory(path: string): Promise<void> {
    return this.#disk.syncDirectory(path);
  }
}
