/**
 * Receives a Kafka TCP byte stream (int32 size + bytes, either direction)
 * and hands out whole frames, without allocating per read or per frame:
 * plugged into a socket as its `onread` option, it has the kernel read
 * small traffic into one scratch buffer and the body of a large frame
 * straight into a reusable assembly buffer. This keeps the bench's own
 * processes (load generator, null sink) cheap enough not to be what is
 * measured.
 *
 * Where `onread` cannot be used (net.Server has no such option), `push`
 * takes 'data' chunks instead, copying only frames that span chunks.
 *
 * A frame handed to `onFrame` is a view of those reused buffers: it stays
 * valid until the next socket read (so through the microtasks that follow
 * the call), never longer. Owned by one socket; a negative frame size is a
 * bug on the other side and asserts.
 */
import { assert } from '@runnel/common';

const scratchBytes = 256 * 1024;

export class FrameReceiver {
  readonly #onFrame: (frame: Buffer) => void;
  readonly #scratch = Buffer.allocUnsafe(scratchBytes);
  readonly #sizePrefix = Buffer.alloc(4);
  #sizeFilled = 0;
  #assembly = Buffer.allocUnsafe(scratchBytes);
  /** Declared size of the frame being assembled, or -1 when none is. */
  #frameSize = -1;
  #frameFilled = 0;

  constructor(onFrame: (frame: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  /** The `onread` option of net.connect / net.Socket. */
  readonly onread = {
    buffer: (): Uint8Array =>
      this.#frameSize >= 0 ? this.#assembly.subarray(this.#frameFilled, this.#frameSize) : this.#scratch,
    callback: (bytes: number, buffer: Uint8Array): boolean => {
      if (buffer === this.#scratch) this.#parse(bytes);
      else this.#filled(bytes);
      return true;
    },
  };

  /** 'data' mode: the chunk is only read during this call. */
  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#frameSize >= 0) {
        const take = Math.min(this.#frameSize - this.#frameFilled, chunk.length - pos);
        chunk.copy(this.#assembly, this.#frameFilled, pos, pos + take);
        pos += take;
        this.#filled(take);
      } else {
        pos = this.#parseFrom(chunk, pos, chunk.length);
      }
    }
  }

  /** Bytes read straight into the frame being assembled, which they never overrun. */
  #filled(bytes: number): void {
    this.#frameFilled += bytes;
    if (this.#frameFilled === this.#frameSize) this.#finishAssembly();
  }

  #finishAssembly(): void {
    const frame = this.#assembly.subarray(0, this.#frameSize);
    this.#frameSize = -1;
    this.#frameFilled = 0;
    this.#onFrame(frame);
  }

  #parse(length: number): void {
    let pos = 0;
    while (pos < length) {
      if (this.#frameSize >= 0) {
        // Only the start of a frame's body can arrive in scratch; the rest is read in place.
        const take = Math.min(this.#frameSize - this.#frameFilled, length - pos);
        this.#scratch.copy(this.#assembly, this.#frameFilled, pos, pos + take);
        pos += take;
        this.#filled(take);
      } else {
        pos = this.#parseFrom(this.#scratch, pos, length);
      }
    }
  }

  /**
   * Reads one size prefix (or what there is of it) at `pos`, then hands out
   * the frame if `chunk` holds all of it, or starts assembling it. Returns
   * the position after what it consumed.
   */
  #parseFrom(chunk: Buffer, start: number, length: number): number {
    let pos = start;
    let size: number;
    if (this.#sizeFilled === 0 && length - pos >= 4) {
      size = chunk.readInt32BE(pos);
      pos += 4;
    } else {
      const take = Math.min(4 - this.#sizeFilled, length - pos);
      chunk.copy(this.#sizePrefix, this.#sizeFilled, pos, pos + take);
      this.#sizeFilled += take;
      pos += take;
      if (this.#sizeFilled < 4) return pos;
      this.#sizeFilled = 0;
      size = this.#sizePrefix.readInt32BE(0);
    }
    assert(size >= 0, `frame of ${size} bytes`);
    if (length - pos >= size) {
      this.#onFrame(chunk.subarray(pos, pos + size));
      return pos + size;
    }
    if (this.#assembly.length < size) this.#assembly = Buffer.allocUnsafe(size);
    this.#frameSize = size;
    this.#frameFilled = 0;
    return pos;
  }
}
