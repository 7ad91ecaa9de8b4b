/**
 * One compaction pass over a partition log's sealed segments, up to the
 * staging of the cleaned copies; PartitionLog.compact() swaps them in.
 *
 * Which segments: from the log start, sealed (never the active one), wholly
 * below the high watermark (a record above it may still be truncated away,
 * and must not have shadowed an older value meanwhile) and below the first
 * unstable offset (an open transaction's batches are never cleaned: it is
 * not decided yet whether they commit), and none holding a batch newer
 * than min.compaction.lag.ms (segment granularity, as Kafka).
 * Transactions: see compaction-txns.ts.
 * The dirty part starts at the cleaned-offset checkpoint. A pass runs when
 * dirty bytes make up at least min.cleanable.dirty.ratio of those segments,
 * or when the first dirty batch is older than max.compaction.lag.ms.
 *
 * The key map is built from the dirty part only (the clean part is already
 * free of duplicates among itself), then every chosen segment is rewritten
 * into the staging directory with the same base offset and offset range.
 * The map holds every distinct key of the dirty part in memory (no bound
 * yet, unlike Kafka's dedupe buffer).
 *
 * Owned by PartitionLog for the length of one pass. Reads run alongside the
 * log's appends; a segment closed meanwhile (retention, truncation, close)
 * ends the pass with `log_changed` and nothing swapped.
 */
import { assert } from '@runnel/common';
import { BATCH_LENGTH_OFFSET, LOG_OVERHEAD, PARTITION_LEADER_EPOCH_OFFSET, readBatchHeader } from '@runnel/protocol';
import type { AbortedTxn } from './aborted-txn-index.ts';
import { discardStaging, prepareStaging } from './compaction-files.ts';
import {
  addToOffsetMap,
  type CleaningRules,
  cleanBatch,
  type EmptiedRun,
  fillerBatch,
  type OffsetMap,
  type RemovedCounts,
} from './compaction-records.ts';
import { type ProducerLastRecord, TxnCleaning } from './compaction-txns.ts';
import { type FileSystem, readAt } from './file-system.ts';
import { type AppendedBatch, readLogBatch } from './log-batch.ts';
import type { LogConfig } from './log-config.ts';
import { LogSegment } from './log-segment.ts';

export type CompactionSkip = 'not_compacted' | 'nothing_cleanable' | 'below_dirty_ratio' | 'log_changed';

export interface CompactionStats extends RemovedCounts {
  /** Segments rewritten (each keeps its base offset). */
  segments: number;
  bytesBefore: number;
  bytesAfter: number;
  /** The log is compacted below this offset; the checkpoint now says so. */
  cleanedOffset: bigint;
  /** Earliest delete horizon of a kept tombstone (a pass at or after it has tombstones to drop); -1 when none. */
  deleteHorizonMs: bigint;
}

export type CompactionResult = { ran: false; reason: CompactionSkip } | ({ ran: true } & CompactionStats);

export interface CompactionPlan {
  segments: LogSegment[];
  /** Records at or after this offset are dirty. */
  firstDirty: bigint;
}

/**
 * The sealed prefix of the log a pass may clean at `nowMs`, or why there is
 * none; `ratioMet` says whether min.cleanable.dirty.ratio asks for a pass
 * (otherwise only compactionOverdue can).
 */
