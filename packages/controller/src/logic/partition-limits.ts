/**
 * Bounds on how many partitions the cluster takes on, checked by
 * CreateTopics and CreatePartitions before any record is produced (so a
 * refused request leaves nothing in the metadata log and nothing on any
 * broker's disk). Pure: (image, request counts, limits) -> a refusal or
 * null.
 *
 * Kafka 4.x's KRaft controller refuses a CreateTopics whose partitions add
 * up to more than 10,000 as a whole, every topic answered POLICY_VIOLATION;
 * it has no configurable per-topic, per-broker or cluster-wide bound
 * (KIP-578 proposed `max.broker.partitions` and `max.partitions`; it was
 * never adopted). Runnel keeps Kafka's per-request bound as its default and
 * adds the rest as its own cluster-wide dynamic configs (the "" broker
 * resource, like num.partitions), so an operator raises them at run time.
 */
import type { MetadataImage } from '@runnel/metadata';
import type { BrokerLoad } from './replica-placement.ts';

export interface PartitionLimits {
  /** max.partitions.per.request: partitions one CreateTopics or CreatePartitions may add in all. */
  readonly partitionsPerRequestMax: number;
  /** max.topic.partitions: partitions one topic may have. */
  readonly partitionsPerTopicMax: number;
  /** max.broker.partitions (KIP-578's name): partition replicas one broker may host. */
  readonly replicasPerBrokerMax: number;
  /** max.partitions (KIP-578's name): partitions in the whole cluster. */
  readonly partitionsMax: number;
}

export const partitionLimitConfigNames = {
  partitionsPerRequestMax: 'max.partitions.per.request',
  partitionsPerTopicMax: 'max.topic.partitions',
  replicasPerBrokerMax: 'max.broker.partitions',
  partitionsMax: 'max.partitions',
} as const satisfies Record<keyof PartitionLimits, string>;

/**
 * The static defaults: Kafka's per-request bound; a topic may use all of
 * one request; a broker hosts tens of thousands of replicas (its file
 * handles are budgeted, see @runnel/storage's handle cache); a cluster
 * stays within what one controller's image holds comfortably.
 */
export const defaultPartitionLimits: PartitionLimits = {
  partitionsPerRequestMax: 10_000,
  partitionsPerTopicMax: 10_000,
  replicasPerBrokerMax: 20_000,
  partitionsMax: 200_000,
};

/** The limits in force: the dynamic cluster-wide values (the "" broker resource) over `staticLimits`. */
export function clusterPartitionLimits(
  image: MetadataImage,
  staticLimits: PartitionLimits = defaultPartitionLimits,
): PartitionLimits {
  const dynamic = image.configOverrides('broker', '');
  const positive = (key: keyof PartitionLimits): number => {
    const raw = dynamic.get(partitionLimitConfigNames[key]);
    const n = raw === undefined ? Number.NaN : Number(raw.trim());
    return Number.isSafeInteger(n) && n >= 1 ? n : staticLimits[key];
  };
  return {
    partitionsPerRequestMax: positive('partitionsPerRequestMax'),
    partitionsPerTopicMax: positive('partitionsPerTopicMax'),
    replicasPerBrokerMax: positive('replicasPerBrokerMax'),
    partitionsMax: positive('partitionsMax'),
  };
}

/**
 * The partitions a CreateTopics asks for, counted as Kafka does: a topic's
 * assignments when it names them, else its count (-1: `defaultPartitions`);
 * nonsense counts add nothing (they are refused per topic later).
 */
export function requestedTopicPartitions(
  topics: readonly { numPartitions: number; assignments: readonly unknown[] }[],
  defaultPartitions: number,
): number {
  let total = 0;
  for (const t of topics) {
    if (t.assignments.length > 0) total += t.assignments.length;
    else if (t.numPartitions === -1) total += defaultPartitions;
    else if (Number.isSafeInteger(t.numPartitions) && t.numPartitions > 0) total += t.numPartitions;
  }
  return total;
}

/** Why a request adding `requested` partitions in all is refused as a whole, or null. */
export function requestOverLimit(requested: number, limits: PartitionLimits): string | null {
  if (requested <= limits.partitionsPerRequestMax) return null;
  return (
    `Too many partitions in one request: ${requested} asked for, at most ${limits.partitionsPerRequestMax} ` +
    `(${partitionLimitConfigNames.partitionsPerRequestMax}); split it into smaller requests.`
  );
}

/** Why a topic may not have `count` partitions, or null. */
export function topicOverLimit(count: number, limits: PartitionLimits): string | null {
  if (count <= limits.partitionsPerTopicMax) return null;
  return (
    `A topic may have at most ${limits.partitionsPerTopicMax} partitions ` +
    `(${partitionLimitConfigNames.partitionsPerTopicMax}); ${count} asked for.`
  );
}

/**
 * Why adding `added` partitions to a cluster holding `existing` is refused
 * by max.partitions, or null.
 */
export function clusterOverLimit(existing: number, added: number, limits: PartitionLimits): string | null {
  if (existing + added <= limits.partitionsMax) return null;
  return (
    `The cluster would hold ${existing + added} partitions, over ${limits.partitionsMax} ` +
    `(${partitionLimitConfigNames.partitionsMax}); it holds ${existing}.`
  );
}

/**
 * Why placing `replicaLists` is refused by max.broker.partitions, or null.
 * `loads` are the brokers' replica counts before these lists (not changed).
 */
export function brokersOverLimit(
  loads: ReadonlyMap<number, BrokerLoad>,
  replicaLists: readonly (readonly number[])[],
  limits: PartitionLimits,
): string | null {
  const added = new Map<number, number>();
  for (const replicas of replicaLists) for (const id of replicas) added.set(id, (added.get(id) ?? 0) + 1);
  for (const [brokerId, count] of [...added].sort(([a], [b]) => a - b)) {
    const hosted = loads.get(brokerId)?.replicas ?? 0;
    if (hosted + count > limits.replicasPerBrokerMax) {
      return (
        `Broker ${brokerId} would host ${hosted + count} partition replicas, over ${limits.replicasPerBrokerMax} ` +
        `(${partitionLimitConfigNames.replicasPerBrokerMax}); it hosts ${hosted}.`
      );
    }
  }
  return null;
}

/** Adds (sign 1) or withdraws (sign -1) `replicaLists` to `loads`, leaders first in each list. */
export function shiftLoads(loads: Map<number, BrokerLoad>, replicaLists: readonly (readonly number[])[], sign: 1 | -1) {
  for (const replicas of replicaLists) {
    for (const id of replicas) {
      const load = loads.get(id) ?? { replicas: 0, leaders: 0 };
      load.replicas += sign;
      loads.set(id, load);
    }
    const leader = replicas[0];
    if (leader !== undefined) {
      const load = loads.get(leader);
      if (load !== undefined) load.leaders += sign;
    }
  }
}

/** Partitions in the image, all topics. */
export function partitionCount(image: MetadataImage): number {
  let n = 0;
  for (const name of image.topicNames()) n += image.topic(name)?.partitions.length ?? 0;
  return n;
}
