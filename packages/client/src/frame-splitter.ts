/**
 * Splits a TCP byte stream into Kafka frames:
 *
 *   frame := int32 size, size bytes        (size excludes itself)
 *
 * A frame that arrives inside one socket chunk is returned as a view of that
 * chunk (no copy); only frames spanning chunks are joined.
 */

export type FrameSplitError = 'negative_size' | 'too_large';

/** Owned by one Connection; after push() returns an error the stream is unusable. */
export class FrameSplitter {
  readonly #frameBytesMax: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(frameBytesMax: number) {
    this.#frameBytesMax = frameBytesMax;
  }

  /** Adds bytes and hands each complete frame (without its size prefix) to onFrame. */
  push(data: Buffer, onFrame: (frame: Buffer) => void): FrameSplitError | null {
    this.#chunks.push(data);
    this.#buffered += data.length;
    while (this.#buffered >= 4) {
      const size = this.#peekSize();
      if (size < 0) return 'negative_size';
      if (size > this.#frameBytesMax) return 'too_large';
      if (this.#buffered < 4 + size) return null;
      onFrame(this.#take(4 + size).subarray(4));
    }
    return null;
  }

  #peekSize(): number {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= 4) return first.readInt32BE(0);
    return this.#take(4, false).readInt32BE(0);
  }

  /** The first n buffered bytes; consumed unless `consume` is false. */
  #take(n: number, consume = true): Buffer {
    const first = this.#chunks[0];
    if (first !== undefined && first.length >= n) {
      if (!consume) return first.subarray(0, n);
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#buffered -= n;
      return first.subarray(0, n);
    }
    const joined = Buffer.concat(this.#chunks, this.#buffered);
    const rest = joined.subarray(n);
    this.#chunks = consume ? (rest.length > 0 ? [rest] : []) : [joined];
    if (consume) this.#buffered -= n;
    return joined.subarray(0, n);
  }
}
