/**
 * Consumer lag that counts data records only: `groups describe` subtracts
 * the offsets transaction markers (control batches) take between the
 * committed offset and the log end, so a transactional partition read to
 * its end shows 0 (kafka-consumer-groups.sh shows one per transaction).
 * The broker's lag metric knows where its markers lie; a client does not,
 * so this reads the range with Fetch (read_uncommitted) and walks batch
 * headers, never decoding records. Bounded per partition by `bytesMax`: a
 * longer range counts the markers of its first `bytesMax` bytes only, so
 * the lag shown is then an upper bound (off by at most the markers past
 * that point, where the lag is large anyway).
 */
import type { KafkaClient } from '@runnel/client';
import {
  ATTRIBUTE_CONTROL,
  ATTRIBUTES_OFFSET,
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  ErrorCode,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  RECORD_BATCH_HEADER_BYTES,
} from '@runnel/protocol';

export const markerScanBytesMax = 8 * 1024 * 1024;
const fetchBytes = 1024 * 1024;

/** Markers of [from, to) in the whole batches of `records`, and the offset after the last whole batch (null when none). */
export function markersInBatches(
  records: Buffer,
  from: bigint,
  to: bigint,
): { markers: bigint; nextOffset: bigint | null } {
  let markers = 0n;
  let nextOffset: bigint | null = null;
  for (let at = 0; at + RECORD_BATCH_HEADER_BYTES <= records.length; ) {
    const size = LOG_OVERHEAD + records.readInt32BE(at + BATCH_LENGTH_OFFSET);
    if (at + size > records.length) break;
    const base = records.readBigInt64BE(at + BASE_OFFSET_OFFSET);
    const last = base + BigInt(records.readInt32BE(at + LAST_OFFSET_DELTA_OFFSET));
    if ((records.readInt16BE(at + ATTRIBUTES_OFFSET) & ATTRIBUTE_CONTROL) !== 0) {
      // Only the part of the batch inside the range (a fetch starts at the batch holding `from`).
      const start = base > from ? base : from;
      const end = last + 1n < to ? last + 1n : to;
      if (end > start) markers += end - start;
    }
    nextOffset = last + 1n;
    at += size;
  }
  return { markers, nextOffset };
}

/** Offsets of [from, to) control batches take, as far as `bytesMax` of fetched batches reach; null when the leader cannot say. */
export async function countMarkers(
  client: KafkaClient,
  topic: string,
  partition: number,
  from: bigint,
  to: bigint,
  bytesMax = markerScanBytesMax,
): Promise<bigint | null> {
  let markers = 0n;
  let offset = from;
  for (let readBytes = 0; offset < to && readBytes < bytesMax; ) {
    const fetched = await client.fetch(topic, partition, offset, { maxBytes: fetchBytes });
    if (fetched.errorCode !== ErrorCode.NONE) return null;
    const found = markersInBatches(fetched.records, offset, to);
    if (found.nextOffset === null || found.nextOffset <= offset) break;
    markers += found.markers;
    offset = found.nextOffset;
    readBytes += fetched.records.length;
  }
  return markers;
}
