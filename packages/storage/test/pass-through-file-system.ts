/**
 * A FileSystem that hands every call to `inner`: the base of the test
 * wrappers that watch or limit what a log opens (they override `open`).
 */
import type { FileHandle, FileStat, FileSystem } from '../src/file-system.ts';

export class PassThroughFileSystem implements FileSystem {
  readonly inner: FileSystem;

  constructor(inner: FileSystem) {
    this.inner = inner;
  }

  open(path: string): Promise<FileHandle> {
    return this.inner.open(path);
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
