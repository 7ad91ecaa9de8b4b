/**
 * Splits a TCP byte stream into Kafka request frames (int32 size + bytes).
 *
 * A frame that arrives inside one socket chunk is handed out as a subarray
 * of that chunk (no copy); a frame spread over several chunks is assembled
 * once into a buffer of its declared size, taken from the FramePool when
 * one is given and the size is pooled (the event then carries the reader's
 * claim on it, which passes to whoever takes the frame). Owned by one
 * Connection.
 */
import type { FrameClaim, FramePool } from './frame-pool.ts';

export type FrameEvent =
  | { kind: 'frame'; frame: Buffer; claim: FrameClaim | null }
  | { kind: 'oversized'; sizeBytes: number };

export class FrameReader {
  readonly #frameBytesMax: number;
  /** Bytes of an incomplete size prefix or frame not yet assembled. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Declared size of the frame being assembled, or -1 while reading the size. */
  #frameSize = -1;
  #assembly: Buffer | null = null;
  #assemblyClaim: FrameClaim | null = null;
  #assemblyFilled = 0;
  readonly #pool: FramePool | null;

  constructor(frameBytesMax: number, pool: FramePool | null = null) {
    this.#frameBytesMax = frameBytesMax;
    this.#pool = pool;
  }

  /** Feeds one socket chunk; returns the complete frames (and any oversize verdict, after which the stream is unusable). */
  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#frameSize < 0) {
        // Read the 4-byte size prefix, possibly split across chunks.
        if (this.#pendingBytes === 0 && chunk.length - pos >= 4) {
          this.#frameSize = chunk.readInt32BE(pos);
          pos += 4;
        } else {
          const take = Math.min(4 - this.#pendingBytes, chunk.length - pos);
          this.#pending.push(chunk.subarray(pos, pos + take));
          this.#pendingBytes += take;
          pos += take;
          if (this.#pendingBytes < 4) break;
          this.#frameSize = Buffer.concat(this.#pending, 4).readInt32BE(0);
          this.#pending = [];
          this.#pendingBytes = 0;
        }
        if (this.#frameSize < 0 || this.#frameSize > this.#frameBytesMax) {
          events.push({ kind: 'oversized', sizeBytes: this.#frameSize });
          return events;
        }
        if (this.#frameSize === 0) {
          events.push({ kind: 'frame', frame: Buffer.alloc(0), claim: null });
          this.#frameSize = -1;
        }
        continue;
      }
      const need = this.#frameSize - this.#assemblyFilled;
      const available = chunk.length - pos;
      if (this.#assembly === null && available >= need) {
        events.push({ kind: 'frame', frame: chunk.subarray(pos, pos + need), claim: null });
        pos += need;
        this.#frameSize = -1;
        continue;
      }
      if (this.#assembly === null) {
        const pooled = this.#pool?.acquire(this.#frameSize) ?? null;
        this.#assembly = pooled?.frame ?? Buffer.allocUnsafe(this.#frameSize);
        this.#assemblyClaim = pooled?.claim ?? null;
      }
      const take = Math.min(need, available);
      chunk.copy(this.#assembly, this.#assemblyFilled, pos, pos + take);
      this.#assemblyFilled += take;
      pos += take;
      if (this.#assemblyFilled === this.#frameSize) {
        events.push({ kind: 'frame', frame: this.#assembly, claim: this.#assemblyClaim });
        this.#assembly = null;
        this.#assemblyClaim = null;
        this.#assemblyFilled = 0;
        this.#frameSize = -1;
      }
    }
    return events;
  }
}
