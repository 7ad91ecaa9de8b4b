/**
 * Splits a TCP byte stream into Kafka request frames (int32 size + bytes).
 *
 * A frame that arrives inside one socket chunk is handed out as a subarray
 * of that chunk (no copy). A frame spread over several chunks is kept as
 * the pieces that have arrived (small pieces copied into a staging buffer,
 * so a trickle of tiny chunks does not pin a socket buffer each) and
 * assembled once, when its last byte arrives, into a buffer of its size:
 * taken from the FramePool when one is given and the size is pooled (the
 * event then carries the reader's claim on it, which passes to whoever
 * takes the frame). So an incomplete frame costs the bytes that arrived,
 * never the size it declares: 20 connections each declaring 100 MiB and
 * sending a few bytes cost a few bytes. The declared size is checked
 * against socket.request.max.bytes before anything is kept. Owned by one
 * Connection.
 */
import type { FrameClaim, FramePool } from './frame-pool.ts';

export type FrameEvent =
  | { kind: 'frame'; frame: Buffer; claim: FrameClaim | null }
  | { kind: 'oversized'; sizeBytes: number };

/** Pieces smaller than this are copied into the staging buffer rather than kept as views of their chunk. */
const stagingBytes = 16 * 1024;

export class FrameReader {
  readonly #frameBytesMax: number;
  /** Bytes of an incomplete size prefix. */
  #prefix: Buffer[] = [];
  #prefixBytes = 0;
  /** Declared size of the frame being assembled, or -1 while reading the size. */
  #frameSize = -1;
  /** The frame's bytes that have arrived, in order. */
  #parts: Buffer[] = [];
  #partsBytes = 0;
  /** Where small pieces are gathered (the last of #parts while it has room), or null. */
  #staging: Buffer | null = null;
  #stagingFilled = 0;
  readonly #pool: FramePool | null;

  constructor(frameBytesMax: number, pool: FramePool | null = null) {
    this.#frameBytesMax = frameBytesMax;
    this.#pool = pool;
  }

  /** Bytes held of an incomplete frame (its size prefix included); 0 between frames. */
  get bufferedBytes(): number {
    return this.#prefixBytes + (this.#frameSize < 0 ? 0 : 4 + this.#partsBytes);
  }

  /** Whether part of a frame (or of its size) has been read and the rest has not. */
  get midFrame(): boolean {
    return this.#prefixBytes > 0 || this.#frameSize >= 0;
  }

  /** Feeds one socket chunk; returns the complete frames (and any oversize verdict, after which the stream is unusable). */
  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#frameSize < 0) {
        // Read the 4-byte size prefix, possibly split across chunks.
        if (this.#prefixBytes === 0 && chunk.length - pos >= 4) {
          this.#frameSize = chunk.readInt32BE(pos);
          pos += 4;
        } else {
          const take = Math.min(4 - this.#prefixBytes, chunk.length - pos);
          this.#prefix.push(Buffer.from(chunk.subarray(pos, pos + take)));
          this.#prefixBytes += take;
          pos += take;
          if (this.#prefixBytes < 4) break;
          this.#frameSize = Buffer.concat(this.#prefix, 4).readInt32BE(0);
          this.#prefix = [];
          this.#prefixBytes = 0;
        }
        // Checked before anything of the frame is kept.
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
      const need = this.#frameSize - this.#partsBytes;
      const available = chunk.length - pos;
      if (this.#partsBytes === 0 && available >= need) {
        events.push({ kind: 'frame', frame: chunk.subarray(pos, pos + need), claim: null });
        pos += need;
        this.#frameSize = -1;
        continue;
      }
      const take = Math.min(need, available);
      this.#keep(chunk.subarray(pos, pos + take));
      pos += take;
      if (this.#partsBytes === this.#frameSize) events.push(this.#assemble());
    }
    return events;
  }

  #keep(piece: Buffer): void {
    this.#partsBytes += piece.length;
    if (piece.length >= stagingBytes) {
      this.#staging = null;
      this.#parts.push(piece);
      return;
    }
    let offset = 0;
    while (offset < piece.length) {
      if (this.#staging === null || this.#stagingFilled === this.#staging.length) {
        this.#staging = Buffer.allocUnsafe(stagingBytes);
        this.#stagingFilled = 0;
        this.#parts.push(this.#staging.subarray(0, 0));
      }
      const n = piece.copy(this.#staging, this.#stagingFilled, offset);
      this.#stagingFilled += n;
      offset += n;
      this.#parts[this.#parts.length - 1] = this.#staging.subarray(0, this.#stagingFilled);
    }
  }

  #assemble(): FrameEvent {
    const size = this.#frameSize;
    const pooled = this.#pool?.acquire(size) ?? null;
    const frame = pooled?.frame ?? Buffer.allocUnsafe(size);
    let filled = 0;
    for (const part of this.#parts) filled += part.copy(frame, filled);
    this.#parts = [];
    this.#partsBytes = 0;
    this.#staging = null;
    this.#stagingFilled = 0;
    this.#frameSize = -1;
    return { kind: 'frame', frame, claim: pooled?.claim ?? null };
  }
}
