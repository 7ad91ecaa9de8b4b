/**
 * Effective topic configs as typed values, for the broker to map onto the
 * storage LogConfig. Input is the output of effectiveTopicConfigs(), whose
 * values were validated when they were set (topic overrides by the
 * controller, broker properties by validateBrokerConfigs at startup), so an
 * unparsable value here is a bug and fails an assert.
 */
import { assert } from '@runnel/common';
import { topicConfigDefs } from './config-defs.ts';

export interface TopicLogConfig {
  readonly cleanupPolicy: { readonly delete: boolean; readonly compact: boolean };
  readonly compressionType: string;
  readonly deleteRetentionMs: bigint;
  readonly fileDeleteDelayMs: bigint;
  readonly flushMessages: bigint;
  readonly flushMs: bigint;
  readonly indexIntervalBytes: number;
  readonly maxCompactionLagMs: bigint;
  readonly maxMessageBytes: number;
  readonly messageTimestampAfterMaxMs: bigint;
  readonly messageTimestampBeforeMaxMs: bigint;
  readonly messageTimestampType: 'CreateTime' | 'LogAppendTime';
  readonly minCleanableDirtyRatio: number;
  readonly minCompactionLagMs: bigint;
  readonly minInsyncReplicas: number;
  readonly preallocate: boolean;
  /** -1n = no size limit. */
  readonly retentionBytes: bigint;
  /** -1n = keep forever. */
  readonly retentionMs: bigint;
  readonly segmentBytes: number;
  readonly segmentIndexBytes: number;
  readonly segmentJitterMs: bigint;
  readonly segmentMs: bigint;
  readonly uncleanLeaderElectionEnable: boolean;
}

const defaults: Readonly<Record<string, string>> = Object.fromEntries(
  topicConfigDefs.flatMap((d) => (d.default === null ? [] : [[d.name, d.default]])),
);

const longMaxValue = 2n ** 63n - 1n;

/**
 * message.timestamp.before/after.max.ms, with the legacy
 * message.timestamp.difference.max.ms standing in for whichever of them is
 * still at Long.MAX_VALUE, as Kafka 3.6+ reads a topic that only has the old
 * setting. (after.max.ms defaults to one hour, so only an explicit Long.MAX
 * there lets the legacy value through, as in Kafka.)
 */
function timestampBounds(long: (name: string) => bigint): {
  messageTimestampAfterMaxMs: bigint;
  messageTimestampBeforeMaxMs: bigint;
} {
  const difference = long('message.timestamp.difference.max.ms');
  const before = long('message.timestamp.before.max.ms');
  const after = long('message.timestamp.after.max.ms');
  return {
    messageTimestampBeforeMaxMs: before === longMaxValue ? difference : before,
    messageTimestampAfterMaxMs: after === longMaxValue ? difference : after,
  };
}

export function topicLogConfig(effective: Readonly<Record<string, string>>): TopicLogConfig {
  const raw = (name: string): string => {
    const v = Object.hasOwn(effective, name) ? effective[name] : defaults[name];
    assert(v !== undefined, `topic config ${name} has no value`);
    return v.trim();
  };
  const long = (name: string): bigint => {
    const v = raw(name);
    assert(/^-?\d+$/.test(v), `topic config ${name}=${v} is not an integer`);
    return BigInt(v);
  };
  const int = (name: string): number => Number(long(name));
  const bool = (name: string): boolean => raw(name).toLowerCase() === 'true';
  const policies = raw('cleanup.policy')
    .split(',')
    .map((s) => s.trim());
  const timestampType = raw('message.timestamp.type');
  assert(timestampType === 'CreateTime' || timestampType === 'LogAppendTime', `bad timestamp type ${timestampType}`);
  return {
    cleanupPolicy: { delete: policies.includes('delete'), compact: policies.includes('compact') },
    compressionType: raw('compression.type'),
    deleteRetentionMs: long('delete.retention.ms'),
    fileDeleteDelayMs: long('file.delete.delay.ms'),
    flushMessages: long('flush.messages'),
    flushMs: long('flush.ms'),
    indexIntervalBytes: int('index.interval.bytes'),
    maxCompactionLagMs: long('max.compaction.lag.ms'),
    maxMessageBytes: int('max.message.bytes'),
    ...timestampBounds(long),
    messageTimestampType: timestampType,
    minCleanableDirtyRatio: Number(raw('min.cleanable.dirty.ratio')),
    minCompactionLagMs: long('min.compaction.lag.ms'),
    minInsyncReplicas: int('min.insync.replicas'),
    preallocate: bool('preallocate'),
    retentionBytes: long('retention.bytes'),
    retentionMs: long('retention.ms'),
    segmentBytes: int('segment.bytes'),
    segmentIndexBytes: int('segment.index.bytes'),
    segmentJitterMs: long('segment.jitter.ms'),
    segmentMs: long('segment.ms'),
    uncleanLeaderElectionEnable: bool('unclean.leader.election.enable'),
  };
}
