/**
 * Bounds-checked reads over one Buffer, in Kafka's wire types.
 *
 * Grammar (https://kafka.apache.org/protocol#protocol_types):
 *   intN            big-endian two's complement
 *   uvarint         unsigned LEB128, at most 5 bytes (10 for uvarlong)
 *   varint/varlong  zigzag over uvarint/uvarlong
 *   string          int16 length (-1 = null) + UTF-8;  compact: uvarint N+1 (0 = null) + UTF-8
 *   bytes/records   int32 length (-1 = null) + bytes;  compact: uvarint N+1 (0 = null) + bytes
 *   array           int32 count (-1 = null) + items;   compact: uvarint N+1 (0 = null) + items
 *   uuid            16 bytes
 *
 * Every read checks the bytes remaining first, so malformed input can only
 * raise DecodeError. bytes and records are returned as subarrays of the input
 * (zero-copy): they stay valid as long as the input Buffer is not reused.
 */

/** The only error that decoding untrusted bytes may raise. */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

const hex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A cursor over `buf` from `offset` up to `end`. Owned by one decode call;
 * after a DecodeError its position is unspecified and it must be dropped.
 */
export class Reader {
  readonly buf: Buffer;
  offset: number;
  end: number;

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Advances past n bytes, returning the old offset; throws if fewer remain. */
  take(n: number): number {
    if (n < 0 || n > this.end - this.offset) {
      throw new DecodeError(`need ${n} bytes at offset ${this.offset}, ${this.end - this.offset} remain`);
    }
    const at = this.offset;
    this.offset = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.take(1));
  }
  int16(): number {
    return this.buf.readInt16BE(this.take(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.take(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.take(8));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.take(2));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.take(8));
  }
  bool(): boolean {
    return this.buf[this.take(1)] !== 0;
  }

  uuid(): string {
    const at = this.take(16);
    const b = this.buf;
    let s = '';
    for (let i = 0; i < 16; i++) {
      if (i === 4 || i === 6 || i === 8 || i === 10) s += '-';
      s += hex[b[at + i] ?? 0];
    }
    return s;
  }

  /** Unsigned varint of at most 32 bits (5 bytes). */
  uvarint(): number {
    let value = 0;
    let shift = 1;
    for (let i = 0; i < 5; i++) {
      const byte = this.buf[this.take(1)] ?? 0;
      value += (byte & 0x7f) * shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffff) throw new DecodeError('unsigned varint exceeds 32 bits');
        return value;
      }
      shift *= 128;
    }
    throw new DecodeError('varint longer than 5 bytes');
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Unsigned varlong of at most 64 bits (10 bytes). */
  uvarlong(): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const byte = this.buf[this.take(1)] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (value > 0xffffffffffffffffn) throw new DecodeError('unsigned varlong exceeds 64 bits');
        return value;
      }
      shift += 7n;
    }
    throw new DecodeError('varlong longer than 10 bytes');
  }

  /** Zigzag-encoded signed 64-bit varlong. */
  varlong(): bigint {
    const u = this.uvarlong();
    return (u >> 1n) ^ -(u & 1n);
  }

  /** Length of a string: -1 means null; other negatives are malformed. */
  stringLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int16();
    return this.checkLength(n);
  }

  /** Length of bytes, records or an array (count): -1 means null. */
  bytesLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    return this.checkLength(n);
  }

  private checkLength(n: number): number {
    if (n < -1) throw new DecodeError(`negative length ${n} at offset ${this.offset}`);
    if (n > this.end - this.offset) {
      throw new DecodeError(`length ${n} exceeds the ${this.end - this.offset} bytes remaining`);
    }
    return n;
  }

  /** UTF-8 text of n bytes (n already checked). */
  utf8(n: number): string {
    const at = this.take(n);
    return this.buf.toString('utf8', at, at + n);
  }

  /** n bytes as a zero-copy view of the input. */
  slice(n: number): Buffer {
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }
}
