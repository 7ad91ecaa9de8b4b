/**
 * Appends Kafka wire types to a list of chunks (grammar in reader.ts).
 *
 * Small values go into a scratch Buffer; large byte payloads (records) are
 * appended as chunks of their own and never copied, so a Fetch response
 * carrying megabytes of log data costs only the header bytes. The result of
 * finish() suits socket.cork() + write() or writev.
 */
import { assert } from '@runnel/common';

const scratchBytesMin = 256;
/** Payloads at least this large become their own chunk instead of being copied. */
const copyBytesMax = 512;

const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Owned by one encode call. A Writer is single-use: after finish() it must
 * not be written again. Invalid values (out of range, wrong type) are caller
 * bugs and throw AssertionError or the RangeError of the Buffer write.
 */
export class Writer {
  #chunks: Buffer[] = [];
  #buf: Buffer;
  #start = 0;
  #pos = 0;
  #length = 0;

  constructor(initialBytes = scratchBytesMin) {
    this.#buf = Buffer.allocUnsafe(Math.max(initialBytes, scratchBytesMin));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    this.#flushScratch();
    this.#buf = Buffer.allocUnsafe(Math.max(n, this.#buf.length * 2, scratchBytesMin));
    this.#start = 0;
    this.#pos = 0;
  }

  #flushScratch(): void {
    if (this.#pos > this.#start) this.#chunks.push(this.#buf.subarray(this.#start, this.#pos));
    this.#start = this.#pos;
  }

  int8(v: number): void {
    this.#ensure(1);
    this.#pos = this.#buf.writeInt8(v, this.#pos);
    this.#length += 1;
  }
  int16(v: number): void {
    this.#ensure(2);
    this.#pos = this.#buf.writeInt16BE(v, this.#pos);
    this.#length += 2;
  }
  int32(v: number): void {
    this.#ensure(4);
    this.#pos = this.#buf.writeInt32BE(v, this.#pos);
    this.#length += 4;
  }
  int64(v: bigint): void {
    this.#ensure(8);
    this.#pos = this.#buf.writeBigInt64BE(v, this.#pos);
    this.#length += 8;
  }
  uint16(v: number): void {
    this.#ensure(2);
    this.#pos = this.#buf.writeUInt16BE(v, this.#pos);
    this.#length += 2;
  }
  uint32(v: number): void {
    this.#ensure(4);
    this.#pos = this.#buf.writeUInt32BE(v, this.#pos);
    this.#length += 4;
  }
  float64(v: number): void {
    this.#ensure(8);
    this.#pos = this.#buf.writeDoubleBE(v, this.#pos);
    this.#length += 8;
  }
  bool(v: boolean): void {
    this.#ensure(1);
    this.#buf[this.#pos++] = v ? 1 : 0;
    this.#length += 1;
  }

  uuid(v: string): void {
    assert(uuidPattern.test(v), `not a UUID: ${v}`);
    this.#ensure(16);
    this.#pos += this.#buf.write(v.replaceAll('-', ''), this.#pos, 16, 'hex');
    this.#length += 16;
  }

  uvarint(v: number): void {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffffffff, `uvarint out of range: ${v}`);
    this.#ensure(5);
    let rest = v;
    while (rest >= 0x80) {
      this.#buf[this.#pos++] = (rest % 128) | 0x80;
      this.#length += 1;
      rest = Math.floor(rest / 128);
    }
    this.#buf[this.#pos++] = rest;
    this.#length += 1;
  }

  varint(v: number): void {
    assert(Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff, `varint out of range: ${v}`);
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  uvarlong(v: bigint): void {
    assert(v >= 0n && v <= 0xffffffffffffffffn, `uvarlong out of range: ${v}`);
    this.#ensure(10);
    let rest = v;
    while (rest >= 0x80n) {
      this.#buf[this.#pos++] = Number(rest & 0x7fn) | 0x80;
      this.#length += 1;
      rest >>= 7n;
    }
    this.#buf[this.#pos++] = Number(rest);
    this.#length += 1;
  }

  varlong(v: bigint): void {
    this.uvarlong(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  /** A string with its length prefix; null only where the caller allows it. */
  string(v: string | null, compact: boolean): void {
    if (v === null) {
      if (compact) this.uvarint(0);
      else this.int16(-1);
      return;
    }
    const n = Buffer.byteLength(v, 'utf8');
    assert(n <= 0x7fff, `string of ${n} bytes is too long for the wire`);
    if (compact) this.uvarint(n + 1);
    else this.int16(n);
    this.#ensure(n);
    this.#pos += this.#buf.write(v, this.#pos, n, 'utf8');
    this.#length += n;
  }

  /** Length prefix of bytes, records or an array; -1 means null. */
  length32(n: number, compact: boolean): void {
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
  }

  /** Raw bytes: copied when small, appended as their own chunk when large. */
  raw(b: Uint8Array): void {
    if (b.length >= copyBytesMax) {
      this.#flushScratch();
      this.#chunks.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length));
    } else {
      this.#ensure(b.length);
      this.#buf.set(b, this.#pos);
      this.#pos += b.length;
    }
    this.#length += b.length;
  }

  /** Appends a buffer as its own chunk, never copied (record data). */
  chunk(b: Buffer): void {
    if (b.length === 0) return;
    this.#flushScratch();
    this.#chunks.push(b);
    this.#length += b.length;
  }

  /** Appends another writer's output (used for tagged fields, whose size precedes them). */
  append(chunks: readonly Buffer[]): void {
    for (const c of chunks) this.raw(c);
  }

  /** The encoded bytes as chunks, in order. The writer must not be used afterwards. */
  finish(): Buffer[] {
    this.#flushScratch();
    return this.#chunks;
  }
}
