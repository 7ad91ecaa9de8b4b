/**
 * The v3 pure mappings: Kafka error codes to Confluent's status and code,
 * v3 error bodies keeping Kafka's five-digit codes, request bodies to
 * client calls, and resource shapes (self URLs, CRNs, related links).
 */
import {
  ConnectionError,
  type DescribedConfig,
  type GroupDescription,
  KafkaError,
  type TopicInfo,
} from '@runnel/client';
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import { RestError, restErrorBody } from '../src/rest/rest-error.ts';
import { configData } from '../src/rest/v3/v3-config-shapes.ts';
import { groupData, groupState, isConsumerGroup } from '../src/rest/v3/v3-group-shapes.ts';
import { asV3Error, kafkaRestError } from '../src/rest/v3/v3-kafka-errors.ts';
import { configChangesFrom, newTopicFrom } from '../src/rest/v3/v3-requests.ts';
import { collection, requestBase, V3Urls } from '../src/rest/v3/v3-resources.ts';
import { mapBounded } from '../src/rest/v3/v3-route-kit.ts';
import { partitionData, replicasOnBroker, topicData, topicSummary } from '../src/rest/v3/v3-shapes.ts';

const urls = new V3Urls('http://gw:8082/', 'c-1');

describe('Kafka errors on v3', () => {
  it.each([
    [ErrorCode.TOPIC_ALREADY_EXISTS, 400, 40002],
    [ErrorCode.POLICY_VIOLATION, 400, 40002],
    [ErrorCode.INVALID_REPLICATION_FACTOR, 400, 40002],
    [ErrorCode.INVALID_PARTITIONS, 400, 40002],
    [ErrorCode.INVALID_CONFIG, 400, 40002],
    [ErrorCode.SECURITY_DISABLED, 400, 40002],
    [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 404, 40403],
    [ErrorCode.TOPIC_AUTHORIZATION_FAILED, 403, 40301],
    [ErrorCode.NOT_CONTROLLER, 500, 50003],
    [ErrorCode.REQUEST_TIMED_OUT, 500, 50003],
    [ErrorCode.CORRUPT_MESSAGE, 500, 50003],
    [ErrorCode.OFFSET_METADATA_TOO_LARGE, 500, 50002],
  ])('Kafka code %i answers %i with error_code %i', (code, status, errorCode) => {
    const error = kafkaRestError(code, null, 'topic t');
    expect(error.status).toBe(status);
    expect(restErrorBody('/v3/clusters/c/topics', error.errorCode, error.message).error_code).toBe(errorCode);
  });

  it("keeps the broker's message, else Kafka's description", () => {
    expect(kafkaRestError(ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 't' already exists.", 'x').message).toBe(
      "Topic 't' already exists.",
    );
    expect(kafkaRestError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null, 'topic t').message).toMatch(
      /^This server does not host this topic-partition/,
    );
  });

  it('a KafkaError the client threw is mapped by its code; a ConnectionError is a retriable 500 (50003)', () => {
    const unknown = asV3Error(new KafkaError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    expect(unknown).toBeInstanceOf(RestError);
    expect((unknown as RestError).errorCode).toBe(40_403);
    const down = asV3Error(new ConnectionError('timeout', 'no answer in 30000 ms'));
    expect((down as RestError).errorCode).toBe(50_003);
    const other = new Error('a bug');
    expect(asV3Error(other)).toBe(other);
  });

  it('v3 bodies carry the bare status for the proxy own errors, v2 bodies the five-digit code', () => {
    expect(restErrorBody('/v3/clusters/x', 40_000, 'bad').error_code).toBe(400);
    expect(restErrorBody('/v3/clusters/x', 404, 'gone').error_code).toBe(404);
    expect(restErrorBody('/topics/t', 40_403, 'gone').error_code).toBe(40_403);
  });
});

describe('request bodies', () => {
  it('a create with counts and configs (null values dropped) becomes one NewTopic', () => {
    expect(
      newTopicFrom({
        topic_name: 't',
        partitions_count: 3,
        replication_factor: 2,
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'retention.ms', value: null },
        ],
      }),
    ).toEqual({ name: 't', numPartitions: 3, replicationFactor: 2, configs: { 'cleanup.policy': 'compact' } });
  });

  it('replicas_assignments become assignments, and may not come with counts', () => {
    expect(newTopicFrom({ topic_name: 't', replicas_assignments: [{ partition_id: 0, broker_ids: [1, 2] }] })).toEqual({
      name: 't',
      assignments: [{ partition: 0, brokerIds: [1, 2] }],
    });
    expect(() =>
      newTopicFrom({
        topic_name: 't',
        partitions_count: 1,
        replicas_assignments: [{ partition_id: 0, broker_ids: [1] }],
      }),
    ).toThrow(RestError);
  });

  it('an alter batch: SET by default, DELETE resets; a SET without value, an unknown operation or a repeat is 400', () => {
    expect(
      configChangesFrom({
        data: [
          { name: 'a', value: '1' },
          { name: 'b', operation: 'delete' },
          { name: 'c', value: '2', operation: 'SET' },
        ],
      }),
    ).toEqual([
      { name: 'a', op: 'set', value: '1' },
      { name: 'b', op: 'delete' },
      { name: 'c', op: 'set', value: '2' },
    ]);
    for (const bad of [
      { data: [{ name: 'a' }] },
      { data: [{ name: 'a', value: '1', operation: 'APPEND' }] },
      {
        data: [
          { name: 'a', value: '1' },
          { name: 'a', operation: 'DELETE' },
        ],
      },
    ])
      expect(() => configChangesFrom(bad)).toThrow(/config|Config|operation/);
  });
});

