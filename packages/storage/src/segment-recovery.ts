/**
 * Recovery of one segment on open, with no manual steps:
 * - a sealed segment whose indexes are well formed is trusted as is; one
 *   with a missing or inconsistent index is rescanned from the start;
 * - the active segment is rescanned from the last point its indexes vouch
 *   for (the offset-index floor of the last time-index entry) or, failing
 *   that, from the start.
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
import { batchFramingDefect, type LogBatch, readLogBatch } from './log-batch.ts';
import type { LogSegment } from './log-segment.ts';

/** Why a batch's bytes cannot be kept: cut off, or damaged in framing or CRC. */
export type BatchDefect = 'torn' | 'bad_length' | 'bad_magic' | 'bad_crc';
export type ScanDefect = BatchDefect | 'offset_mismatch' | 'index_mismatch';

export interface SegmentRecovery {
  /** Bytes cut off the end of the log file. */
  truncatedBytes: number;
  /** Why the scan stopped early, if it did. */
  defect: ScanDefect | null;
  /** Whether index entries had to be dropped or rebuilt. */
  rebuiltIndex: boolean;
}

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
    return { truncatedBytes: 0, defect: null, rebuiltIndex: false };
  }
  const result = await rescanFromStart(segment, fileBytes);
  segment.markLargestTimestamp();
  await segment.persistIndexes();
  return { ...result, rebuiltIndex: true };
}

export async function recoverActiveSegment(segment: LogSegment): Promise<SegmentRecovery> {
  const fileBytes = segment.sizeBytes;
  const oi = segment.offsetIndex;
  const ti = segment.timeIndex;
  const offsetEntries = oi.count;
  const timeEntries = ti.count;
  oi.file.truncateEntries(oi.validPrefix(fileBytes));
  ti.truncateEntries(ti.validPrefix(0x7fffffff));
  let rebuiltIndex = oi.count < offsetEntries || ti.count < timeEntries;

  let result: Omit<SegmentRecovery, 'rebuiltIndex'> | null = null;
  const lastTime = ti.last();
  if (lastTime !== null) {
    const floor = oi.floor(lastTime.relOffset);
    oi.truncateAfter(floor.relOffset);
    segment.resetScanState({
      position: floor.position,
      nextOffset: segment.baseOffset + BigInt(floor.relOffset),
      maxTimestampMs: lastTime.timestampMs,
      offsetOfMaxTimestamp: lastTime.relOffset,
    });
    const expect = { offset: segment.baseOffset + BigInt(lastTime.relOffset), maxTimestampMs: lastTime.timestampMs };
    const end = await scanBatches(segment, floor.position, fileBytes, expect);
    const trusted = end.expectSeen && end.defect !== 'index_mismatch';
    if (trusted) result = await cutTail(segment, end.position, fileBytes, end.defect);
  }
  if (result === null) {
    rebuiltIndex = rebuiltIndex || offsetEntries > 0 || timeEntries > 0;
    result = await rescanFromStart(segment, fileBytes);
  }
  await segment.persistIndexes();
  return { ...result, rebuiltIndex };
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
  const end = await scanBatches(segment, from.position, fileBytes, null);
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
  return ok({ truncatedBytes: 0, defect: null, rebuiltIndex: false });
}

async function rescanFromStart(segment: LogSegment, fileBytes: number): Promise<Omit<SegmentRecovery, 'rebuiltIndex'>> {
  segment.offsetIndex.file.truncateEntries(0);
  segment.timeIndex.truncateEntries(0);
  segment.resetScanState({ position: 0, nextOffset: segment.baseOffset, maxTimestampMs: -1n, offsetOfMaxTimestamp: 0 });
  const end = await scanBatches(segment, 0, fileBytes, null);
  return cutTail(segment, end.position, fileBytes, end.defect);
}

async function cutTail(
  segment: LogSegment,
  validBytes: number,
  fileBytes: number,
  defect: ScanDefect | null,
): Promise<Omit<SegmentRecovery, 'rebuiltIndex'>> {
  if (validBytes < fileBytes) await segment.truncateLogFile(validBytes);
  else segment.setScannedSize(validBytes);
  return { truncatedBytes: fileBytes - validBytes, defect };
}

