import { createTopics, deleteTopics, registerBroker } from '@runnel/controller';
import type { CreateTopicRequest, MetadataRecord } from '@runnel/metadata';
import { MetadataImage, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';

const defaults = { numPartitions: 1, defaultReplicationFactor: 1 };

function ids(): () => string {
  let n = 0;
  return () => `00000000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`;
}

function withBrokers(...brokerIds: number[]): MetadataImage {
  let image = MetadataImage.empty;
  for (const brokerId of brokerIds) {
    const { records } = registerBroker(
      image,
      {
        brokerId,
        incarnationId: `i${brokerId}`,
        listeners: [],
        rack: null,
        previousShutdownClean: true,
        clusterId: null,
      },
      new Map(),
    );
    image = replayBatch(image, records, image.lastOffset + BigInt(records.length));
  }
  return image;
}

const topic = (name: string, over: Partial<CreateTopicRequest> = {}): CreateTopicRequest => ({
  name,
  numPartitions: -1,
  replicationFactor: -1,
  assignments: [],
  configs: {},
  ...over,
});

const apply = (image: MetadataImage, records: MetadataRecord[]) =>
  replayBatch(image, records, image.lastOffset + BigInt(records.length));

describe('createTopics logic', () => {
  it('three partitions with RF 2 over three brokers spread leaders round-robin with isr = replicas', () => {
    const image = withBrokers(1, 2, 3);
    const { records, results } = createTopics(
      image,
      [topic('t', { numPartitions: 3, replicationFactor: 2 })],
      defaults,
      ids(),
    );
    expect(results[0]?.result).toMatchObject({ ok: true, value: { numPartitions: 3, replicationFactor: 2 } });
    const after = apply(image, records);
    const partitions = after.topic('t')?.partitions ?? [];
    expect(partitions.map((p) => p.replicas)).toEqual([
      [1, 2],
      [2, 3],
      [3, 1],
    ]);
    for (const p of partitions) {
      expect(p.isr).toEqual(p.replicas);
      expect(p.leader).toBe(p.replicas[0]);
      expect(p.leaderEpoch).toBe(0);
    }
  });

  it('the next topic starts its first replica one broker further on', () => {
    const image = withBrokers(1, 2, 3);
    const { records } = createTopics(image, [topic('a'), topic('b')], defaults, ids());
    const after = apply(image, records);
    expect(after.partition('a', 0)?.leader).toBe(1);
    expect(after.partition('b', 0)?.leader).toBe(2);
  });

  it('emits topic, then config overrides, then partitions', () => {
    const image = withBrokers(1);
    const { records } = createTopics(
      image,
      [topic('t', { numPartitions: 2, configs: { 'retention.ms': '10' } })],
      defaults,
      ids(),
    );
    expect(records.map((r) => r.type)).toEqual(['topic', 'config', 'partition', 'partition']);
  });

  it("explicit assignments are used as given and marked operator-placed; placed topics are the controller's", () => {
    const image = withBrokers(1, 2, 3);
    const assignments = [
      { partition: 1, brokerIds: [1, 3] },
      { partition: 0, brokerIds: [3, 2] },
    ];
    const requests = [topic('t', { assignments }), topic('placed', { numPartitions: 2, replicationFactor: 2 })];
    const { records, results } = createTopics(image, requests, defaults, ids());
    expect(results[0]?.result).toMatchObject({ ok: true, value: { numPartitions: 2, replicationFactor: 2 } });
    const after = apply(image, records);
    expect(after.partition('t', 0)?.replicas).toEqual([3, 2]);
    expect(after.partition('t', 1)?.leader).toBe(1);
    expect(after.topic('t')?.partitions.map((p) => p.placement)).toEqual(['operator', 'operator']);
    expect(after.topic('placed')?.partitions.map((p) => p.placement)).toEqual([undefined, undefined]);
  });

  it.each([
    ['a gap in partition numbers', [{ partition: 1, brokerIds: [1] }]],
    ['an unregistered broker', [{ partition: 0, brokerIds: [7] }]],
    ['a repeated replica', [{ partition: 0, brokerIds: [1, 1] }]],
    [
      'uneven replica counts',
      [
        { partition: 0, brokerIds: [1] },
        { partition: 1, brokerIds: [1, 2] },
      ],
    ],
  ])('explicit assignments with %s fail with invalid_replica_assignment', (_what, assignments) => {
    const { records, results } = createTopics(withBrokers(1, 2), [topic('t', { assignments })], defaults, ids());
    expect(records).toEqual([]);
    expect(results[0]?.result).toMatchObject({ ok: false, error: 'invalid_replica_assignment' });
  });

  it('assignments together with a partition count fail with invalid_replica_assignment', () => {
    const req = topic('t', { numPartitions: 1, assignments: [{ partition: 0, brokerIds: [1] }] });
    const { results } = createTopics(withBrokers(1), [req], defaults, ids());
    expect(results[0]?.result).toMatchObject({ ok: false, error: 'invalid_replica_assignment' });
  });

  it('a name repeated in one request creates the first and reports topic_already_exists for the second', () => {
    const { records, results } = createTopics(withBrokers(1), [topic('t'), topic('t')], defaults, ids());
    expect(records.filter((r) => r.type === 'topic')).toHaveLength(1);
    expect(results.map((r) => r.result.ok)).toEqual([true, false]);
    expect(results[1]?.result).toMatchObject({ error: 'topic_already_exists' });
  });

  it('partitions of 0 or below -1 fail with invalid_partitions; RF 0 with invalid_replication_factor', () => {
    const { results } = createTopics(
      withBrokers(1),
      [topic('a', { numPartitions: 0 }), topic('b', { numPartitions: -2 }), topic('c', { replicationFactor: 0 })],
      defaults,
      ids(),
    );
    expect(results.map((r) => (r.result.ok ? 'ok' : r.result.error))).toEqual([
      'invalid_partitions',
      'invalid_partitions',
      'invalid_replication_factor',
    ]);
  });

  it('with no live broker even RF 1 fails with invalid_replication_factor', () => {
    const { results } = createTopics(MetadataImage.empty, [topic('t')], defaults, ids());
    expect(results[0]?.result).toMatchObject({ ok: false, error: 'invalid_replication_factor' });
  });
});

describe('deleteTopics logic', () => {
  it('removes known topics and reports unknown_topic for missing and repeated names', () => {
    const image0 = withBrokers(1);
    const image = apply(image0, createTopics(image0, [topic('a')], defaults, ids()).records);
    const { records, results } = deleteTopics(image, ['a', 'missing', 'a']);
    expect(records).toEqual([{ type: 'remove-topic', topicId: image.topic('a')?.topicId }]);
    expect(results.map((r) => (r.result.ok ? 'ok' : r.result.error))).toEqual(['ok', 'unknown_topic', 'unknown_topic']);
  });

  it('by id removes exactly that topic; an unknown id, or one already named by name, is unknown_topic_id', () => {
    const image0 = withBrokers(1);
    const image = apply(image0, createTopics(image0, [topic('a'), topic('b')], defaults, ids()).records);
    const a = image.topic('a')?.topicId ?? '';
    const b = image.topic('b')?.topicId ?? '';
    const missing = '00000000-0000-4000-8000-0000000000ff';
    const { records, results } = deleteTopics(image, ['a'], [b, missing, a]);
    expect(records).toEqual([
      { type: 'remove-topic', topicId: a },
      { type: 'remove-topic', topicId: b },
    ]);
    expect(results.map((r) => [r.name, r.byTopicId, r.result.ok ? 'ok' : r.result.error])).toEqual([
      ['a', undefined, 'ok'],
      ['b', b, 'ok'],
      ['', missing, 'unknown_topic_id'],
      ['', a, 'unknown_topic_id'],
    ]);
  });

  it('a topic deleted and created again under its name gets a new random id', () => {
    const image0 = withBrokers(1);
    const first = apply(image0, createTopics(image0, [topic('a')], defaults, () => crypto.randomUUID()).records);
    const oldId = first.topic('a')?.topicId;
    const gone = apply(first, deleteTopics(first, ['a']).records);
    const again = apply(gone, createTopics(gone, [topic('a')], defaults, () => crypto.randomUUID()).records);
    expect(again.topic('a')?.topicId).not.toBe(oldId);
    expect(again.topicById(oldId ?? '')).toBeUndefined();
  });
});

describe('registerBroker logic', () => {
  it('the broker epoch is the offset of the registration record', () => {
    const image = withBrokers(1, 2);
    const { records, result } = registerBroker(
      image,
      { brokerId: 3, incarnationId: 'x', listeners: [], rack: 'r1', previousShutdownClean: true, clusterId: null },
      new Map(),
    );
    expect(result).toEqual({ ok: true, value: { brokerEpoch: 2n } });
    expect(records).toMatchObject([{ type: 'register-broker', brokerId: 3, brokerEpoch: 2n, rack: 'r1' }]);
  });

  it('another incarnation claiming a broker id with a live session gets duplicate_broker_registration', () => {
    const image = withBrokers(1);
    const { records, result } = registerBroker(
      image,
      { brokerId: 1, incarnationId: 'other', listeners: [], rack: null, previousShutdownClean: true, clusterId: null },
      new Map([[1, 'i1']]),
    );
    expect(records).toEqual([]);
    expect(result).toMatchObject({ ok: false, error: 'duplicate_broker_registration' });
  });
});
