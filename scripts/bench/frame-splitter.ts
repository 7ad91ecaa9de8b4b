/**
 * Splits a Kafka TCP byte stream (int32 size + bytes, both directions) into
 * frames. A frame wholly inside one socket chunk is handed out as a subarray
 * (no copy); one spread over chunks is assembled once. Owned by one socket's
 * reader; a negative size is a protocol bug on the other side and asserts.
 */
import { assert } from '@runnel/common';

export class FrameSplitter {
  readonly #sizePrefix = Buffer.alloc(4);
  #sizeFilled = 0;
  #frame: Buffer | null = null;
  #frameFilled = 0;

  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#frame === null) {
        let size: number;
        if (this.#sizeFilled === 0 && chunk.length - pos >= 4) {
          size = chunk.readInt32BE(pos);
          pos += 4;
        } else {
          const take = Math.min(4 - this.#sizeFilled, chunk.length - pos);
          chunk.copy(this.#sizePrefix, this.#sizeFilled, pos, pos + take);
          this.#sizeFilled += take;
          pos += take;
          if (this.#sizeFilled < 4) return;
          this.#sizeFilled = 0;
          size = this.#sizePrefix.readInt32BE(0);
        }
        assert(size >= 0, `frame of ${size} bytes`);
        if (chunk.length - pos >= size) {
          onFrame(chunk.subarray(pos, pos + size));
          pos += size;
          continue;
        }
        this.#frame = Buffer.allocUnsafe(size);
        this.#frameFilled = 0;
      }
      const take = Math.min(this.#frame.length - this.#frameFilled, chunk.length - pos);
      chunk.copy(this.#frame, this.#frameFilled, pos, pos + take);
      this.#frameFilled += take;
      pos += take;
      if (this.#frameFilled === this.#frame.length) {
        const done = this.#frame;
        this.#frame = null;
        onFrame(done);
      }
    }
  }
}
