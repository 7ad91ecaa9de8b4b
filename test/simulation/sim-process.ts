/**
 * What one simulated broker process owns of the world, so that killing it
 * is total: its timers (ManualTimers on the simulation's clock, dropped at
 * once) and its view of the disk (every file call, and every promise one
 * returned, stops settling the moment the process dies, so a dead process
 * can neither write nor learn that its disk failed).
 *
 * Owned by a SimBroker, one per incarnation. The disk itself (a
 * FaultyFileSystem) outlives the process; a power loss replaces it with its
 * durable image after the process is dead.
 */
import type { ManualClock } from '@runnel/common';
import { ManualTimers } from '@runnel/common';
import type { FaultyFileSystem, FileHandle, FileStat, FileSystem } from '@runnel/storage';

export class SimProcess {
  readonly timers: ManualTimers;
  readonly fs: FileSystem;
  /** Set while the process is stopped (SIGSTOP, a long GC): its timers wait, its messages queue. */
  paused = false;
  #alive = true;

  constructor(clock: ManualClock, disk: FaultyFileSystem) {
    this.timers = new ManualTimers(clock);
    this.fs = new ProcessFileSystem(disk, () => this.#alive);
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** kill -9: nothing of this process runs again, whatever it was waiting for. */
  kill(): void {
    this.#alive = false;
    this.timers.cancelAll();
  }
}

/** A promise that settles like `p` while `alive()`, and never once the process is dead. */
function whileAlive<T>(alive: () => boolean, p: Promise<T>): Promise<T> {
  if (!alive()) return new Promise(() => {});
  return new Promise((resolve, reject) => {
    p.then(
      (value) => {
        if (alive()) resolve(value);
      },
      (error: unknown) => {
        if (alive()) reject(error);
      },
    );
  });
}

class ProcessFileSystem implements FileSystem {
  readonly #disk: FaultyFileSystem;
  readonly #alive: () => boolean;

  constructor(disk: FaultyFileSystem, alive: () => boolean) {
    this.#disk = disk;
    this.#alive = alive;
  }

  #run<T>(call: () => Promise<T>): Promise<T> {
    return whileAlive(this.#alive, this.#alive() ? call() : new Promise<T>(() => {}));
  }

  async open(path: string): Promise<FileHandle> {
    const file = await this.#run(() => this.#disk.open(path));
    return new ProcessFile(file, this.#alive);
  }
  readdir(path: string): Promise<string[]> {
    return this.#run(() => this.#disk.readdir(path));
  }
  mkdirp(path: string): Promise<void> {
    return this.#run(() => this.#disk.mkdirp(path));
  }
  unlink(path: string): Promise<void> {
    return this.#run(() => this.#disk.unlink(path));
  }
  rename(from: string, to: string): Promise<void> {
    return this.#run(() => this.#disk.rename(from, to));
  }
  stat(path: string): Promise<FileStat | null> {
    return this.#run(() => this.#disk.stat(path));
  }
  rmrf(path: string): Promise<void> {
    return this.#run(() => this.#disk.rmrf(path));
  }
  syncDirectory(path: string): Promise<void> {
    return this.#run(() => this.#disk.syncDirectory(path));
  }
}

class ProcessFile implements FileHandle {
  readonly #file: FileHandle;
  readonly #alive: () => boolean;

  constructor(file: FileHandle, alive: () => boolean) {
    this.#file = file;
    this.#alive = alive;
  }

  #run<T>(call: () => Promise<T>): Promise<T> {
    return whileAlive(this.#alive, this.#alive() ? call() : new Promise<T>(() => {}));
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return this.#run(() => this.#file.read(buffer, offset, length, position));
  }
  write(data: Buffer, position: number): Promise<void> {
    return this.#run(() => this.#file.write(data, position));
  }
  writev(buffers: readonly Buffer[], position: number): Promise<void> {
    return this.#run(() => this.#file.writev(buffers, position));
  }
  truncate(length: number): Promise<void> {
    return this.#run(() => this.#file.truncate(length));
  }
  sync(): Promise<void> {
    return this.#run(() => this.#file.sync());
  }
  close(): Promise<void> {
    return this.#run(() => this.#file.close());
  }
}
