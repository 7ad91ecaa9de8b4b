/**
 * Recovery of one segment on open, with no manual steps:
 * - a sealed segment whose indexes are well formed is trusted as is (it was
 *   fsynced when it rolled: it lies below the recovery point); one with a
 *   missing or inconsistent index is rescanned from the start;
 * - after an unclean shutdown the active segment is rescanned from its
 *   start: every batch written since the last flush point (the recovery
 *   point, never below the active segment's base) is checked, not only the
 *   tail past the last index entry, so a damaged batch in the middle of the
 *   segment is found and cut off with everything after it.
 * A scan verifies every batch (length, magic, CRC32C with @runnel/protocol's
 * scanLogBatches; contiguous offsets here) and the log is truncated at the
 * first defect: a torn or corrupt tail.
 *
 * After a clean shutdown the active segment is instead restored from its
 * indexes (restoreCleanActiveSegment), verifying only the tail past its last
 * offset-index entry; any mismatch hands it back to recoverActiveSegment.
 */
import { assert, err, ok, type Result } from '@runnel/common';
import {
  BASE_OFFSET_OFFSET,
  BATCH_LENGTH_OFFSET,
  LOG_OVERHEAD,
  type BatchSummary as LogScanBatch,
  RECORD_BATCH_HEADER_BYTES,
  scanLogBatches,
} from '@runnel/protocol';
import { readAt } from './file-system.ts';
import type { IndexFile } from './index-file.ts';
import { batchFramingDefect, type LogBatch, readLogBatch } from './log-batch.ts';
import type { LogSegment } from './log-segment.ts';

/** Why a batch's bytes cannot be kept: cut off, or damaged in framing or CRC. */
export type BatchDefect = 'torn' | 'bad_length' | 'bad_magic' | 'bad_crc';
export type ScanDefect = BatchDefect | 'offset_mismatch';

export interface SegmentRecovery {
  /** Bytes cut off the end of the log file. */
  truncatedBytes: number;
  /** Why the scan stopped early, if it did. */
  defect: ScanDefect | null;
  /** Whether index entries had to be dropped or rebuilt. */
  rebuiltIndex: boolean;
  /** The first offset the scan checked, or null when the segment was trusted unread. */
  checkedFromOffset: bigint | null;
  /** Batches and bytes the scan verified (framing, magic, CRC32C, contiguous offsets) and kept. */
  checkedBatches: number;
  checkedBytes: number;
  /** The first offset cut off with the truncated bytes (the segment's end after recovery), or null. */
  truncatedFromOffset: bigint | null;
}

type ScanReport = Omit<SegmentRecovery, 'rebuiltIndex'>;

const trusted: ScanReport = {
  truncatedBytes: 0,
  defect: null,
  checkedFromOffset: null,
  checkedBatches: 0,
  checkedBytes: 0,
  truncatedFromOffset: null,
};

const scanChunkBytes = 8 * 1024 * 1024;

/** `nextBase` is the following segment's base offset. */
export async function recoverSealedSegment(segment: LogSegment, nextBase: bigint): Promise<SegmentRecovery> {
  const fileBytes = segment.sizeBytes;
  const oi = segment.offsetIndex;
  const ti = segment.timeIndex;
  const relEnd = nextBase - segment.baseOffset;
  const indexesSound =
    oi.validPrefix(fileBytes) === oi.count &&
    relEnd <= 0x7fffffffn &&
    ti.validPrefix(Number(relEnd)) === ti.count &&
    (fileBytes === 0 || ti.count > 0);
  if (indexesSound) {
    segment.restoreSealed(fileBytes, nextBase);
    return { ...trusted, rebuiltIndex: false };
  }
  const result = await rescanFromStart(segment, fileBytes);
  segment.markLargestTimestamp();
  await segment.persistIndexes();
  return { ...result, rebuiltIndex: true };
}

/**
 * The active segment after an unclean shutdown: rescanned from its start
 * with its indexes rebuilt. Its last index entries only say where a batch
 * began when it was appended, not that the bytes before them survived, so
 * trusting them (as this did once) let a CRC-broken batch in the middle of
 * the segment be served after a "full" recovery.
 */
