/**
 * Keyed record batches and whole-log readers for the compaction tests:
 * unlike the other storage tests these need real records, so they use
 * @runnel/protocol's batch codec.
 */
import { ManualClock, silentLogger } from '@runnel/common';
import { type CompressionCodec, decodeRecordBatchesSync, encodeRecordBatchSync } from '@runnel/protocol';
import { defaultLogConfig, type FileSystem, type LogConfig, PartitionLog } from '../src/index.ts';

export const partitionDir = '/data/compacted-0';

/** Compaction on, retention off, every dirty byte worth a pass, small segments. */
export const compactedConfig: LogConfig = {
  ...defaultLogConfig,
  segmentBytes: 600,
  indexIntervalBytes: 100,
  retentionMs: -1,
  cleanupPolicy: { delete: false, compact: true },
  minCleanableDirtyRatio: 0,
  deleteRetentionMs: 60_000,
};

export function openCompacted(fs: FileSystem, clock: ManualClock, config: Partial<LogConfig> = {}) {
  return PartitionLog.open({
    dir: partitionDir,
    config: { ...compactedConfig, ...config },
    fs,
    clock,
    logger: silentLogger(),
  });
}

/** [key, value] pairs; a null value is a tombstone. */
export type Pair = readonly [string | null, string | null];

export function keyedBatch(
  pairs: readonly Pair[],
  opts: { timestampMs?: bigint; compression?: CompressionCodec } = {},
) {
  return encodeRecordBatchSync({
    records: pairs.map(([k, v]) => ({
      key: k === null ? null : Buffer.from(k),
      value: v === null ? null : Buffer.from(v),
    })),
    baseTimestamp: opts.timestampMs ?? 1_700_000_000_000n,
    compression: opts.compression ?? 'none',
  });
}

export interface ReadRecord {
  offset: bigint;
  key: string | null;
  value: string | null;
  timestampMs: bigint;
}

/** Every record from the log start to the log end, through `read` (empty batches are skipped past). */
export async function readAllRecords(log: PartitionLog): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const read = await log.read(offset, 4096);
    if (!read.ok) throw new Error(`read at ${offset}: ${read.error}`);
    const buf = Buffer.concat(read.records);
    if (buf.length === 0) throw new Error(`empty read at ${offset} below the log end ${log.logEndOffset}`);
    for (const batch of decodeRecordBatchesSync(buf)) {
      for (const r of batch.records) {
        if (r.offset < offset) continue;
        out.push({
          offset: r.offset,
          key: r.key?.toString() ?? null,
          value: r.value?.toString() ?? null,
          timestampMs: r.timestamp,
        });
      }
      offset = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
    }
  }
  return out;
}

/** What compaction must keep: the latest record of each key (and every keyless one), in offset order. */
export function latestPerKey(records: readonly ReadRecord[]): ReadRecord[] {
  const latest = new Map<string, bigint>();
  for (const r of records) if (r.key !== null) latest.set(r.key, r.offset);
  return records.filter((r) => r.key === null || latest.get(r.key) === r.offset);
}

export function newClock(): ManualClock {
  return new ManualClock(1_700_000_000_000);
}
