/**
 * Exact answers to "which record has this timestamp" (ListOffsets), from
 * one stored batch. The time index and the batch headers find the first
 * batch whose maxTimestamp reaches the time asked for; a producer that
 * batches records with increasing timestamps puts older records before
 * that one in the same batch, so the answer is the first RECORD of the
 * batch at or after the time, not the batch's base offset (seeking a group
 * to a time would replay the older ones). Only that batch is decoded, never
 * on the produce or fetch path.
 */
import {
  type DecodedBatch,
  decodeRecordBatches,
  RecordBatchDecodeError,
  readBatchHeader,
  timestampType,
} from '@runnel/protocol';

export interface TimestampLookup {
  offset: bigint;
  timestampMs: bigint;
  /** The leader epoch that wrote the batch holding the record (-1 when unknown). */
  leaderEpoch: number;
}

/**
 * The first record of `batch` (one whole stored batch) whose timestamp is
 * at or after `timestampMs`, or null when none is (compaction may have
 * removed the record that set the batch's maxTimestamp). Under
 * LogAppendTime every record's timestamp is the batch's maxTimestamp.
 */
export async function firstRecordAtOrAfter(batch: Buffer, timestampMs: bigint): Promise<TimestampLookup | null> {
  const header = readBatchHeader(batch, 0);
  if (header.maxTimestamp < timestampMs) return null;
  const at = (offset: bigint, timestamp: bigint) => ({
    offset,
    timestampMs: timestamp,
    leaderEpoch: header.partitionLeaderEpoch,
  });
  let decoded: DecodedBatch | undefined;
  try {
    // Stored batches were checked on append and on recovery: the CRC is not checked again.
    [decoded] = await decodeRecordBatches(batch, { verifyCrc: false });
  } catch (error) {
    // Records a broker cannot decode (never written by a client it accepted): the batch as a whole answers.
    if (error instanceof RecordBatchDecodeError) return at(header.baseOffset, header.maxTimestamp);
    throw error;
  }
  const appendTime = timestampType(header.attributes) === 'log_append_time';
  for (const record of decoded?.records ?? []) {
    const timestamp = appendTime ? header.maxTimestamp : record.timestamp;
    if (timestamp >= timestampMs) return at(record.offset, timestamp);
  }
  return null;
}
