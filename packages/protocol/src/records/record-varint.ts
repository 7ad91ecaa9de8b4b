/**
 * Zigzag varints as used inside records (signed: 0, -1, 1, -2, ... map to
 * 0, 1, 2, 3, ...; then unsigned base-128, low group first). Not the plain
 * unsigned varints of compact protocol lengths: the two must not be mixed.
 *
 * varint covers int32 fields (at most 5 bytes), varlong int64 (at most 10).
 */
import { RecordBatchDecodeError } from './record-decode-error.ts';

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

export function zigzagVarintSize(value: number): number {
  let z = ((value << 1) ^ (value >> 31)) >>> 0;
  let size = 1;
  while (z >= 0x80) {
    z >>>= 7;
    size++;
  }
  return size;
}

/** Writes an int32 at `pos`; returns the position after it. */
export function writeZigzagVarint(buf: Buffer, pos: number, value: number): number {
  let z = ((value << 1) ^ (value >> 31)) >>> 0;
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

export function zigzagVarlongSize(value: bigint): number {
  if (value >= INT32_MIN && value <= INT32_MAX) return zigzagVarintSize(Number(value));
  let z = zigzag64(value);
  let size = 1;
  while (z >= 0x80n) {
    z >>= 7n;
    size++;
  }
  return size;
}

/** Writes an int64 at `pos`; returns the position after it. */
export function writeZigzagVarlong(buf: Buffer, pos: number, value: bigint): number {
  // Zigzag of a value that fits int32 is the same at either width.
  if (value >= INT32_MIN && value <= INT32_MAX) return writeZigzagVarint(buf, pos, Number(value));
  let z = zigzag64(value);
  while (z >= 0x80n) {
    buf[pos++] = Number(z & 0x7fn) | 0x80;
    z >>= 7n;
  }
  buf[pos++] = Number(z);
  return pos;
}

function zigzag64(value: bigint): bigint {
  return BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
}

/**
 * A bounded cursor over record bytes. Every read past `end` or malformed
 * varint throws RecordBatchDecodeError('invalid_record'), so a decoder built
 * on it never throws anything else on bad input.
 */
export class RecordReader {
  readonly buf: Buffer;
  pos: number;
  readonly end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  varint(): number {
    let z = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const byte = this.buf[this.pos++] ?? 0;
      z += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) {
        if (z > 0xffffffff) this.fail('varint overflows int32');
        return (z >>> 1) ^ -(z & 1);
      }
    }
    return this.fail('varint longer than 5 bytes');
  }

  varlong(): bigint {
    this.need(1);
    const first = this.buf[this.pos] ?? 0;
    if (first < 0x80) {
      this.pos++;
      return BigInt((first >>> 1) ^ -(first & 1));
    }
    let z = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      this.need(1);
      const byte = this.buf[this.pos++] ?? 0;
      z |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) {
        if (z > 0xffffffffffffffffn) this.fail('varlong overflows int64');
        return BigInt.asIntN(64, (z >> 1n) ^ -(z & 1n));
      }
    }
    return this.fail('varlong longer than 10 bytes');
  }

  /** A view of the next `length` bytes (no copy). */
  bytes(length: number): Buffer {
    this.need(length);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  fail(message: string): never {
    throw new RecordBatchDecodeError('invalid_record', `${message} at byte ${this.pos}`);
  }

  private need(length: number): void {
    if (length > this.end - this.pos) this.fail(`record needs ${length} bytes, ${this.end - this.pos} left`);
  }
}