describe('resource shapes', () => {
  const topic: TopicInfo = {
    name: 'a b',
    topicId: '',
    errorCode: 0,
    isInternal: false,
    partitions: [
      { partition: 0, errorCode: 0, leader: 2, leaderEpoch: 0, replicas: [2, 3], isr: [2], offlineReplicas: [] },
      { partition: 1, errorCode: 0, leader: -1, leaderEpoch: 0, replicas: [3, 1], isr: [], offlineReplicas: [] },
    ],
  };

  it('URLs are encoded per segment under the caller base; CRNs name the cluster', () => {
    expect(urls.url('topics', 'a b', 'partitions', 0)).toBe('http://gw:8082/v3/clusters/c-1/topics/a%20b/partitions/0');
    expect(urls.crn('topic=t', 'partition=0')).toBe('crn:///kafka=c-1/topic=t/partition=0');
    expect(requestBase('http', '10.0.0.5:8082', 'http://adv:1')).toBe('http://10.0.0.5:8082');
    expect(requestBase('http', undefined, 'http://adv:1')).toBe('http://adv:1');
    expect(requestBase('http', 'evil host/x', 'http://adv:1')).toBe('http://adv:1');
    expect(collection('KafkaTopicList', 'u', [])).toEqual({
      kind: 'KafkaTopicList',
      metadata: { self: 'u', next: null },
      data: [],
    });
  });

  it('a topic reports the first partition replica count as its replication factor', () => {
    expect(topicData(urls, topicSummary(topic))).toMatchObject({
      kind: 'KafkaTopic',
      metadata: { resource_name: 'crn:///kafka=c-1/topic=a b' },
      partitions_count: 2,
      replication_factor: 2,
      partition_reassignments: { related: 'http://gw:8082/v3/clusters/c-1/topics/a%20b/partitions/-/reassignment' },
    });
  });

  it('a partition without a leader has no leader link', () => {
    const [led, leaderless] = topic.partitions;
    if (led === undefined || leaderless === undefined) throw new Error('the fixture has two partitions');
    expect(partitionData(urls, 'a b', led)).toHaveProperty('leader');
    expect(partitionData(urls, 'a b', leaderless)).not.toHaveProperty('leader');
  });

  it("a broker's replicas: leader and in-sync flags per partition", () => {
    const onThree = replicasOnBroker(urls, [topic], 3);
    expect(onThree.map((r) => [r.partition_id, r.is_leader, r.is_in_sync])).toEqual([
      [0, false, false],
      [1, false, false],
    ]);
    expect(replicasOnBroker(urls, [topic], 2).map((r) => [r.is_leader, r.is_in_sync])).toEqual([[true, true]]);
  });

  it('a sensitive config never shows its value, nor its synonyms', () => {
    const secret: DescribedConfig = {
      name: 'ssl.key.password',
      value: 'hunter2',
      source: 'DYNAMIC_BROKER_CONFIG',
      isDefault: false,
      readOnly: false,
      sensitive: true,
      type: 'PASSWORD',
      documentation: null,
      synonyms: [{ name: 'ssl.key.password', value: 'hunter2', source: 'DYNAMIC_BROKER_CONFIG' }],
    };
    const shaped = configData(urls, { kind: 'broker', brokerId: 1 }, secret);
    expect(shaped).toMatchObject({ kind: 'KafkaBrokerConfig', value: null, broker_id: 1, synonyms: [{ value: null }] });
    expect(configData(urls, { kind: 'cluster' }, secret)).toMatchObject({
      kind: 'KafkaClusterConfig',
      config_type: 'BROKER',
      metadata: { self: 'http://gw:8082/v3/clusters/c-1/broker-configs/ssl.key.password' },
    });
  });

  it('group states are spelled as v3 does; simple groups have no protocol type', () => {
    expect(
      ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead', 'Assigning'].map(groupState),
    ).toEqual(['STABLE', 'PREPARING_REBALANCE', 'COMPLETING_REBALANCE', 'EMPTY', 'DEAD', 'UNKNOWN']);
    expect([isConsumerGroup('consumer'), isConsumerGroup(''), isConsumerGroup('connect')]).toEqual([true, true, false]);
    const group: GroupDescription = {
      errorCode: 0,
      groupId: 'g',
      state: 'Empty',
      protocolType: '',
      protocol: '',
      members: [],
      coordinator: 2,
    };
    expect(groupData(urls, group)).toMatchObject({
      is_simple: true,
      state: 'EMPTY',
      coordinator: { related: 'http://gw:8082/v3/clusters/c-1/brokers/2' },
    });
  });
});

describe('bounded fan-out', () => {
  it('keeps at most `limit` calls in flight and the results in the items order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      for (let i = 0; i < n; i++) await Promise.resolve();
      inFlight--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(most).toBe(2);
    expect(await mapBounded([], 4, async (n: number) => n)).toEqual([]);
  });
});
