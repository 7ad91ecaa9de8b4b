/**
 * One record inside a v2 batch. All varints are zigzag (record-varint.ts).
 *
 *   length          varint   bytes after this field
 *   attributes      int8     unused, 0
 *   timestampDelta  varlong  from the batch's baseTimestamp
 *   offsetDelta     varint   from the batch's baseOffset
 *   keyLength       varint   -1 = null key
 *   key             bytes
 *   valueLength     varint   -1 = null value (a tombstone)
 *   value           bytes
 *   headerCount     varint
 *   headers         { keyLength varint, key utf-8 (never null), valueLength varint (-1 = null), value }
 */
import { assert } from '@runnel/common';
import type { RecordReader } from './record-varint.ts';
import { writeZigzagVarint, writeZigzagVarlong, zigzagVarintSize, zigzagVarlongSize } from './record-varint.ts';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record to encode. Deltas default to the record's index and 0. */
export interface KafkaRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  offsetDelta?: number;
  timestampDelta?: bigint;
}

/**
 * A decoded record. `key`, `value` and header values are views into the
 * decoded input (or its decompressed payload): copy them to keep them after
 * the input buffer is reused.
 */
export interface DecodedRecord {
  offset: bigint;
  timestamp: bigint;
  offsetDelta: number;
  timestampDelta: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Smallest encoding of a header: key length and value length, one byte each. */
const HEADER_BYTES_MIN = 2;

/** Bytes of the record body, i.e. without its own length prefix. */
function bodySize(record: KafkaRecord, offsetDelta: number, timestampDelta: bigint): number {
  let size = 1 + zigzagVarlongSize(timestampDelta) + zigzagVarintSize(offsetDelta);
  size += nullableBytesSize(record.key) + nullableBytesSize(record.value);
  const headers = record.headers ?? [];
  size += zigzagVarintSize(headers.length);
  for (const header of headers) {
    assert(typeof header.key === 'string', 'record header keys are non-null strings');
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    size += zigzagVarintSize(keyBytes) + keyBytes + nullableBytesSize(header.value);
  }
  return size;
}

function nullableBytesSize(bytes: Buffer | null): number {
  return bytes === null ? 1 : zigzagVarintSize(bytes.length) + bytes.length;
}

/** Whole encoded size of a record, length prefix included. */
export function encodedRecordSize(record: KafkaRecord, offsetDelta: number, timestampDelta: bigint): number {
  const body = bodySize(record, offsetDelta, timestampDelta);
  return zigzagVarintSize(body) + body;
}

/** Writes the record at `pos` (the caller sized `buf` with encodedRecordSize); returns the position after it. */
export function writeRecord(
  buf: Buffer,
  pos: number,
  record: KafkaRecord,
  offsetDelta: number,
  timestampDelta: bigint,
): number {
  let p = writeZigzagVarint(buf, pos, bodySize(record, offsetDelta, timestampDelta));
  buf[p++] = 0;
  p = writeZigzagVarlong(buf, p, timestampDelta);
  p = writeZigzagVarint(buf, p, offsetDelta);
  p = writeNullableBytes(buf, p, record.key);
  p = writeNullableBytes(buf, p, record.value);
  const headers = record.headers ?? [];
  p = writeZigzagVarint(buf, p, headers.length);
  for (const header of headers) {
    const keyBytes = Buffer.byteLength(header.key, 'utf8');
    p = writeZigzagVarint(buf, p, keyBytes);
    p += buf.write(header.key, p, keyBytes, 'utf8');
    p = writeNullableBytes(buf, p, header.value);
  }
  return p;
}

function writeNullableBytes(buf: Buffer, pos: number, bytes: Buffer | null): number {
  if (bytes === null) return writeZigzagVarint(buf, pos, -1);
  const p = writeZigzagVarint(buf, pos, bytes.length);
  bytes.copy(buf, p);
  return p + bytes.length;
}

/**
 * Reads one record; offsets and timestamps are made absolute from the batch's
 * base values. Throws RecordBatchDecodeError('invalid_record') on any
 * malformed or overrunning field.
 */
export function readRecord(reader: RecordReader, baseOffset: bigint, baseTimestamp: bigint): DecodedRecord {
  const length = reader.varint();
  if (length < 0 || length > reader.remaining()) reader.fail(`record length ${length} does not fit`);
  const end = reader.pos + length;
  reader.int8(); // attributes: unused by magic 2
  const timestampDelta = reader.varlong();
  const offsetDelta = reader.varint();
  const key = readNullableBytes(reader);
  const value = readNullableBytes(reader);
  const headerCount = reader.varint();
  if (headerCount < 0 || headerCount * HEADER_BYTES_MIN > end - reader.pos)
    reader.fail(`bad header count ${headerCount}`);
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyBytes = readNullableBytes(reader);
    if (keyBytes === null) reader.fail('null header key');
    headers.push({ key: keyBytes.toString('utf8'), value: readNullableBytes(reader) });
  }
  if (reader.pos !== end) reader.fail(`record body is ${reader.pos - (end - length)} bytes, length says ${length}`);
  return {
    offset: baseOffset + BigInt(offsetDelta),
    timestamp: baseTimestamp + timestampDelta,
    offsetDelta,
    timestampDelta,
    key,
    value,
    headers,
  };
}

function readNullableBytes(reader: RecordReader): Buffer | null {
  const length = reader.varint();
  if (length === -1) return null;
  if (length < -1) reader.fail(`negative length ${length}`);
  return reader.bytes(length);
}