export function planCompaction(options: {
  segments: readonly LogSegment[];
  config: Pick<LogConfig, 'minCompactionLagMs' | 'minCleanableDirtyRatio'>;
  cleanedOffset: bigint;
  /** From the last pass: -1, or when its earliest kept tombstone may go. */
  deleteHorizonMs: bigint;
  highWatermark: bigint;
  /** First offset of the earliest open transaction; null when none is open. */
  firstUnstableOffset: bigint | null;
  nowMs: bigint;
}): { ok: true; plan: CompactionPlan; ratioMet: boolean } | { ok: false; reason: CompactionSkip } {
  const { segments, config, highWatermark, firstUnstableOffset, nowMs } = options;
  const chosen: LogSegment[] = [];
  const lagHorizonMs = nowMs - BigInt(config.minCompactionLagMs);
  for (const segment of segments.slice(0, -1)) {
    if (segment.nextOffset > highWatermark) break;
    if (firstUnstableOffset !== null && segment.nextOffset > firstUnstableOffset) break;
    if (config.minCompactionLagMs > 0 && segment.maxTimestampMs > lagHorizonMs) break;
    chosen.push(segment);
  }
  const first = chosen[0];
  const last = chosen.at(-1);
  if (first === undefined || last === undefined) return { ok: false, reason: 'nothing_cleanable' };
  // The checkpoint may lie below the log start (retention) or be absent (-1).
  let firstDirty = first.baseOffset;
  if (options.cleanedOffset > firstDirty) firstDirty = options.cleanedOffset;
  if (firstDirty >= last.nextOffset) {
    // Nothing dirty, but tombstones past their horizon are worth a pass of their own.
    const tombstonesDue = options.deleteHorizonMs >= 0n && nowMs >= options.deleteHorizonMs;
    if (!tombstonesDue) return { ok: false, reason: 'nothing_cleanable' };
    return { ok: true, plan: { segments: chosen, firstDirty: last.nextOffset }, ratioMet: true };
  }
  let dirtyBytes = 0;
  let totalBytes = 0;
  for (const segment of chosen) {
    totalBytes += segment.sizeBytes;
    if (segment.nextOffset > firstDirty) dirtyBytes += segment.sizeBytes;
  }
  const ratioMet = totalBytes === 0 || dirtyBytes / totalBytes >= config.minCleanableDirtyRatio;
  return { ok: true, plan: { segments: chosen, firstDirty }, ratioMet };
}

/** max.compaction.lag.ms: the first dirty batch (its maxTimestamp; null or -1 when unknown) waited too long. */
export function compactionOverdue(
  firstDirtyTimestampMs: bigint | null,
  nowMs: bigint,
  maxCompactionLagMs: number,
): boolean {
  return (
    firstDirtyTimestampMs !== null &&
    firstDirtyTimestampMs >= 0n &&
    nowMs - firstDirtyTimestampMs > BigInt(maxCompactionLagMs)
  );
}

/** The maxTimestamp of the batch holding `offset`, or null; false when the segment closed meanwhile. */
export async function batchTimestampAt(segment: LogSegment, offset: bigint): Promise<bigint | null | false> {
  const found = await segment.withOpen(() => segment.findBatch(offset));
  if (!found.open) return false;
  return found.value?.summary.maxTimestampMs ?? null;
}

const readChunkBytes = 1024 * 1024;

/** Calls `fn` with every whole batch of a sealed segment, in order, read in ~1 MiB chunks. */
async function forEachBatch(segment: LogSegment, fn: (batch: Buffer) => Promise<void>): Promise<boolean> {
  const result = await segment.withOpen(async () => {
    const end = segment.sizeBytes;
    let position = 0;
    while (position < end) {
      const chunk = await readAt(segment.logFile, position, Math.min(readChunkBytes, end - position));
      let at = 0;
      while (chunk.length - at >= LOG_OVERHEAD) {
        const size = LOG_OVERHEAD + chunk.readInt32BE(at + BATCH_LENGTH_OFFSET);
        if (chunk.length - at < size) break;
        await fn(chunk.subarray(at, at + size));
        at += size;
      }
      if (at === 0) {
        // One batch larger than a chunk.
        const size = LOG_OVERHEAD + chunk.readInt32BE(BATCH_LENGTH_OFFSET);
        await fn(await readAt(segment.logFile, position, size));
        at = size;
      }
      position += at;
    }
  });
  return result.open;
}

/**
 * Builds the key map over the dirty part of the plan, leaving out aborted
 * records (`aborted`: the log's aborted transactions); null when a segment
 * closed meanwhile.
 */