export async function recoverActiveSegment(segment: LogSegment): Promise<SegmentRecovery> {
  const fileBytes = segment.sizeBytes;
  const offsetsBefore = entriesOf(segment.offsetIndex.file);
  const timesBefore = entriesOf(segment.timeIndex.file);
  const result = await rescanFromStart(segment, fileBytes);
  await segment.persistIndexes();
  // Indexes lag the log after a crash (they are written in batches): only entries the rebuild changed or dropped were wrong.
  const rebuiltIndex =
    !isPrefixOf(offsetsBefore, entriesOf(segment.offsetIndex.file)) ||
    !isPrefixOf(timesBefore, entriesOf(segment.timeIndex.file));
  return { ...result, rebuiltIndex };
}

function entriesOf(file: IndexFile): Buffer {
  return Buffer.from(file.bytes.subarray(0, file.count * file.entryBytes));
}

function isPrefixOf(prefix: Buffer, whole: Buffer): boolean {
  return prefix.length <= whole.length && prefix.equals(whole.subarray(0, prefix.length));
}

/** Why a clean-shutdown open could not trust the active segment as close() left it. */
export type CleanOpenMismatch = 'size_mismatch' | 'end_mismatch' | 'index_mismatch' | 'tail_defect';

/**
 * Opening after a clean shutdown: trusts the active segment's indexes and
 * verifies only the batches past its last offset-index entry (framing,
 * magic, CRC, contiguous offsets: at most about index.interval.bytes plus
 * one batch), which must end exactly at the file's end and at the log end
 * close() recorded. On a mismatch the segment is left as it was opened, for
 * recoverActiveSegment.
 */
export async function restoreCleanActiveSegment(
  segment: LogSegment,
  closed: { sizeBytes: number; nextOffset: bigint },
): Promise<Result<SegmentRecovery, CleanOpenMismatch>> {
  const fileBytes = segment.sizeBytes;
  if (fileBytes !== closed.sizeBytes) return err('size_mismatch');
  const relEnd = closed.nextOffset - segment.baseOffset;
  if (relEnd < 0n || relEnd > 0x80000000n) return err('end_mismatch');
  const oi = segment.offsetIndex;
  const ti = segment.timeIndex;
  const offsetEntries = oi.count;
  const timeEntries = ti.count;
  const indexesSound =
    oi.file.inSyncWithFile &&
    ti.file.inSyncWithFile &&
    oi.validPrefix(fileBytes) === offsetEntries &&
    ti.validPrefix(Number(relEnd)) === timeEntries;
  if (!indexesSound) return err('index_mismatch');

  const from = oi.last() ?? { relOffset: 0, position: 0 };
  const largest = ti.last();
  const largestMs = largest?.timestampMs ?? -1n;
  segment.resetScanState({
    position: from.position,
    nextOffset: segment.baseOffset + BigInt(from.relOffset),
    maxTimestampMs: largestMs,
    offsetOfMaxTimestamp: largest?.relOffset ?? 0,
  });
  const checkedFromOffset = segment.nextOffset;
  const end = await scanBatches(segment, from.position, fileBytes);
  let mismatch: CleanOpenMismatch | null = null;
  if (end.defect !== null || end.position !== fileBytes) mismatch = 'tail_defect';
  else if (segment.nextOffset !== closed.nextOffset) mismatch = 'end_mismatch';
  // close() ends the time index with the segment's largest timestamp, and
  // replaying the tail from the last entry adds no entry where append added none.
  else if (segment.maxTimestampMs !== largestMs || oi.count !== offsetEntries || ti.count !== timeEntries) {
    mismatch = 'index_mismatch';
  }
  segment.setScannedSize(fileBytes);
  if (mismatch !== null) {
    oi.file.truncateEntries(offsetEntries);
    ti.truncateEntries(timeEntries);
    return err(mismatch);
  }
  return ok({
    ...trusted,
    checkedFromOffset,
    checkedBatches: end.batches,
    checkedBytes: end.position - from.position,
    rebuiltIndex: false,
  });
}

