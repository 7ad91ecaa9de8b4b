/**
 * A BrokerContext for the produce and fetch handler tests: broker 1 with
 * one topic `t` (partition 0, and optionally more, each hosted by a given
 * real Partition) in its metadata image, real metrics, and nothing else the
 * handlers do not read (hence the cast, as in the other handler tests).
 */
import { type Clock, silentLogger } from '@runnel/common';
import { MetadataImage, type MetadataRecord, replayBatch } from '@runnel/metadata';
import { defaultBrokerConfig } from '../src/config.ts';
import type { BrokerContext } from '../src/handlers/handler.ts';
import { BrokerMetrics } from '../src/metrics.ts';
import type { Partition } from '../src/replication/partition.ts';
import { topicId } from './replication-fixture.ts';

export function handlerContext(
  partition: Partition,
  options: {
    clock: Clock;
    minInsyncReplicas?: number;
    replicas?: number[];
    /** Partitions 1, 2, ... of `t`, after `partition` as partition 0. */
    more?: readonly Partition[];
  },
): { context: BrokerContext; metrics: BrokerMetrics } {
  const replicas = options.replicas ?? [1];
  const hosted = [partition, ...(options.more ?? [])];
  const records: MetadataRecord[] = [
    { type: 'topic', name: 't', topicId },
    ...hosted.map(
      (_, index): MetadataRecord => ({
        type: 'partition',
        topicId,
        partition: index,
        replicas,
        isr: replicas,
        leader: 1,
        leaderEpoch: 1,
        partitionEpoch: 1,
        elr: [],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
      }),
    ),
    {
      type: 'config',
      resourceType: 'topic',
      resourceName: 't',
      name: 'min.insync.replicas',
      value: String(options.minInsyncReplicas ?? 1),
    },
  ];
  const image = replayBatch(MetadataImage.empty, records, BigInt(records.length - 1));
  const metrics = new BrokerMetrics(
    {
      partitionCount: () => 1,
      segmentCount: () => 1,
      logSizeBytes: () => 0,
      connectionCount: () => 0,
      producerIdCount: () => partition.log.producerCount,
      pooledFrames: () => ({ acquired: 0, reused: 0 }),
    },
    { defaultMetrics: false },
  );
  const stub = {
    config: { ...defaultBrokerConfig, nodeId: 1 },
    logger: silentLogger(),
    clock: options.clock,
    metrics,
    partitions: { get: (topic: string, index: number) => (topic === 't' ? hosted[index] : undefined) },
    image: () => image,
  };
  return { context: stub as unknown as BrokerContext, metrics };
}

/** The value of a counter with one label set, e.g. messages out for topic t. */
export async function counterValue(counter: {
  get(): Promise<{ values: { value: number; labels: object }[] }>;
}): Promise<number> {
  return (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
}
