/**
 * What a Raft entry of the metadata log holds: one batch of metadata
 * records committed together (an admin operation, a heartbeat's fencing),
 * tagged with the proposer's id and a sequence number so the proposer can
 * match the committed entry to the caller waiting for it.
 *
 *   u8 version (1) | u32 proposer | f64 sequence | u32 count | count × (u32 length | record bytes)
 *
 * Record bytes are encodeMetadataRecord's. The snapshot data is
 *   u8 version (1) | i64 lastOffset | u32 count | count × (u32 length | record bytes)
 * where the records are imageRecords(image).
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { MetadataRecord } from '@runnel/metadata';
import { decodeMetadataRecord, encodeMetadataRecord } from '@runnel/metadata';

const entryVersion = 1;
const snapshotVersion = 1;

export interface MetadataEntry {
  readonly proposer: number;
  readonly sequence: number;
  readonly records: readonly MetadataRecord[];
}

export type EntryDecodeError = 'malformed_entry';

function encodeRecords(header: Buffer, records: readonly MetadataRecord[]): Buffer {
  const parts: Buffer[] = [header];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(records.length);
  parts.push(count);
  for (const r of records) {
    const body = encodeMetadataRecord(r);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    parts.push(length, body);
  }
  return Buffer.concat(parts);
}

function decodeRecords(buf: Buffer, start: number): Result<MetadataRecord[], EntryDecodeError> {
  if (buf.length < start + 4) return err('malformed_entry', 'truncated record count');
  const count = buf.readUInt32BE(start);
  let pos = start + 4;
  const records: MetadataRecord[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.length < pos + 4) return err('malformed_entry', `truncated length of record ${i}`);
    const length = buf.readUInt32BE(pos);
    pos += 4;
    if (buf.length < pos + length) return err('malformed_entry', `truncated record ${i}`);
    const decoded = decodeMetadataRecord(buf.subarray(pos, pos + length));
    if (!decoded.ok) return err('malformed_entry', `record ${i}: ${decoded.message ?? decoded.error}`);
    records.push(decoded.value);
    pos += length;
  }
  if (pos !== buf.length) return err('malformed_entry', 'trailing bytes');
  return ok(records);
}

export function encodeMetadataEntry(entry: MetadataEntry): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt8(entryVersion, 0);
  header.writeUInt32BE(entry.proposer, 1);
  header.writeDoubleBE(entry.sequence, 5);
  return encodeRecords(header, entry.records);
}

export function decodeMetadataEntry(data: Uint8Array): Result<MetadataEntry, EntryDecodeError> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 13 || buf.readUInt8(0) !== entryVersion) return err('malformed_entry', 'bad entry header');
  const records = decodeRecords(buf, 13);
  if (!records.ok) return records;
  return ok({ proposer: buf.readUInt32BE(1), sequence: buf.readDoubleBE(5), records: records.value });
}

export function encodeMetadataSnapshot(lastOffset: bigint, records: readonly MetadataRecord[]): Uint8Array {
  const header = Buffer.alloc(9);
  header.writeUInt8(snapshotVersion, 0);
  header.writeBigInt64BE(lastOffset, 1);
  return encodeRecords(header, records);
}

export function decodeMetadataSnapshot(
  data: Uint8Array,
): Result<{ lastOffset: bigint; records: MetadataRecord[] }, EntryDecodeError> {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 9 || buf.readUInt8(0) !== snapshotVersion) return err('malformed_entry', 'bad snapshot header');
  const records = decodeRecords(buf, 9);
  if (!records.ok) return records;
  return ok({ lastOffset: buf.readBigInt64BE(1), records: records.value });
}
