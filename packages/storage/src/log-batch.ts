/**
 * Record batch headers as the log sees them: the few fields its indexes,
 * lookups and offset assignment use, and the in-place stamping of appended
 * batches. Built on @runnel/protocol's batch header helpers; storage never
 * looks past the 61-byte header, so append and read stay per batch, never
 * per record.
 */
import { assert } from '@runnel/common';
import {
  BATCH_LENGTH_OFFSET,
  CRC_COVERED_FROM,
  CRC_OFFSET,
  CURRENT_MAGIC,
  crc32c,
  LAST_OFFSET_DELTA_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  RECORD_BATCH_HEADER_BYTES,
  readBatchHeader,
  writeBaseOffset,
  writeLogAppendTime,
  writePartitionLeaderEpoch,
} from '@runnel/protocol';

export interface LogBatch {
  baseOffset: bigint;
  lastOffsetDelta: number;
  /** The whole batch, log overhead included. */
  sizeBytes: number;
  maxTimestampMs: bigint;
}

/** Reads the batch header at `pos`; the caller has checked the header is all there. */
export function readLogBatch(buf: Buffer, pos: number): LogBatch {
  const header = readBatchHeader(buf, pos);
  return {
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    sizeBytes: LOG_OVERHEAD + header.batchLength,
    maxTimestampMs: header.maxTimestamp,
  };
}

/** A batch being appended: its header fields and where it starts in the appended buffer. */
export interface AppendedBatch extends LogBatch {
  bufferPosition: number;
}

/**
 * Walks the batches in `buf` (whole v2 batches the broker has validated),
 * stamping offsets from `baseOffset` (and LogAppendTime) in place; a
 * malformed buffer is the caller's bug.
 */
export function stampAppendedBatches(
  buf: Buffer,
  baseOffset: bigint,
  leaderEpoch: number,
  logAppendTimeMs: bigint | null,
): AppendedBatch[] {
  const summaries: AppendedBatch[] = [];
  let next = baseOffset;
  let pos = 0;
  while (pos < buf.length) {
    assert(buf.length - pos >= RECORD_BATCH_HEADER_BYTES, `partial batch header at ${pos} of append`);
    const size = LOG_OVERHEAD + buf.readInt32BE(pos + BATCH_LENGTH_OFFSET);
    assert(size >= RECORD_BATCH_HEADER_BYTES && pos + size <= buf.length, `bad batch length at ${pos} of append`);
    assert(buf.readInt8(pos + MAGIC_OFFSET) === CURRENT_MAGIC, `batch at ${pos} is not magic v2`);
    assert(buf.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) >= 0, `negative lastOffsetDelta at ${pos}`);
    // baseOffset and partitionLeaderEpoch lie outside the CRC; LogAppendTime rewrites the CRC itself.
    writeBaseOffset(buf, pos, next);
    writePartitionLeaderEpoch(buf, pos, leaderEpoch);
    if (logAppendTimeMs !== null) writeLogAppendTime(buf, pos, size, logAppendTimeMs);
    const summary = readLogBatch(buf, pos);
    summaries.push({ ...summary, bufferPosition: pos });
    next = summary.baseOffset + BigInt(summary.lastOffsetDelta) + 1n;
    pos += size;
  }
  assert(summaries.length > 0, 'append of no batches');
  return summaries;
}

/**
 * Names the damage in a whole batch scanLogBatches called corrupt: null when
 * its framing and CRC are sound (it doubted only the record counts or codec,
 * which the log never judges). Checks in scanLogBatches' order, so the name
 * is the reason it stopped.
 */
export function batchFramingDefect(buf: Buffer, at: number): 'bad_magic' | 'bad_length' | 'bad_crc' | null {
  if (buf.readInt8(at + MAGIC_OFFSET) !== CURRENT_MAGIC) return 'bad_magic';
  const batchLength = buf.readInt32BE(at + BATCH_LENGTH_OFFSET);
  if (batchLength < RECORD_BATCH_HEADER_BYTES - LOG_OVERHEAD) return 'bad_length';
  const crc = crc32c(buf.subarray(at + CRC_COVERED_FROM, at + LOG_OVERHEAD + batchLength));
  return crc === buf.readUInt32BE(at + CRC_OFFSET) ? null : 'bad_crc';
}