interface ScanEnd {
  position: number;
  defect: ScanDefect | null;
  expectSeen: boolean;
}

/** A batch the recovery scan expects to meet, as the time index last recorded it. */
interface Expected {
  offset: bigint;
  maxTimestampMs: bigint;
}

/**
 * Verifies and indexes batches from `from` until the end of the file or the
 * first defect; returns where the valid bytes end. Reads in large chunks and
 * lets scanLogBatches walk each one; a batch that runs past a chunk is read
 * again from its start in a chunk big enough to hold it.
 */
async function scanBatches(
  segment: LogSegment,
  from: number,
  fileBytes: number,
  expect: Expected | null,
): Promise<ScanEnd> {
  const seen = { expectSeen: false };
  let position = from;
  let chunkBytes = scanChunkBytes;
  while (position < fileBytes) {
    const chunk = await readAt(segment.logFile, position, Math.min(fileBytes - position, chunkBytes));
    const reachesEof = position + chunk.length >= fileBytes;
    chunkBytes = scanChunkBytes;
    const scan = scanLogBatches(chunk);
    for (const batch of scan.batches) {
      const defect = admitBatch(segment, fromScan(chunk, batch), position + batch.position, expect, seen);
      if (defect !== null) return { position: position + batch.position, defect, expectSeen: seen.expectSeen };
    }
    let at = scan.validBytes;
    if (scan.reason === 'corrupt') {
      const defect = batchFramingDefect(chunk, at);
      if (defect !== null) return { position: position + at, defect, expectSeen: seen.expectSeen };
      // Sound framing and CRC: scanLogBatches doubts only the record counts or
      // codec, which append never checks, so recovery keeps the batch rather
      // than drop bytes the log accepted.
      const batch = readLogBatch(chunk, at);
      const admitted = admitBatch(segment, batch, position + at, expect, seen);
      if (admitted !== null) return { position: position + at, defect: admitted, expectSeen: seen.expectSeen };
      at += batch.sizeBytes;
    } else if (scan.reason === 'torn') {
      if (reachesEof) return { position: position + at, defect: 'torn', expectSeen: seen.expectSeen };
      const needed = batchBytesNeeded(chunk, at);
      // A length running past the end of the file can only be a torn write; reading it would be unbounded.
      if (needed > fileBytes - (position + at)) {
        return { position: position + at, defect: 'torn', expectSeen: seen.expectSeen };
      }
      chunkBytes = Math.max(scanChunkBytes, needed);
    }
    position += at;
  }
  assert(position === fileBytes, 'scan overran the file');
  return { position, defect: null, expectSeen: seen.expectSeen };
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

/** Checks that the batch continues the segment's offsets (and matches the time index), then indexes it. */
function admitBatch(
  segment: LogSegment,
  batch: LogBatch,
  position: number,
  expect: Expected | null,
  seen: { expectSeen: boolean },
): ScanDefect | null {
  if (batch.baseOffset !== segment.nextOffset || batch.lastOffsetDelta < 0) return 'offset_mismatch';
  if (expect !== null && batch.baseOffset === expect.offset) {
    if (batch.maxTimestampMs !== expect.maxTimestampMs) return 'index_mismatch';
    seen.expectSeen = true;
  }
  if (batch.baseOffset + BigInt(batch.lastOffsetDelta) - segment.baseOffset > 0x7fffffffn) return 'offset_mismatch';
  segment.indexBatch(batch, position);
  return null;
}

/** Bytes the batch at `at` needs: its length field's answer if the chunk holds it, else one header. */
function batchBytesNeeded(chunk: Buffer, at: number): number {
  if (chunk.length - at < LOG_OVERHEAD) return RECORD_BATCH_HEADER_BYTES;
  return Math.max(RECORD_BATCH_HEADER_BYTES, LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH_OFFSET));
}
