/**
 * Rebuilding producer state from the log: every batch from `fromOffset` to
 * the end of the (recovered, so well-framed) segments, applied in order.
 * Reads windows of the segment files and walks the headers in them; a batch
 * longer than what is left of a window is skipped by starting the next
 * window at the header after it, so large batches cost one header read, not
 * their bytes. Control batches (transaction markers) are read whole, for
 * their coordinator epoch.
 */
import { assert } from '@runnel/common';
import { BASE_OFFSET_OFFSET, BATCH_LENGTH_OFFSET, LOG_OVERHEAD, RECORD_BATCH_HEADER_BYTES } from '@runnel/protocol';
import { readAt } from '../file-system.ts';
import type { LogSegment } from '../log-segment.ts';
import { type CompletedTxn, isControlBatchAt, type ProducerStateTable } from './producer-state-table.ts';

/** Told of each transaction a replayed marker ends, with the segment holding the marker. */
export type CompletedTxnListener = (segment: LogSegment, txn: CompletedTxn) => Promise<void>;

const windowBytes = 1024 * 1024;

/** Applies every batch based at or after `fromOffset` to `table`; returns how many batches were read. */
export async function replayProducerBatches(
  segments: readonly LogSegment[],
  fromOffset: bigint,
  table: ProducerStateTable,
  onCompleted: CompletedTxnListener,
): Promise<number> {
  let batches = 0;
  for (const segment of segments) {
    if (segment.nextOffset <= fromOffset || segment.sizeBytes === 0) continue;
    let position = 0;
    if (fromOffset > segment.baseOffset) {
      const found = await segment.findBatch(fromOffset);
      if (found === null) continue;
      position = found.position;
    }
    batches += await replaySegment(segment, position, fromOffset, table, onCompleted);
  }
  return batches;
}

async function replaySegment(
  segment: LogSegment,
  start: number,
  fromOffset: bigint,
  table: ProducerStateTable,
  onCompleted: CompletedTxnListener,
): Promise<number> {
  const end = segment.sizeBytes;
  let batches = 0;
  for (let position = start; position < end; ) {
    const buf = await readAt(segment.logFile, position, Math.min(windowBytes, end - position));
    let at = 0;
    while (at + RECORD_BATCH_HEADER_BYTES <= buf.length) {
      const size = LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH_OFFSET);
      // A snapshot's offset is a batch boundary; a batch starting before it is already in the state.
      const counts = buf.readBigInt64BE(at + BASE_OFFSET_OFFSET) >= fromOffset;
      if (counts && isControlBatchAt(buf, at) && at + size > buf.length) {
        if (at > 0) break;
        const completed = table.applyStoredBatch(await readAt(segment.logFile, position, size), 0);
        if (completed !== null) await onCompleted(segment, completed);
      } else if (counts) {
        const completed = table.applyStoredBatch(buf, at);
        if (completed !== null) await onCompleted(segment, completed);
      }
      batches++;
      at += size;
    }
    assert(at > 0, `no batch header at ${position} of recovered segment ${segment.baseOffset}`);
    // `at` may lie past this window when a batch is larger than what was left of it.
    position += at;
  }
  return batches;
}