export async function buildOffsetMap(plan: CompactionPlan, aborted: readonly AbortedTxn[]): Promise<OffsetMap | null> {
  const map: OffsetMap = new Map();
  const txns = new TxnCleaning(
    aborted.filter((txn) => txn.lastOffset >= plan.firstDirty),
    new Map(),
  );
  for (const segment of plan.segments) {
    if (segment.nextOffset <= plan.firstDirty) continue;
    const open = await forEachBatch(segment, (batch) => addToOffsetMap(map, batch, plan.firstDirty, txns));
    if (!open) return null;
  }
  return map;
}

/** Pending output of one staged segment, written in ~1 MiB appends. */
class StagedWriter {
  readonly segment: LogSegment;
  chunks: Buffer[] = [];
  batches: AppendedBatch[] = [];
  pendingBytes = 0;
  run: EmptiedRun | null = null;

  constructor(segment: LogSegment) {
    this.segment = segment;
  }

  async add(batch: Buffer): Promise<void> {
    await this.#closeRun();
    await this.#push(batch);
  }

  /** An emptied batch joins the current run, or starts one when its epoch differs. */
  async addEmptied(batch: Buffer): Promise<void> {
    const header = readBatchHeader(batch, 0);
    const lastOffset = header.baseOffset + BigInt(header.lastOffsetDelta);
    if (this.run !== null && this.run.partitionLeaderEpoch === header.partitionLeaderEpoch) {
      this.run.lastOffset = lastOffset;
      if (header.maxTimestamp > this.run.maxTimestampMs) this.run.maxTimestampMs = header.maxTimestamp;
      return;
    }
    await this.#closeRun();
    this.run = {
      baseOffset: header.baseOffset,
      lastOffset,
      partitionLeaderEpoch: batch.readInt32BE(PARTITION_LEADER_EPOCH_OFFSET),
      maxTimestampMs: header.maxTimestamp,
      logAppendTime: (header.attributes & 0x08) !== 0,
    };
  }

  async finish(): Promise<void> {
    await this.#closeRun();
    await this.#write();
  }

  async #closeRun(): Promise<void> {
    if (this.run === null) return;
    const filler = fillerBatch(this.run);
    this.run = null;
    await this.#push(filler);
  }

  async #push(batch: Buffer): Promise<void> {
    this.batches.push({ ...readLogBatch(batch, 0), bufferPosition: this.pendingBytes });
    this.chunks.push(batch);
    this.pendingBytes += batch.length;
    if (this.pendingBytes >= readChunkBytes) await this.#write();
  }

  async #write(): Promise<void> {
    if (this.chunks.length === 0) return;
    await this.segment.append(this.chunks, this.batches);
    this.chunks = [];
    this.batches = [];
    this.pendingBytes = 0;
  }
}

/**
 * Writes the cleaned copy of every planned segment into `stagingDir`, each
 * fsynced and closed. Null when a segment closed meanwhile.
 */
