/**
 * Recovery of one segment on open, with no manual steps:
 * - a sealed segment whose indexes are well formed is trusted as is; one
 *   with a missing or inconsistent index is rescanned from the start;
 * - the active segment is rescanned from the last point its indexes vouch
 *   for (the offset-index floor of the last time-index entry) or, failing
 *   that, from the start.
 * A scan verifies every batch (length, magic, CRC32C, contiguous offsets)
 * and the log is truncated at the first defect: a torn or corrupt tail.
 */
import { assert } from '@runnel/common';
import { type BatchDefect, batchLayout, checkBatch, readBatchSummary } from './batch-header.ts';
import { readAt } from './file-system.ts';
import type { LogSegment } from './log-segment.ts';

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

/**
 * Verifies and indexes batches from `from` until the end of the file or the
 * first defect; returns where the valid bytes end. Reads in large chunks.
 */
async function scanBatches(
  segment: LogSegment,
  from: number,
  fileBytes: number,
  expect: { offset: bigint; maxTimestampMs: bigint } | null,
): Promise<{ position: number; defect: ScanDefect | null; expectSeen: boolean }> {
  let expectSeen = false;
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = from;
  let position = from;
  while (position < fileBytes) {
    let at = position - chunkStart;
    const reachesEof = chunkStart + chunk.length >= fileBytes;
    if (!reachesEof && chunk.length - at < batchBytesNeeded(chunk, at)) {
      const needed = batchBytesNeeded(chunk, at);
      const want = Math.min(
        fileBytes - position,
        Math.max(scanChunkBytes, needed <= fileBytes - position ? needed : 0),
      );
      chunk = await readAt(segment.logFile, position, want);
      chunkStart = position;
      at = 0;
    }
    const checked = checkBatch(chunk, at, chunk.length);
    if (typeof checked !== 'number') return { position, defect: checked, expectSeen };
    const summary = readBatchSummary(chunk, at);
    if (summary.baseOffset !== segment.nextOffset || summary.lastOffsetDelta < 0) {
      return { position, defect: 'offset_mismatch', expectSeen };
    }
    if (expect !== null && summary.baseOffset === expect.offset) {
      if (summary.maxTimestampMs !== expect.maxTimestampMs) return { position, defect: 'index_mismatch', expectSeen };
      expectSeen = true;
    }
    if (summary.baseOffset + BigInt(summary.lastOffsetDelta) - segment.baseOffset > 0x7fffffffn) {
      return { position, defect: 'offset_mismatch', expectSeen };
    }
    segment.indexBatch(summary, position);
    position += checked;
  }
  assert(position === fileBytes, 'scan overran the file');
  return { position, defect: null, expectSeen };
}

/** Bytes the batch at `at` needs in the chunk: its header's length field if present, else the log overhead. */
function batchBytesNeeded(chunk: Buffer, at: number): number {
  if (chunk.length - at < batchLayout.logOverhead) return batchLayout.logOverhead;
  return Math.max(batchLayout.headerBytes, batchLayout.logOverhead + chunk.readInt32BE(at + batchLayout.batchLength));
}
