import type { ClusterMetadata, TopicInfo } from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { RestError } from '../src/rest/rest-error.ts';
import { brokerIds, partitionNumberOf, topicNames, topicOf, topicView } from '../src/rest/v2/topic-views.ts';

const topic = (name: string, extra: Partial<TopicInfo> = {}): TopicInfo => ({
  name,
  topicId: '00000000-0000-0000-0000-000000000001',
  errorCode: ErrorCode.NONE,
  isInternal: false,
  partitions: [0, 1].map((partition) => ({
    partition,
    errorCode: 0,
    leader: 2,
    leaderEpoch: 0,
    replicas: [2, 3],
    isr: [2],
    offlineReplicas: [],
  })),
  ...extra,
});
const metadata = (topics: TopicInfo[]): ClusterMetadata => ({
  clusterId: 'c',
  controllerId: 1,
  brokers: [3, 1, 2].map((nodeId) => ({ nodeId, host: 'h', port: 9092, rack: null })),
  topics,
});

function codeOf(action: () => unknown): number | null {
  try {
    action();
    return null;
  } catch (error) {
    if (error instanceof RestError) return error.errorCode;
    throw error;
  }
}

describe('v2 metadata views', () => {
  it('lists topic names sorted, leaving out Kafka’s internal topics', () => {
    const m = metadata([topic('b'), topic('__consumer_offsets', { isInternal: true }), topic('a')]);
    expect(topicNames(m)).toEqual(['a', 'b']);
  });

  it('shows a topic with its replicas marked leader and in sync, and its configs without sensitive ones', () => {
    const configs = [
      { name: 'retention.ms', value: '1000', readOnly: false, isSensitive: false, source: 1 },
      { name: 'secret', value: 'x', readOnly: false, isSensitive: true, source: 1 },
    ];
    expect(topicView(topic('t'), configs)).toEqual({
      name: 't',
      configs: { 'retention.ms': '1000' },
      partitions: [0, 1].map((partition) => ({
        partition,
        leader: 2,
        replicas: [
          { broker: 2, leader: true, in_sync: true },
          { broker: 3, leader: false, in_sync: false },
        ],
      })),
    });
  });

  it('an unknown topic is 40401; one still without partitions is retriable (50003)', () => {
    const m = metadata([topic('gone', { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, partitions: [] })]);
    expect(codeOf(() => topicOf(m, 'gone'))).toBe(40401);
    expect(codeOf(() => topicOf(metadata([]), 'absent'))).toBe(40401);
    const electing = metadata([topic('new', { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, partitions: [] })]);
    expect(codeOf(() => topicOf(electing, 'new'))).toBe(50003);
  });

  it('a partition is 40402 unless it is a decimal number below the partition count', () => {
    const t = topic('t');
    expect(partitionNumberOf(t, '1')).toBe(1);
    for (const bad of ['2', '-1', 'x', '1.0', '', '99999999999'])
      expect(codeOf(() => partitionNumberOf(t, bad))).toBe(40402);
  });

  it('lists broker ids ascending', () => {
    expect(brokerIds(metadata([]))).toEqual({ brokers: [1, 2, 3] });
  });
});
