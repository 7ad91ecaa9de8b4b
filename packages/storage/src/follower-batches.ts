/**
 * Batches a follower copies from its leader: offsets and leader epochs are
 * already set and must be kept, so instead of stamping them the log checks
 * that they fit. The checks that need only the buffer (framing, CRC,
 * contiguous offsets, epochs that never shrink) run when the append is
 * called; the ones that need the log (starts at its end, no epoch older than
 * its latest) run when the append's turn to be written comes.
 *
 * The bytes are remote input, so every misfit is a refusal the replica
 * fetcher acts on (truncate, refetch), never an assert. Pure functions; the
 * buffer is only read.
 */
import { err, ok, type Result } from '@runnel/common';
import { PARTITION_LEADER_EPOCH_OFFSET, RECORD_COUNT_OFFSET, scanLogBatches } from '@runnel/protocol';
import type { EpochEntry } from './leader-epoch-cache.ts';
import { type AppendedBatch, batchFramingDefect, readLogBatch } from './log-batch.ts';

/**
 * Why a follower append was refused, nothing of it written:
 * - `offset_mismatch`: the first batch does not start at the log end
 *   (`expectedOffset`); the fetcher truncates or refetches from there.
 * - `corrupt_batch`: a torn or damaged batch (framing, magic, CRC), offsets
 *   that are not contiguous, or an impossible leader epoch.
 * - `epoch_regression`: a batch's leader epoch is older than one before it
 *   (in the buffer or already in the log): the logs diverged, and the
 *   fetcher must truncate (OffsetForLeaderEpoch) before appending.
 */
export type FollowerAppendError = 'offset_mismatch' | 'corrupt_batch' | 'epoch_regression';

export type FollowerRefusal =
  | { ok: false; error: 'offset_mismatch'; expectedOffset: bigint; message?: string }
  | { ok: false; error: 'corrupt_batch' | 'epoch_regression'; message?: string };

export type FollowerAppendResult = { ok: true; value: { lastOffset: bigint } } | FollowerRefusal;

/** A follower buffer that passed the buffer-only checks. */
export interface FollowerBatches {
  baseOffset: bigint;
  lastOffset: bigint;
  recordCount: number;
  /** The first batch of each epoch newer than the ones before it, oldest first (epoch -1 starts nothing). */
  epochStarts: EpochEntry[];
  /** Header summaries for the segment indexes, positions relative to the buffer. */
  batches: AppendedBatch[];
}

/** The int32 relative offsets of a segment's index must cover a whole append. */
const offsetSpanMax = 0x7fffffffn;

/**
 * Checks a follower buffer on its own: whole batches with sound framing and
 * CRC (as recovery judges them: a batch scanLogBatches doubts only for its
 * record counts or codec is kept, since the leader's log holds it),
 * contiguous offsets, and leader epochs that never decrease.
 */
export function checkFollowerBatches(buf: Buffer): Result<FollowerBatches, 'corrupt_batch' | 'epoch_regression'> {
  const batches: AppendedBatch[] = [];
  const epochStarts: EpochEntry[] = [];
  let recordCount = 0;
  let latestEpoch = -1;
  let position = 0;
  while (position < buf.length) {
    const scan = scanLogBatches(buf.subarray(position));
    const positions = scan.batches.map((b) => ({ at: position + b.position, records: b.recordCount }));
    if (scan.reason === 'torn') return err('corrupt_batch', `torn batch at byte ${position + scan.validBytes}`);
    if (scan.reason === 'corrupt') {
      const at = position + scan.validBytes;
      const defect = batchFramingDefect(buf, at);
      if (defect !== null) return err('corrupt_batch', `${defect} in the batch at byte ${at}`);
      positions.push({ at, records: buf.readInt32BE(at + RECORD_COUNT_OFFSET) });
    }
    for (const { at, records } of positions) {
      const batch = { ...readLogBatch(buf, at), bufferPosition: at };
      const previous = batches.at(-1);
      if (batch.lastOffsetDelta < 0) return err('corrupt_batch', `negative lastOffsetDelta at byte ${at}`);
      if (previous !== undefined && batch.baseOffset !== lastOffsetOf(previous) + 1n) {
        return err(
          'corrupt_batch',
          `batch at byte ${at} starts at ${batch.baseOffset}, after ${lastOffsetOf(previous)}`,
        );
      }
      const epoch = buf.readInt32BE(at + PARTITION_LEADER_EPOCH_OFFSET);
      if (epoch < -1) return err('corrupt_batch', `leader epoch ${epoch} at byte ${at}`);
      if (epoch !== -1 && epoch < latestEpoch) {
        return err('epoch_regression', `epoch ${epoch} at offset ${batch.baseOffset} follows epoch ${latestEpoch}`);
      }
      if (epoch > latestEpoch) {
        epochStarts.push({ epoch, startOffset: batch.baseOffset });
        latestEpoch = epoch;
      }
      batches.push(batch);
      recordCount += Math.max(records, 0);
      position = at + batch.sizeBytes;
    }
  }
  const first = batches[0];
  const last = batches.at(-1);
  if (first === undefined || last === undefined) return err('corrupt_batch', 'no record batch');
  if (first.baseOffset < 0n || lastOffsetOf(last) - first.baseOffset > offsetSpanMax) {
    return err('corrupt_batch', `offsets ${first.baseOffset}..${lastOffsetOf(last)} out of range`);
  }
  return ok({ baseOffset: first.baseOffset, lastOffset: lastOffsetOf(last), recordCount, epochStarts, batches });
}

/**
 * The checks against the log, at the moment the batches would be written
 * after `logEndOffset`, with `latestEpoch` the log's newest epoch. Null when
 * they fit.
 */
export function followerRefusal(
  checked: FollowerBatches,
  logEndOffset: bigint,
  latestEpoch: number,
): FollowerRefusal | null {
  if (checked.baseOffset !== logEndOffset) {
    const message = `batches start at ${checked.baseOffset}, the log ends at ${logEndOffset}`;
    return { ...err('offset_mismatch', message), expectedOffset: logEndOffset };
  }
  const oldest = checked.epochStarts[0];
  if (oldest !== undefined && oldest.epoch < latestEpoch) {
    return err('epoch_regression', `epoch ${oldest.epoch} at ${oldest.startOffset} follows epoch ${latestEpoch}`);
  }
  return null;
}

function lastOffsetOf(batch: AppendedBatch): bigint {
  return batch.baseOffset + BigInt(batch.lastOffsetDelta);
}