export async function writeCleanedSegments(options: {
  fs: FileSystem;
  stagingDir: string;
  plan: CompactionPlan;
  rules: CleaningRules;
  indexIntervalBytes: number;
}): Promise<CompactionStats | null> {
  const { fs, stagingDir, plan, rules } = options;
  const stats: CompactionStats = {
    segments: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    recordsRemoved: 0,
    tombstonesRemoved: 0,
    abortedRecordsRemoved: 0,
    markersRemoved: 0,
    cleanedOffset: plan.segments.at(-1)?.nextOffset ?? plan.firstDirty,
    deleteHorizonMs: -1n,
  };
  for (const source of plan.segments) {
    const staged = await LogSegment.open(fs, stagingDir, source.baseOffset, options.indexIntervalBytes);
    const writer = new StagedWriter(staged);
    try {
      const open = await forEachBatch(source, async (batch) => {
        const cleaned = await cleanBatch(batch, rules);
        if (cleaned.kind !== 'empty' && cleaned.deleteHorizonMs !== null) {
          const h = cleaned.deleteHorizonMs;
          if (stats.deleteHorizonMs < 0n || h < stats.deleteHorizonMs) stats.deleteHorizonMs = h;
        }
        if (cleaned.kind === 'keep') return writer.add(batch);
        stats.recordsRemoved += cleaned.recordsRemoved;
        stats.tombstonesRemoved += cleaned.tombstonesRemoved;
        stats.abortedRecordsRemoved += cleaned.abortedRecordsRemoved;
        stats.markersRemoved += cleaned.markersRemoved;
        return cleaned.kind === 'rewrite' ? writer.add(cleaned.batch) : writer.addEmptied(batch);
      });
      if (!open) return null;
      await writer.finish();
      assert(
        staged.nextOffset === source.nextOffset || staged.sizeBytes === 0,
        `cleaned segment ${source.baseOffset} ends at ${staged.nextOffset}, not ${source.nextOffset}`,
      );
    } finally {
      await staged.close(true);
    }
    stats.segments++;
    stats.bytesBefore += source.sizeBytes;
    stats.bytesAfter += staged.sizeBytes;
  }
  return stats;
}

/**
 * A pass staged and ready to swap in, or why nothing was staged.
 * `unneededAborts`: aborted-transaction index entries with no record left
 * (see compaction-txns.ts).
 */
export type StagedPass =
  | { ok: true; plan: CompactionPlan; stats: CompactionStats; unneededAborts: readonly AbortedTxn[] }
  | { ok: false; reason: CompactionSkip };

/** Plans a pass over `segments` (a snapshot of the log's list) and stages its cleaned segments. */
export async function stageCompactionPass(options: {
  fs: FileSystem;
  dir: string;
  segments: readonly LogSegment[];
  config: LogConfig;
  cleanedOffset: bigint;
  deleteHorizonMs: bigint;
  highWatermark: bigint;
  firstUnstableOffset: bigint | null;
  /** The log's aborted transactions (its aborted-transaction index). */
  aborted: readonly AbortedTxn[];
  /** Each producer the log holds state for: its last batch stays. */
  lastRecords: ReadonlyMap<bigint, ProducerLastRecord>;
  nowMs: bigint;
}): Promise<StagedPass> {
  const { fs, dir, config, nowMs } = options;
  if (!config.cleanupPolicy.compact) return { ok: false, reason: 'not_compacted' };
  const planned = planCompaction(options);
  if (!planned.ok) return planned;
  const { plan } = planned;
  if (!planned.ratioMet) {
    const dirtySegment = plan.segments.find((s) => s.nextOffset > plan.firstDirty);
    assert(dirtySegment !== undefined, 'a plan has a dirty segment');
    const firstDirtyMs = await batchTimestampAt(dirtySegment, plan.firstDirty);
    if (firstDirtyMs === false) return { ok: false, reason: 'log_changed' };
    if (!compactionOverdue(firstDirtyMs, nowMs, config.maxCompactionLagMs)) {
      return { ok: false, reason: 'below_dirty_ratio' };
    }
  }
  const map = await buildOffsetMap(plan, options.aborted);
  if (map === null) return { ok: false, reason: 'log_changed' };
  const stagingDir = await prepareStaging(fs, dir);
  const txns = new TxnCleaning(options.aborted, options.lastRecords);
  const rules = { map, nowMs, deleteRetentionMs: BigInt(config.deleteRetentionMs), txns };
  const stats = await writeCleanedSegments({
    fs,
    stagingDir,
    plan,
    rules,
    indexIntervalBytes: config.indexIntervalBytes,
  });
  if (stats === null) {
    await discardStaging(fs, dir);
    return { ok: false, reason: 'log_changed' };
  }
  // The staged files are fsynced; the directory entries must be too before the commit point.
  await fs.syncDirectory(stagingDir);
  return { ok: true, plan, stats, unneededAborts: txns.unneededAborts };
}
