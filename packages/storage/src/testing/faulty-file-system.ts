/**
 * An in-memory FileSystem for tests that models what a disk can do to a log:
 * - lost unsynced data: every file keeps the bytes the last fsync made
 *   durable; crash() returns a new FaultyFileSystem holding only those.
 * - torn writes: tearNextWrite() lets only a prefix of one write reach the
 *   disk (durably, as if the power failed mid-write), then the file system is
 *   "down" and every later call rejects until the test calls crash(). A
 *   writev tears like one write of its buffers' concatenation.
 * - corrupt bytes: corrupt() flips bytes in place, durably.
 * - failing calls: failNext() makes one call (an open, write, fsync, rename,
 *   ...) reject with an errno such as EIO or ENOSPC, having done nothing;
 *   crashBefore() makes the power fail as one such call starts.
 *
 * Directory operations (create, unlink, rename, mkdir) are durable at once:
 * it models a journaling file system's metadata, not its data.
 *
 * Owned by the test that made it. Not for production use.
 */
import { dirname, normalize } from 'node:path';
import type { Random } from '@runnel/common';
import type { FileHandle, FileStat, FileSystem } from '../file-system.ts';

interface FileState {
  /** What a reader sees now (page cache). */
  current: Buffer;
  /** What survives a crash. */
  durable: Buffer;
  /** Bumped by every change to `current`; `durable` holds generation `durableGeneration`. */
  generation: number;
  durableGeneration: number;
}

export interface TornWrite {
  /** Only writes to paths ending with this tear (e.g. '.log'). */
  pathSuffix: string;
  /** How many bytes of the torn write reach the disk. */
  keepBytes: number;
}

export class SimulatedCrashError extends Error {
  override name = 'SimulatedCrashError';
}

/** The calls failNext() and crashBefore() can aim at ('write' covers writev). */
export type FaultableOperation = 'open' | 'write' | 'truncate' | 'sync' | 'rename' | 'unlink' | 'syncDirectory';

interface ArmedFault {
  readonly operation: FaultableOperation;
  readonly pathSuffix: string;
  /** An errno code, or 'crash' for a power failure. */
  readonly code: string;
}

export class FaultyFileSystem implements FileSystem {
  readonly #files = new Map<string, FileState>();
  readonly #dirs = new Set<string>(['/']);
  #tornWrite: TornWrite | null = null;
  readonly #faults: ArmedFault[] = [];
  #down = false;
  /** How many fsyncs completed; lets tests observe group commit. */
  syncCount = 0;
  /** How many write and writev calls were made; lets tests observe coalesced appends. */
  writeCount = 0;
  writevCount = 0;

  tearNextWrite(torn: TornWrite): void {
    this.#tornWrite = torn;
  }

  /**
   * The next `operation` on a path ending with `pathSuffix` (a rename's
   * source) rejects with an Error whose `code` is `code` ('EIO', 'ENOSPC',
   * ...) and changes nothing; the file system stays up.
   */
  failNext(operation: FaultableOperation, pathSuffix: string, code: string): void {
    this.#faults.push({ operation, pathSuffix, code });
  }

  /**
   * The power fails as the next `operation` on a path ending with
   * `pathSuffix` starts: it rejects with SimulatedCrashError, so does every
   * later call, and crash() shows what survived.
   */
  crashBefore(operation: FaultableOperation, pathSuffix: string): void {
    this.#faults.push({ operation, pathSuffix, code: 'crash' });
  }

