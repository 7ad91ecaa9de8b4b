import {
  clusterPartitionLimits,
  createTopics,
  defaultPartitionLimits,
  type PartitionLimits,
  registerBroker,
} from '@runnel/controller';
import type { CreateTopicRequest, MetadataImage, MetadataRecord } from '@runnel/metadata';
import { MetadataImage as Image, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { createPartitions } from '../src/logic/create-partitions.ts';
import { alterPartitionReassignments } from '../src/logic/reassignment.ts';

const apply = (image: MetadataImage, records: readonly MetadataRecord[]) =>
  replayBatch(image, records, image.lastOffset + BigInt(records.length));

const defaults = { numPartitions: 1, defaultReplicationFactor: 1 };

// One counter for the whole file: topics created by successive calls on one image need distinct ids.
let idCount = 0;
function ids(): () => string {
  return () => `00000000-0000-4000-8000-${(++idCount).toString(16).padStart(12, '0')}`;
}

function withBrokers(count: number): MetadataImage {
  let image = Image.empty;
  for (let brokerId = 1; brokerId <= count; brokerId++) {
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
    image = apply(image, records);
  }
  return image;
}

const topic = (name: string, numPartitions: number, over: Partial<CreateTopicRequest> = {}): CreateTopicRequest => ({
  name,
  numPartitions,
  replicationFactor: 1,
  assignments: [],
  configs: {},
  ...over,
});

const limits = (over: Partial<PartitionLimits>): PartitionLimits => ({ ...defaultPartitionLimits, ...over });
const errors = (results: readonly { result: { ok: boolean; error?: string } }[]) =>
  results.map((r) => (r.result.ok ? 'ok' : r.result.error));

describe('partition limits in CreateTopics', () => {
  it('a request of 100,000 partitions is refused whole with policy_violation and produces no record', () => {
    const { records, results } = createTopics(withBrokers(1), [topic('flood', 100_000)], defaults, ids());
    expect(records).toEqual([]);
    expect(errors(results)).toEqual(['policy_violation']);
    expect(results[0]?.result).toMatchObject({ message: expect.stringContaining('max.partitions.per.request') });
  });

  it('the per-request bound counts every topic, defaults (-1) and assignments alike; one over refuses all', () => {
    const image = withBrokers(1);
    const bound = limits({ partitionsPerRequestMax: 10 });
    const atBound = createTopics(
      image,
      [topic('a', 4), topic('b', -1), topic('c', -1, { replicationFactor: -1, assignments: [] }), topic('d', 4)],
      { numPartitions: 1, defaultReplicationFactor: 1 },
      ids(),
      bound,
    );
    expect(errors(atBound.results)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const over = createTopics(
      image,
      [
        topic('a', 5),
        topic('b', -1, {
          replicationFactor: -1,
          assignments: Array.from({ length: 6 }, (_, partition) => ({ partition, brokerIds: [1] })),
        }),
      ],
      defaults,
      ids(),
      bound,
    );
    expect(over.records).toEqual([]);
    expect(errors(over.results)).toEqual(['policy_violation', 'policy_violation']);
  });

  it('a topic over max.topic.partitions is invalid_partitions, the others in the request are created', () => {
    const { results } = createTopics(
      withBrokers(1),
      [topic('big', 11), topic('small', 2)],
      defaults,
      ids(),
      limits({ partitionsPerTopicMax: 10 }),
    );
    expect(errors(results)).toEqual(['invalid_partitions', 'ok']);
    expect(results[0]?.result).toMatchObject({ message: expect.stringContaining('max.topic.partitions') });
  });

  it('replicas past max.broker.partitions on any broker refuse the topic; earlier topics in the request count', () => {
    let image = withBrokers(2);
    const bound = limits({ replicasPerBrokerMax: 5 });
    const first = createTopics(image, [topic('a', 3, { replicationFactor: 2 })], defaults, ids(), bound);
    expect(errors(first.results)).toEqual(['ok']);
    image = apply(image, first.records);
    // Each broker hosts 3; 2 more each fit, 3 more each do not.
    const next = createTopics(
      image,
      [topic('b', 2, { replicationFactor: 2 }), topic('c', 1, { replicationFactor: 2 }), topic('d', 1)],
      defaults,
      ids(),
      bound,
    );
    expect(errors(next.results)).toEqual(['ok', 'policy_violation', 'policy_violation']);
    expect(next.results[1]?.result).toMatchObject({ message: expect.stringContaining('max.broker.partitions') });
    // The refused topics left no trace in the placement of later ones or in the records.
    expect(apply(image, next.records).topicNames().sort()).toEqual(['a', 'b']);
  });

  it('explicit assignments count against max.broker.partitions too', () => {
    const { results } = createTopics(
      withBrokers(2),
      [
        topic('x', -1, {
          replicationFactor: -1,
          assignments: [0, 1, 2].map((partition) => ({ partition, brokerIds: [1] })),
        }),
      ],
      defaults,
      ids(),
      limits({ replicasPerBrokerMax: 2 }),
    );
    expect(errors(results)).toEqual(['policy_violation']);
  });

  it('max.partitions bounds the whole cluster', () => {
    let image = withBrokers(3);
    const bound = limits({ partitionsMax: 6 });
    const first = createTopics(image, [topic('a', 4)], defaults, ids(), bound);
    image = apply(image, first.records);
    const next = createTopics(image, [topic('b', 2), topic('c', 1)], defaults, ids(), bound);
    expect(errors(next.results)).toEqual(['ok', 'policy_violation']);
    expect(next.results[1]?.result).toMatchObject({ message: expect.stringContaining('max.partitions') });
  });
});

describe('partition limits in CreatePartitions', () => {
  function withTopic(partitions: number): MetadataImage {
    const image = withBrokers(1);
    return apply(image, createTopics(image, [topic('t', partitions), topic('u', 1)], defaults, ids()).records);
  }

  it('growth past max.partitions.per.request in all is refused whole with policy_violation', () => {
    const image = withTopic(1);
    const grow = (t: string, count: number) => ({ topic: t, count, assignments: [] });
    const bound = limits({ partitionsPerRequestMax: 5 });
    expect(errors(createPartitions(image, [grow('t', 4), grow('u', 3)], bound).results)).toEqual(['ok', 'ok']);
    const over = createPartitions(image, [grow('t', 4), grow('u', 4)], bound);
    expect(over.records).toEqual([]);
    expect(errors(over.results)).toEqual(['policy_violation', 'policy_violation']);
  });

  it('growth past max.topic.partitions is invalid_partitions; past max.broker.partitions policy_violation', () => {
    const image = withTopic(2);
    const grow = { topic: 't', count: 8, assignments: [] };
    expect(errors(createPartitions(image, [grow], limits({ partitionsPerTopicMax: 7 })).results)).toEqual([
      'invalid_partitions',
    ]);
    // The broker hosts 3 replicas (t: 2, u: 1); 6 more make 9.
    expect(errors(createPartitions(image, [grow], limits({ replicasPerBrokerMax: 8 })).results)).toEqual([
      'policy_violation',
    ]);
    expect(errors(createPartitions(image, [grow], limits({ replicasPerBrokerMax: 9 })).results)).toEqual(['ok']);
  });
});

describe('partition limits in reassignments', () => {
  it('moving replicas onto a broker at max.broker.partitions is policy_violation; moves within it start', () => {
    const image = withBrokers(3);
    // Broker 1 hosts 2 replicas, broker 2 none, broker 3 none.
    const created = createTopics(
      image,
      [
        topic('t', -1, {
          replicationFactor: -1,
          assignments: [0, 1].map((partition) => ({ partition, brokerIds: [1] })),
        }),
      ],
      defaults,
      ids(),
    );
    const after = apply(image, created.records);
    const bound = limits({ replicasPerBrokerMax: 1 });
    const moves = alterPartitionReassignments(
      after,
      [
        { topic: 't', partition: 0, replicas: [2] },
        { topic: 't', partition: 1, replicas: [2] },
        { topic: 't', partition: 1, replicas: [3] },
      ],
      'operator',
      bound,
    );
    // The second move onto broker 2 would make it host 2; the same partition may still go to broker 3.
    expect(errors(moves.results)).toEqual(['ok', 'policy_violation', 'ok']);
    expect(moves.results[1]?.result).toMatchObject({ message: expect.stringContaining('max.broker.partitions') });
    expect(moves.records.map((r) => r.addingReplicas)).toEqual([[2], [3]]);
  });
});

describe('clusterPartitionLimits', () => {
  it('takes dynamic cluster-wide values over the static ones and ignores unusable ones', () => {
    let image = withBrokers(1);
    const set = (name: string, value: string): MetadataRecord => ({
      type: 'config',
      resourceType: 'broker',
      resourceName: '',
      name,
      value,
    });
    image = apply(image, [set('max.broker.partitions', '123'), set('max.partitions.per.request', 'lots')]);
    expect(clusterPartitionLimits(image)).toEqual({ ...defaultPartitionLimits, replicasPerBrokerMax: 123 });
  });
});
