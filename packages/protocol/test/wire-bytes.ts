/**
 * Hand-built expected wire bytes for the definition fixture tests, and the
 * both-ways check they share. The builder writes Kafka's primitive types
 * (https://kafka.apache.org/protocol#protocol_types) with plain Buffer calls,
 * never with the codec under test, so a fixture can catch the codec out.
 * Method names follow the spec's type names.
 */
import { expect } from 'vitest';
import { decodeMessage, encodeMessage } from '../src/schema/codec.ts';
import type { MessageDef } from '../src/schema/types.ts';

export class WireBytes {
  readonly #parts: Buffer[] = [];

  #fixed(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.#parts.push(b);
    return this;
  }
  #raw(b: Buffer): this {
    this.#parts.push(b);
    return this;
  }
  int8(v: number): this {
    return this.#fixed(1, (b) => b.writeInt8(v));
  }
  int16(v: number): this {
    return this.#fixed(2, (b) => b.writeInt16BE(v));
  }
  int32(v: number): this {
    return this.#fixed(4, (b) => b.writeInt32BE(v));
  }
  int64(v: bigint): this {
    return this.#fixed(8, (b) => b.writeBigInt64BE(v));
  }
  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }
  /** Unsigned LEB128: seven bits per byte, high bit set on all but the last. */
  uvarint(v: number): this {
    const out: number[] = [];
    let rest = v;
    while (rest > 0x7f) {
      out.push((rest & 0x7f) | 0x80);
      rest >>>= 7;
    }
    out.push(rest);
    return this.#raw(Buffer.from(out));
  }
  /** int16 byte length then UTF-8; -1 for null. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const utf8 = Buffer.from(v, 'utf8');
    return this.int16(utf8.length).#raw(utf8);
  }
  /** uvarint (byte length + 1) then UTF-8; 0 for null. */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const utf8 = Buffer.from(v, 'utf8');
    return this.uvarint(utf8.length + 1).#raw(utf8);
  }
  /** int32 byte length then the bytes (also the classic records field); -1 for null. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).#raw(v);
  }
  /** uvarint (byte length + 1) then the bytes (also the flexible records field); 0 for null. */
  compactBytes(v: Buffer | null): this {
    if (v === null) return this.uvarint(0);
    return this.uvarint(v.length + 1).#raw(v);
  }
  /** int32 element count; -1 for a null array. */
  /** 16 bytes from the hyphenated text form. */
  uuid(v: string): this {
    return this.#raw(Buffer.from(v.replaceAll('-', ''), 'hex'));
  }
  array(count: number | null): this {
    return this.int32(count ?? -1);
  }
  /** uvarint (element count + 1). */
  compactArray(count: number): this {
    return this.uvarint(count + 1);
  }
  /** An empty tagged-field section. */
  noTags(): this {
    return this.uvarint(0);
  }
  /** A tagged-field section: uvarint count, then per field uvarint tag, uvarint byte length, the bytes. */
  taggedFields(fields: readonly (readonly [tag: number, data: Buffer])[]): this {
    this.uvarint(fields.length);
    for (const [tag, data] of fields) this.uvarint(tag).uvarint(data.length).#raw(data);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

/**
 * Encoding `value` yields exactly `fixture`, and decoding `fixture` yields
 * `decoded` (by default `value`; pass it when absent fields decode to defaults
 * the value leaves out). Hex comparison so a mismatch shows where.
 */
export function expectBothWays(
  def: MessageDef,
  version: number,
  value: object,
  fixture: Buffer,
  decoded: object = value,
): void {
  const label = `${def.name} v${version}`;
  expect(Buffer.concat(encodeMessage(def, version, value)).toString('hex'), label).toBe(fixture.toString('hex'));
  expect(decodeMessage(def, version, fixture), label).toEqual(decoded);
}