  /**
   * The machine lost power: returns a new file system holding only durable
   * bytes. With `random`, each file that was only appended to since its last
   * sync also keeps a random prefix of the unsynced tail (the OS wrote part
   * of its page cache back before the crash).
   */
  crash(options: { random?: Random } = {}): FaultyFileSystem {
    this.#down = true;
    const next = new FaultyFileSystem();
    for (const dir of this.#dirs) next.#dirs.add(dir);
    for (const [path, state] of this.#files) {
      let keep = state.durable;
      const random = options.random;
      if (random !== undefined && state.current.length > state.durable.length) {
        const appendedOnly = state.current.subarray(0, state.durable.length).equals(state.durable);
        if (appendedOnly) keep = state.current.subarray(0, random.int(state.durable.length, state.current.length));
      }
      const copy = Buffer.from(keep);
      next.#files.set(path, fileState(copy));
    }
    return next;
  }

  /** Flips (xor 0xff) `length` bytes at `position`, in the live and durable copies. */
  corrupt(path: string, position: number, length = 1): void {
    const state = this.#file(path);
    for (const buf of [state.current, state.durable]) {
      for (let i = position; i < Math.min(position + length, buf.length); i++) buf[i] = (buf[i] ?? 0) ^ 0xff;
    }
  }

  /** Replaces a file's content, durably (for tests that plant bytes). */
  setContent(path: string, data: Buffer): void {
    const key = normalize(path);
    for (let d = dirname(key); !this.#dirs.has(d); d = dirname(d)) this.#dirs.add(d);
    this.#files.set(key, fileState(Buffer.from(data)));
  }

  /** The bytes a reader would see now, or null when missing. */
  content(path: string): Buffer | null {
    return this.#files.get(normalize(path))?.current ?? null;
  }

  /** How many bytes of a file are durable. */
  durableBytes(path: string): number {
    return this.#file(path).durable.length;
  }

  async open(path: string): Promise<FileHandle> {
    this.#check();
    const key = normalize(path);
    this.injectFault('open', key);
    if (!this.#dirs.has(dirname(key))) throw fsError('ENOENT', path);
    let state = this.#files.get(key);
    if (state === undefined) {
      state = fileState(Buffer.alloc(0));
      this.#files.set(key, state);
    }
    return new FaultyFile(this, key, state);
  }

  async readdir(path: string): Promise<string[]> {
    this.#check();
    if (!this.#dirs.has(normalize(path))) throw fsError('ENOENT', path);
    return this.entries(path);
  }

  /** Entry names in a directory as they are now, sorted; none when it is missing (for test observers). */
  entries(path: string): string[] {
    const dir = normalize(path);
    const names: string[] = [];
    for (const p of [...this.#files.keys(), ...this.#dirs]) {
      if (p !== dir && dirname(p) === dir) names.push(p.slice(dir === '/' ? 1 : dir.length + 1));
    }
    return names.sort();
  }

  async mkdirp(path: string): Promise<void> {
    this.#check();
    for (let d = normalize(path); !this.#dirs.has(d); d = dirname(d)) this.#dirs.add(d);
  }

  async unlink(path: string): Promise<void> {
    this.#check();
    this.injectFault('unlink', normalize(path));
    if (!this.#files.delete(normalize(path))) throw fsError('ENOENT', path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.#check();
    this.injectFault('rename', normalize(from));
    const state = this.#files.get(normalize(from));
    if (state === undefined) throw fsError('ENOENT', from);
    this.#files.delete(normalize(from));
    this.#files.set(normalize(to), state);
  }

  async stat(path: string): Promise<FileStat | null> {
    this.#check();
    const key = normalize(path);
    if (this.#dirs.has(key)) return { sizeBytes: 0, isDirectory: true };
    const state = this.#files.get(key);
    return state === undefined ? null : { sizeBytes: state.current.length, isDirectory: false };
  }

  /** Directory operations are durable at once here, so there is nothing to make durable. */
  async syncDirectory(path: string): Promise<void> {
    this.#check();
    this.injectFault('syncDirectory', normalize(path));
    if (!this.#dirs.has(normalize(path))) throw fsError('ENOENT', path);
  }

  async rmrf(path: string): Promise<void> {
    this.#check();
    const root = normalize(path);
    const inside = (p: string) => p === root || p.startsWith(`${root}/`);
    for (const p of [...this.#files.keys()]) if (inside(p)) this.#files.delete(p);
    for (const d of [...this.#dirs]) if (inside(d) && d !== '/') this.#dirs.delete(d);
  }

  /** @internal Used by FaultyFile. */
  checkUp(): void {
    this.#check();
  }

  /** @internal Throws the fault armed for this call, if any, and disarms it. */
  injectFault(operation: FaultableOperation, path: string): void {
    const i = this.#faults.findIndex((f) => f.operation === operation && path.endsWith(f.pathSuffix));
    const fault = this.#faults[i];
    if (fault === undefined) return;
    this.#faults.splice(i, 1);
    if (fault.code !== 'crash') throw fsError(fault.code, path);
    this.#down = true;
    throw new SimulatedCrashError(`power lost as ${operation} of ${path} started`);
  }

  /** @internal Applies a write, tearing it if armed. */
  applyWrite(path: string, state: FileState, data: Buffer, position: number): void {
    this.#check();
    const torn = this.#tornWrite;
    if (torn !== null && path.endsWith(torn.pathSuffix)) {
      this.#tornWrite = null;
      const prefix = data.subarray(0, Math.min(torn.keepBytes, data.length));
      state.current = splice(state.current, prefix, position);
      state.generation++;
      // The prefix reached the platter; then the power went.
      state.durable = Buffer.from(state.current);
      state.durableGeneration = state.generation;
      this.#down = true;
      throw new SimulatedCrashError(`torn write to ${path}: ${prefix.length} of ${data.length} bytes landed`);
    }
    state.current = splice(state.current, data, position);
    state.generation++;
  }

  #file(path: string): FileState {
    const state = this.#files.get(normalize(path));
    if (state === undefined) throw fsError('ENOENT', path);
    return state;
  }

  #check(): void {
    if (this.#down) throw new SimulatedCrashError('file system is down after a simulated crash');
  }
}

class FaultyFile implements FileHandle {
  readonly #fs: FaultyFileSystem;
  readonly #path: string;
  readonly #state: FileState;
  #closed = false;
  constructor(fs: FaultyFileSystem, path: string, state: FileState) {
    this.#fs = fs;
    this.#path = path;
    this.#state = state;
  }
  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    this.#check();
    const src = this.#state.current;
    if (position >= src.length) return 0;
    return src.copy(buffer, offset, position, Math.min(src.length, position + length));
  }
  async write(data: Buffer, position: number): Promise<void> {
    this.#check();
    this.#fs.injectFault('write', this.#path);
    this.#fs.writeCount++;
    this.#fs.applyWrite(this.#path, this.#state, data, position);
  }
  async writev(buffers: readonly Buffer[], position: number): Promise<void> {
    this.#check();
    this.#fs.injectFault('write', this.#path);
    this.#fs.writevCount++;
    // One system call: a tear keeps a prefix of the concatenation, whichever buffer it falls in.
    this.#fs.applyWrite(this.#path, this.#state, Buffer.concat(buffers), position);
  }
  async truncate(length: number): Promise<void> {
    this.#check();
    this.#fs.injectFault('truncate', this.#path);
    const cur = this.#state.current;
    this.#state.current =
      length <= cur.length ? Buffer.from(cur.subarray(0, length)) : splice(cur, Buffer.alloc(0), length);
    this.#state.generation++;
  }
  async sync(): Promise<void> {
    this.#check();
    this.#fs.injectFault('sync', this.#path);
    // An fsync covers what was written before it was called and takes a
    // while: writes made meanwhile are not covered (and group commit has
    // something to group). A crash meanwhile means the sync never returned.
    const snapshot = Buffer.from(this.#state.current);
    const generation = this.#state.generation;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#fs.checkUp();
    if (generation > this.#state.durableGeneration) {
      this.#state.durable = snapshot;
      this.#state.durableGeneration = generation;
    }
    this.#fs.syncCount++;
  }
  async close(): Promise<void> {
    this.#check();
    this.#closed = true;
  }
  #check(): void {
    this.#fs.checkUp();
    if (this.#closed) throw fsError('EBADF', this.#path);
  }
}

function fileState(content: Buffer): FileState {
  return { current: content, durable: Buffer.from(content), generation: 0, durableGeneration: 0 };
}

/** `target` with `data` written at `position`, zero-filling any hole. */
function splice(target: Buffer, data: Buffer, position: number): Buffer {
  const end = Math.max(target.length, position + data.length);
  const out = end === target.length ? target : Buffer.alloc(end);
  if (out !== target) target.copy(out, 0);
  data.copy(out, position);
  return out;
}

function fsError(code: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${path}`), { code });
}
