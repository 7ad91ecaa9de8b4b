import {
  FaultyFileSystem,
  type FileHandle,
  type FileStat,
  type FileSystem,
  SimulatedCrashError,
} from '../src/index.ts';

/**
 * Delegates to a FaultyFileSystem and, once armed, loses power just before
 * the n-th mutating call (write, sync, rename, unlink, ...): `survivor` is
 * then what a reboot finds, and that call and every later one fail.
 */
export class CrashAtFileSystem implements FileSystem {
  inner = new FaultyFileSystem();
  ops = 0;
  crashAt = Number.POSITIVE_INFINITY;
  survivor: FaultyFileSystem | null = null;

  arm(crashAt: number): void {
    this.ops = 0;
    this.crashAt = crashAt;
  }

  #step(): void {
    this.ops++;
    if (this.ops === this.crashAt) {
      this.survivor = this.inner.crash();
      throw new SimulatedCrashError(`crash before mutating call ${this.ops}`);
    }
  }

  async open(path: string): Promise<FileHandle> {
    const file = await this.inner.open(path);
    const step = () => this.#step();
    return {
      read: (buffer, offset, length, position) => file.read(buffer, offset, length, position),
      write: async (data, position) => {
        step();
        await file.write(data, position);
      },
      writev: async (buffers, position) => {
        step();
        await file.writev(buffers, position);
      },
      truncate: async (length) => {
        step();
        await file.truncate(length);
      },
      sync: async () => {
        step();
        await file.sync();
      },
      close: () => file.close(),
    };
  }
  readdir(path: string): Promise<string[]> {
    return this.inner.readdir(path);
  }
  stat(path: string): Promise<FileStat | null> {
    return this.inner.stat(path);
  }
  async mkdirp(path: string): Promise<void> {
    this.#step();
    await this.inner.mkdirp(path);
  }
  async unlink(path: string): Promise<void> {
    this.#step();
    await this.inner.unlink(path);
  }
  async rename(from: string, to: string): Promise<void> {
    this.#step();
    await this.inner.rename(from, to);
  }
  async rmrf(path: string): Promise<void> {
    this.#step();
    await this.inner.rmrf(path);
  }
  async syncDirectory(path: string): Promise<void> {
    this.#step();
    await this.inner.syncDirectory(path);
  }
}
