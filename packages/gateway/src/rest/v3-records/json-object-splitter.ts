/**
 * Splits a byte stream of concatenated JSON objects (`{...}{...}`, or one
 * per line, or separated by any JSON whitespace) into one buffer per
 * object, as the chunks arrive, without waiting for the end of the body:
 * the framing of Confluent's v3 streaming produce. It only tracks nesting
 * and strings, so it never parses a value; the caller JSON.parses each
 * object. Pure and synchronous. Owned by one request; after an error it
 * stays failed.
 */

const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const quote = 0x22;
const backslash = 0x5c;

export type SplitResult = { ok: true; objects: Buffer[] } | { ok: false; objects: Buffer[]; message: string };

export class JsonObjectSplitter {
  readonly #objectBytesMax: number;
  /** Pieces of the object begun in an earlier chunk and not finished yet. */
  #pieces: Buffer[] = [];
  #pieceBytes = 0;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #failed: string | null = null;
  #offset = 0;

  constructor(objectBytesMax: number) {
    this.#objectBytesMax = objectBytesMax;
  }

  /** Whether an object has begun and not ended. */
  get midObject(): boolean {
    return this.#depth > 0;
  }

  /** The objects this chunk completes, in order; after an error, the ones before it and the message. */
  push(chunk: Buffer): SplitResult {
    const objects: Buffer[] = [];
    if (this.#failed !== null) return { ok: false, objects, message: this.#failed };
    let start = this.#depth > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.#depth === 0) {
        if (byte === openBrace) {
          start = i;
          this.#depth = 1;
        } else if (!isWhitespace(byte)) {
          return this.#fail(objects, `expected a JSON object at byte ${this.#offset + i}`);
        }
        continue;
      }
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (byte === backslash) this.#escaped = true;
        else if (byte === quote) this.#inString = false;
        continue;
      }
      if (byte === quote) this.#inString = true;
      else if (byte === openBrace || byte === openBracket) this.#depth++;
      else if (byte === closeBrace || byte === closeBracket) {
        this.#depth--;
        if (this.#depth === 0) {
          const tail = chunk.subarray(start, i + 1);
          const whole = this.#pieces.length === 0 ? tail : Buffer.concat([...this.#pieces, tail]);
          this.#pieces = [];
          this.#pieceBytes = 0;
          if (whole.length > this.#objectBytesMax) return this.#fail(objects, this.#tooLarge());
          objects.push(whole);
          start = -1;
        }
      }
    }
    this.#offset += chunk.length;
    if (this.#depth > 0 && start >= 0) {
      const piece = chunk.subarray(start);
      this.#pieceBytes += piece.length;
      // An object that never ends must not grow without bound.
      if (this.#pieceBytes > this.#objectBytesMax) return this.#fail(objects, this.#tooLarge());
      this.#pieces.push(piece);
    }
    return { ok: true, objects };
  }

  /** Checks the stream ended between objects; the message when it ended inside one. */
  end(): string | null {
    if (this.#failed !== null) return this.#failed;
    if (this.#depth > 0) return this.#fail([], 'the body ended inside a JSON object').message;
    return null;
  }

  #tooLarge(): string {
    return `a record is larger than ${this.#objectBytesMax} bytes`;
  }

  #fail(objects: Buffer[], message: string): { ok: false; objects: Buffer[]; message: string } {
    this.#failed = message;
    this.#pieces = [];
    return { ok: false, objects, message };
  }
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
