import { createTopics, registerBroker } from '@runnel/controller';
import type { CreatePartitionsTopic, MetadataImage, MetadataRecord } from '@runnel/metadata';
import { MetadataImage as Image, replayBatch } from '@runnel/metadata';
import { describe, expect, it } from 'vitest';
import { createPartitions } from '../src/logic/create-partitions.ts';

const apply = (image: MetadataImage, records: readonly MetadataRecord[]) =>
  replayBatch(image, records, image.lastOffset + BigInt(records.length));

/** Brokers 1..n registered, and topic `t` with `partitions` partitions of `rf` replicas. */
function cluster(brokers: number, partitions: number, rf: number): MetadataImage {
  let image = Image.empty;
  for (let brokerId = 1; brokerId <= brokers; brokerId++) {
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
  const { records } = createTopics(
    image,
    [{ name: 't', numPartitions: partitions, replicationFactor: rf, assignments: [], configs: {} }],
    { numPartitions: 1, defaultReplicationFactor: 1 },
    () => '00000000-0000-4000-8000-000000000001',
  );
  return apply(image, records);
}

const grow = (count: number, assignments: number[][] = [], topic = 't'): CreatePartitionsTopic => ({
  topic,
  count,
  assignments,
});

describe('createPartitions logic', () => {
  it('growing 2 partitions of RF 2 to 5 adds partitions 2-4 with the same RF, isr = replicas, leader first', () => {
    const image = cluster(3, 2, 2);
    const { records, results } = createPartitions(image, [grow(5)]);
    expect(results).toEqual([{ topic: 't', result: { ok: true, value: null } }]);
    const after = apply(image, records);
    const partitions = after.topic('t')?.partitions ?? [];
    expect(partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4]);
    for (const p of partitions.slice(2)) {
      expect(p.replicas).toHaveLength(2);
      expect(new Set(p.replicas).size).toBe(2);
      expect(p.isr).toEqual(p.replicas);
      expect(p.leader).toBe(p.replicas[0]);
    }
    // Leadership stays spread: over 5 partitions and 3 brokers nobody leads more than 2.
    const leaders = partitions.map((p) => p.leader);
    for (const b of [1, 2, 3]) expect(leaders.filter((l) => l === b).length).toBeLessThanOrEqual(2);
  });

  it('a count below the current one, or equal to it, is invalid_partitions and writes nothing', () => {
    const image = cluster(1, 3, 1);
    const { records, results } = createPartitions(image, [grow(2), grow(3)]);
    expect(records).toEqual([]);
    expect(results.map((r) => (r.result.ok ? 'ok' : r.result.error))).toEqual([
      'invalid_partitions',
      'invalid_partitions',
    ]);
    expect(results[0]?.result.ok === false && results[0].result.message).toContain('higher than the requested 2');
  });

  it('an unknown topic is unknown_topic; a topic listed twice is refused the second time', () => {
    const image = cluster(1, 1, 1);
    const { results } = createPartitions(image, [grow(2, [], 'nope'), grow(2), grow(3)]);
    expect(results.map((r) => (r.result.ok ? 'ok' : r.result.error))).toEqual([
      'unknown_topic',
      'ok',
      'invalid_partitions',
    ]);
  });

  it('explicit assignments are used as given when they match the RF and name live brokers, and only those are operator-placed', () => {
    const image = cluster(3, 1, 2);
    const { records, results } = createPartitions(image, [
      grow(3, [
        [3, 1],
        [2, 3],
      ]),
    ]);
    expect(results[0]?.result.ok).toBe(true);
    const partitions = apply(image, records).topic('t')?.partitions ?? [];
    expect(partitions.slice(1).map((p) => [p.replicas, p.leader])).toEqual([
      [[3, 1], 3],
      [[2, 3], 2],
    ]);
    expect(partitions.map((p) => p.placement)).toEqual([undefined, 'operator', 'operator']);
    const placed = apply(image, createPartitions(image, [grow(2)]).records).topic('t')?.partitions ?? [];
    expect(placed.map((p) => p.placement)).toEqual([undefined, undefined]);
  });

  it.each([
    ['too few assignments', [[1, 2]]],
    ['a different replication factor', [[1], [2]]],
    [
      'a repeated replica',
      [
        [1, 1],
        [2, 3],
      ],
    ],
    [
      'an unknown broker',
      [
        [1, 9],
        [2, 3],
      ],
    ],
  ])('assignments with %s are invalid_replica_assignment', (_why, assignments) => {
    const image = cluster(3, 1, 2);
    const { records, results } = createPartitions(image, [grow(3, assignments)]);
    expect(records).toEqual([]);
    expect(results[0]?.result.ok === false && results[0].result.error).toBe('invalid_replica_assignment');
  });

  it('placement needing more live brokers than exist is invalid_replication_factor', () => {
    // The topic has RF 2 over two brokers; with broker 2 fenced only one is left to place new replicas on.
    let image = cluster(2, 1, 2);
    const broker2 = image.broker(2);
    expect(broker2).toBeDefined();
    image = apply(image, [{ type: 'fence-broker', brokerId: 2, brokerEpoch: broker2?.brokerEpoch ?? 0n }]);
    const { results } = createPartitions(image, [grow(2)]);
    expect(results[0]?.result.ok === false && results[0].result.error).toBe('invalid_replication_factor');
  });
});
