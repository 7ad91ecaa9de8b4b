/**
 * The storage LogConfig of one partition: the topic's overrides (Kafka
 * topic config names) over the broker's log.* settings.
 */
import type { LogConfig } from '@runnel/storage';
import type { BrokerConfig } from './config.ts';

function num(overrides: ReadonlyMap<string, string>, name: string, fallback: number): number {
  const raw = overrides.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return Number.isFinite(value) ? Math.min(value, Number.MAX_SAFE_INTEGER) : fallback;
}

export function logConfigFor(overrides: ReadonlyMap<string, string>, broker: BrokerConfig): LogConfig {
  const timestampType = overrides.get('message.timestamp.type');
  return {
    segmentBytes: num(overrides, 'segment.bytes', broker.logSegmentBytes),
    segmentMs: num(overrides, 'segment.ms', broker.logRollMs),
    indexIntervalBytes: num(overrides, 'index.interval.bytes', broker.logIndexIntervalBytes),
    retentionMs: num(overrides, 'retention.ms', broker.logRetentionMs),
    retentionBytes: num(overrides, 'retention.bytes', broker.logRetentionBytes),
    flushMessages: num(overrides, 'flush.messages', broker.logFlushIntervalMessages),
    flushMs: num(overrides, 'flush.ms', broker.logFlushIntervalMs),
    messageTimestampType: timestampType === 'LogAppendTime' ? 'LogAppendTime' : 'CreateTime',
    cleanupPolicy: cleanupPolicy(overrides.get('cleanup.policy')),
    // Kafka's log.cleaner.* defaults: the broker has no settings of its own for them yet.
    deleteRetentionMs: num(overrides, 'delete.retention.ms', 86_400_000),
    minCleanableDirtyRatio: num(overrides, 'min.cleanable.dirty.ratio', 0.5),
    minCompactionLagMs: num(overrides, 'min.compaction.lag.ms', 0),
    maxCompactionLagMs: num(overrides, 'max.compaction.lag.ms', Number.MAX_SAFE_INTEGER),
  };
}

/** cleanup.policy is a list ("compact,delete"); Kafka's default is delete. */
function cleanupPolicy(raw: string | undefined): { delete: boolean; compact: boolean } {
  if (raw === undefined) return { delete: true, compact: false };
  const names = raw.split(',').map((name) => name.trim());
  return { delete: names.includes('delete'), compact: names.includes('compact') };
}

/** Effective message.max.bytes / min.insync.replicas for a topic. */
export function topicLimits(
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): { messageBytesMax: number; minInsyncReplicas: number } {
  return {
    messageBytesMax: num(overrides, 'max.message.bytes', broker.messageBytesMax),
    minInsyncReplicas: num(overrides, 'min.insync.replicas', broker.minInsyncReplicas),
  };
}
