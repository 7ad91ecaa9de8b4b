/**
 * Per-partition log settings, named after Kafka's topic configs. Units are
 * in the names' Kafka counterparts (bytes, ms, messages).
 */
import { assert } from '@runnel/common';

export interface LogConfig {
  /** segment.bytes: roll when the active segment would grow past this. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first append is older than this. */
  segmentMs: number;
  /** index.interval.bytes: bytes of log between sparse index entries. */
  indexIntervalBytes: number;
  /** retention.ms; -1 = unlimited. */
  retentionMs: number;
  /** retention.bytes per partition; -1 = unlimited. */
  retentionBytes: number;
  /** flush.messages: fsync once this many records are unflushed. */
  flushMessages: number;
  /** flush.ms: fsync on an append when the last fsync is older than this. */
  flushMs: number;
  messageTimestampType: 'CreateTime' | 'LogAppendTime';
  /** cleanup.policy: `delete` lets applyRetention drop old segments, `compact` lets compact() clean by key; both may be on. */
  cleanupPolicy: { readonly delete: boolean; readonly compact: boolean };
  /** delete.retention.ms: how long a tombstone outlives the first compaction that kept it. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: dirty share of the cleanable log that makes compaction worth it. */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms: segments with a record newer than this are not compacted yet. */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms: a dirty segment whose first batch is older than this is compacted whatever the ratio. */
  maxCompactionLagMs: number;
}

const dayMs = 24 * 60 * 60 * 1000;

export const defaultLogConfig: LogConfig = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * dayMs,
  indexIntervalBytes: 4096,
  retentionMs: 7 * dayMs,
  retentionBytes: -1,
  // Kafka's default: durability comes from replication, not fsync.
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: 'CreateTime',
  cleanupPolicy: Object.freeze({ delete: true, compact: false }),
  deleteRetentionMs: dayMs,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: Number.MAX_SAFE_INTEGER,
});

/** A bad config is the caller's bug (the broker validates topic configs first). */
export function assertValidLogConfig(config: LogConfig): void {
  assert(
    Number.isInteger(config.segmentBytes) && config.segmentBytes >= 14 && config.segmentBytes <= 0x7fffffff,
    `segmentBytes out of range: ${config.segmentBytes}`,
  );
  assert(config.segmentMs >= 1, `segmentMs must be positive: ${config.segmentMs}`);
  assert(config.indexIntervalBytes >= 0, `indexIntervalBytes must be >= 0: ${config.indexIntervalBytes}`);
  assert(config.retentionMs >= -1, `retentionMs must be >= -1: ${config.retentionMs}`);
  assert(config.retentionBytes >= -1, `retentionBytes must be >= -1: ${config.retentionBytes}`);
  assert(config.flushMessages >= 1, `flushMessages must be >= 1: ${config.flushMessages}`);
  assert(config.flushMs >= 0, `flushMs must be >= 0: ${config.flushMs}`);
  assert(config.deleteRetentionMs >= 0, `deleteRetentionMs must be >= 0: ${config.deleteRetentionMs}`);
  assert(
    config.minCleanableDirtyRatio >= 0 && config.minCleanableDirtyRatio <= 1,
    `minCleanableDirtyRatio must be in [0, 1]: ${config.minCleanableDirtyRatio}`,
  );
  assert(config.minCompactionLagMs >= 0, `minCompactionLagMs must be >= 0: ${config.minCompactionLagMs}`);
  assert(config.maxCompactionLagMs >= 1, `maxCompactionLagMs must be >= 1: ${config.maxCompactionLagMs}`);
}
