/**
 * Recycled buffers for large request frames, so a stream of ~1 MB Produce
 * requests does not allocate (and make the garbage collector trace and
 * free) a fresh ArrayBuffer per request. Each slab is fresh memory the
 * first time only: reusing it also spares the page faults of new memory.
 *
 * The invariant: a slab returns to the pool only when nothing can read it
 * again. Produce stores record bytes zero-copy, so the frame's bytes
 * outlive the request: the leader tail cache keeps them until every ISR
 * member has them, and a replication response built from that cache keeps
 * them until it is serialized. So every holder takes its own claim
 * (`retainFrame`) and releases it exactly once when done; the slab is
 * recycled when the last claim is released. A claim never released only
 * means that slab is not reused (the garbage collector frees it): a missed
 * release costs memory churn, never data. Releasing twice is a bug and
 * asserts.
 *
 * Fetch reads take slabs here too (ResponseMemory): the response carries
 * them as record chunks, and the connection releases the claims once the
 * response is written.
 *
 * `poisonReleased` (tests; RUNNEL_POISON_RELEASED_FRAMES=1 for a broker)
 * overwrites a slab with a fixed pattern the moment it is released, so a
 * holder that reads after releasing (or never claimed) sees garbage that
 * CRC checks and read-back comparisons catch, instead of a lucky old copy.
 *
 * Owned by one Broker (its Kafka listener acquires); claims are found from
 * the bytes alone (any subarray of a pooled frame), so holders need no
 * reference to the pool.
 */
import { assert } from '@runnel/common';

/** A holder's claim on a pooled frame's bytes: release it once, when the holder will never read them again. */
export interface FrameClaim {
  release(): void;
}

interface Slab {
  readonly memory: Buffer;
  /** Its pool's, called by the last claim's release. */
  readonly recycle: () => void;
  /** Claims not yet released; 0 while the slab is free in its pool (or dropped). */
  refs: number;
  /** Bumped on every acquire: a claim of an earlier use can never touch a later one. */
  use: number;
}

/** Pooled slabs by their memory: any view on a pooled frame finds its slab. */
const slabs = new WeakMap<ArrayBufferLike, Slab>();

/** The pattern released slabs are filled with in poison mode: not a plausible batch header or length. */
export const poisonByte = 0xdb;

class Claim implements FrameClaim {
  readonly #slab: Slab;
  readonly #use: number;
  #released = false;

  constructor(slab: Slab) {
    this.#slab = slab;
    this.#use = slab.use;
  }

  release(): void {
    assert(!this.#released, 'frame claim released twice');
    assert(this.#slab.use === this.#use && this.#slab.refs > 0, 'frame claim outlived its slab');
    this.#released = true;
    this.#slab.refs--;
    if (this.#slab.refs === 0) this.#slab.recycle();
  }
}

/**
 * A new claim on the pooled frame `bytes` is a view of, or null when they
 * are not pooled memory (nothing to release: the garbage collector owns
 * them). The caller must already hold a claim (or be called by one that
 * does) for the duration of this call: claiming a released slab asserts.
 */
export function retainFrame(bytes: Buffer): FrameClaim | null {
  const slab = slabs.get(bytes.buffer);
  if (slab === undefined) return null;
  assert(slab.refs > 0, 'claiming the bytes of a released frame');
  slab.refs++;
  return new Claim(slab);
}

export interface FramePoolOptions {
  /** Frames smaller than this are allocated as before (most arrive in one socket chunk and are not copied at all). */
  readonly frameBytesMin: number;
  /** Frames larger than this are allocated as before. */
  readonly frameBytesMax: number;
  /** Free slabs kept, in bytes; a slab released beyond this is left to the garbage collector. */
  readonly freeBytesMax: number;
  /** Overwrite released slabs with `poisonByte` (tests). */
  readonly poisonReleased: boolean;
}

export class FramePool {
  readonly #options: FramePoolOptions;
  /** Free slabs by size class (log2 of the slab size). */
  readonly #free = new Map<number, Buffer[]>();
  #freeBytes = 0;
  #acquired = 0;
  #reused = 0;

  constructor(options: FramePoolOptions) {
    assert(options.frameBytesMin > 0 && options.frameBytesMin <= options.frameBytesMax, 'frame pool size range');
    this.#options = options;
  }

  /** Frames handed out, and how many of them on recycled memory. */
  get stats(): { acquired: number; reused: number; freeBytes: number } {
    return { acquired: this.#acquired, reused: this.#reused, freeBytes: this.#freeBytes };
  }

  /**
   * A buffer of exactly `sizeBytes` for a frame and the caller's claim on
   * it, or null when frames of that size are not pooled.
   */
  acquire(sizeBytes: number): { frame: Buffer; claim: FrameClaim } | null {
    if (sizeBytes < this.#options.frameBytesMin || sizeBytes > this.#options.frameBytesMax) return null;
    const sizeClass = Math.ceil(Math.log2(sizeBytes));
    let memory = this.#free.get(sizeClass)?.pop();
    if (memory === undefined) {
      // allocUnsafeSlow: a slab of its own, never a slice of Node's shared pool, so its ArrayBuffer names it.
      const fresh: Slab = {
        memory: Buffer.allocUnsafeSlow(2 ** sizeClass),
        recycle: () => this.#recycle(fresh),
        refs: 0,
        use: 0,
      };
      memory = fresh.memory;
      slabs.set(memory.buffer, fresh);
    } else {
      this.#freeBytes -= memory.length;
      this.#reused++;
    }
    const slab = slabs.get(memory.buffer);
    assert(slab !== undefined && slab.refs === 0, 'a free slab has no claims');
    slab.use++;
    slab.refs = 1;
    this.#acquired++;
    return { frame: memory.subarray(0, sizeBytes), claim: new Claim(slab) };
  }

  #recycle(slab: Slab): void {
    assert(slab.refs === 0, 'recycling a slab still claimed');
    if (this.#options.poisonReleased) slab.memory.fill(poisonByte);
    if (this.#freeBytes + slab.memory.length > this.#options.freeBytesMax) {
      slabs.delete(slab.memory.buffer);
      return;
    }
    const sizeClass = Math.log2(slab.memory.length);
    let list = this.#free.get(sizeClass);
    if (list === undefined) {
      list = [];
      this.#free.set(sizeClass, list);
    }
    list.push(slab.memory);
    this.#freeBytes += slab.memory.length;
  }
}