async function rescanFromStart(segment: LogSegment, fileBytes: number): Promise<ScanReport> {
  segment.offsetIndex.file.truncateEntries(0);
  segment.timeIndex.truncateEntries(0);
  segment.resetScanState({ position: 0, nextOffset: segment.baseOffset, maxTimestampMs: -1n, offsetOfMaxTimestamp: 0 });
  const end = await scanBatches(segment, 0, fileBytes);
  const validBytes = end.position;
  if (validBytes < fileBytes) await segment.truncateLogFile(validBytes);
  else segment.setScannedSize(validBytes);
  return {
    truncatedBytes: fileBytes - validBytes,
    defect: end.defect,
    checkedFromOffset: segment.baseOffset,
    checkedBatches: end.batches,
    checkedBytes: validBytes,
    truncatedFromOffset: validBytes < fileBytes ? segment.nextOffset : null,
  };
}

interface ScanEnd {
  position: number;
  defect: ScanDefect | null;
  /** Batches admitted before the scan ended. */
  batches: number;
}

/**
 * Verifies and indexes batches from `from` until the end of the file or the
 * first defect; returns where the valid bytes end. Reads in large chunks and
 * lets scanLogBatches walk each one; a batch that runs past a chunk is read
 * again from its start in a chunk big enough to hold it.
 */
async function scanBatches(segment: LogSegment, from: number, fileBytes: number): Promise<ScanEnd> {
  const seen = { batches: 0 };
  let position = from;
  let chunkBytes = scanChunkBytes;
  while (position < fileBytes) {
    const chunk = await readAt(segment.logFile, position, Math.min(fileBytes - position, chunkBytes));
    const reachesEof = position + chunk.length >= fileBytes;
    chunkBytes = scanChunkBytes;
    const scan = scanLogBatches(chunk);
    for (const batch of scan.batches) {
      const defect = admitBatch(segment, fromScan(chunk, batch), position + batch.position, seen);
      if (defect !== null) return { position: position + batch.position, defect, batches: seen.batches };
    }
    let at = scan.validBytes;
    if (scan.reason === 'corrupt') {
      const defect = batchFramingDefect(chunk, at);
      if (defect !== null) return { position: position + at, defect, batches: seen.batches };
      // Sound framing and CRC: scanLogBatches doubts only the record counts or
      // codec, which append never checks, so recovery keeps the batch rather
      // than drop bytes the log accepted.
      const batch = readLogBatch(chunk, at);
      const admitted = admitBatch(segment, batch, position + at, seen);
      if (admitted !== null) return { position: position + at, defect: admitted, batches: seen.batches };
      at += batch.sizeBytes;
    } else if (scan.reason === 'torn') {
      if (reachesEof) return { position: position + at, defect: 'torn', batches: seen.batches };
      const needed = batchBytesNeeded(chunk, at);
      // A length running past the end of the file can only be a torn write; reading it would be unbounded.
      if (needed > fileBytes - (position + at)) {
        return { position: position + at, defect: 'torn', batches: seen.batches };
      }
      chunkBytes = Math.max(scanChunkBytes, needed);
    }
    position += at;
  }
  assert(position === fileBytes, 'scan overran the file');
  return { position, defect: null, batches: seen.batches };
}

/** The log's view of a batch scanLogBatches accepted (its summary has no base offset: produce requests carry none). */
function fromScan(chunk: Buffer, batch: LogScanBatch): LogBatch {
  return {
    baseOffset: chunk.readBigInt64BE(batch.position + BASE_OFFSET_OFFSET),
    lastOffsetDelta: batch.lastOffsetDelta,
    sizeBytes: batch.sizeBytes,
    maxTimestampMs: batch.maxTimestamp,
  };
}

/** Checks that the batch continues the segment's offsets, then indexes and counts it. */
function admitBatch(
  segment: LogSegment,
  batch: LogBatch,
  position: number,
  seen: { batches: number },
): ScanDefect | null {
  if (batch.baseOffset !== segment.nextOffset || batch.lastOffsetDelta < 0) return 'offset_mismatch';
  if (batch.baseOffset + BigInt(batch.lastOffsetDelta) - segment.baseOffset > 0x7fffffffn) return 'offset_mismatch';
  segment.indexBatch(batch, position);
  seen.batches++;
  return null;
}

/** Bytes the batch at `at` needs: its length field's answer if the chunk holds it, else one header. */
function batchBytesNeeded(chunk: Buffer, at: number): number {
  if (chunk.length - at < LOG_OVERHEAD) return RECORD_BATCH_HEADER_BYTES;
  return Math.max(RECORD_BATCH_HEADER_BYTES, LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH_OFFSET));
}
