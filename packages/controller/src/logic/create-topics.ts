/**
 * CreateTopics as a pure function of the image: validates each request,
 * places replicas, and returns the records that would create the topics.
 * Nothing changes until the caller commits the records and replays them.
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import type {
  CreatedTopic,
  CreateTopicError,
  CreateTopicRequest,
  CreateTopicResult,
  MetadataImage,
  MetadataRecord,
} from '@runnel/metadata';
import { isUuid, isValidTopicName, placementField, validateTopicConfigs, zeroUuid } from '@runnel/metadata';
import {
  brokersOverLimit,
  clusterOverLimit,
  defaultPartitionLimits,
  type PartitionLimits,
  partitionCount,
  requestedTopicPartitions,
  requestOverLimit,
  shiftLoads,
  topicOverLimit,
} from './partition-limits.ts';
import { type BrokerLoad, brokerLoads, type PlacementBroker, placeReplicas } from './replica-placement.ts';

export interface TopicDefaults {
  /** num.partitions: used when a request says -1. */
  readonly numPartitions: number;
  /** default.replication.factor: used when a request says -1. */
  readonly defaultReplicationFactor: number;
}

/**
 * The defaults the controller applies now: the dynamic cluster-wide
 * num.partitions / default.replication.factor (the "" broker resource in
 * the image) over the controller's static ones. Brokers report the same
 * resolution in DescribeConfigs, so what they show is what creation uses.
 */
export function clusterTopicDefaults(image: MetadataImage, staticDefaults: TopicDefaults): TopicDefaults {
  const dynamic = image.configOverrides('broker', '');
  const positive = (raw: string | undefined, fallback: number): number => {
    const n = raw === undefined ? Number.NaN : Number(raw.trim());
    return Number.isSafeInteger(n) && n >= 1 ? n : fallback;
  };
  return {
    numPartitions: positive(dynamic.get('num.partitions'), staticDefaults.numPartitions),
    defaultReplicationFactor: positive(
      dynamic.get('default.replication.factor'),
      staticDefaults.defaultReplicationFactor,
    ),
  };
}

/** The default max.topic.partitions (partition-limits.ts); the CLI bounds num.partitions by it. */
export const partitionsPerTopicMax = defaultPartitionLimits.partitionsPerTopicMax;
const replicationFactorMax = 32_767; // int16 on the wire

export interface CreateTopicsOutcome {
  readonly records: MetadataRecord[];
  readonly results: CreateTopicResult[];
}

export function createTopics(
  image: MetadataImage,
  requests: readonly CreateTopicRequest[],
  defaults: TopicDefaults,
  idGenerator: () => string,
  limits: PartitionLimits = defaultPartitionLimits,
): CreateTopicsOutcome {
  const records: MetadataRecord[] = [];
  const results: CreateTopicResult[] = [];
  // Kafka refuses a request over its partition bound as a whole, before looking at any topic.
  const overRequest = requestOverLimit(requestedTopicPartitions(requests, defaults.numPartitions), limits);
  if (overRequest !== null) {
    for (const req of requests) results.push({ name: req.name, result: err('policy_violation', overRequest) });
    return { records, results };
  }
  // Decommissioning brokers take no new replicas.
  const live = image.placeableBrokers().map((b) => ({ brokerId: b.brokerId, rack: b.rack }));
  const loads = brokerLoads(image.topicNames().flatMap((name) => image.topic(name)?.partitions ?? []));
  let partitionsInCluster = partitionCount(image);
  const namesInRequest = new Set<string>();
  // Rotating the first replica by the number of topics spreads leaders across brokers over time.
  let rotation = image.topicCount;
  for (const req of requests) {
    const planned = planTopic(image, req, defaults, live, loads, rotation, namesInRequest, limits);
    if (!planned.ok) {
      results.push({ name: req.name, result: planned });
      continue;
    }
    const overBudget = clusterOverLimit(partitionsInCluster, planned.value.length, limits);
    if (overBudget !== null) {
      results.push({ name: req.name, result: err('policy_violation', overBudget) });
      continue;
    }
    partitionsInCluster += planned.value.length;
    shiftLoads(loads, planned.value, 1);
    namesInRequest.add(req.name);
    rotation++;
    const topicId = idGenerator();
    assert(isUuid(topicId) && topicId !== zeroUuid, `id generator returned ${topicId}`);
    assert(image.topicById(topicId) === undefined, `id generator repeated ${topicId}`);
    records.push({ type: 'topic', name: req.name, topicId });
    for (const name of Object.keys(req.configs).sort()) {
      const value = req.configs[name];
      assert(value !== undefined);
      records.push({ type: 'config', resourceType: 'topic', resourceName: req.name, name, value });
    }
    // An assignment the request names is the operator's: the balancer will leave it as it is.
    const placement = req.assignments.length > 0 ? 'operator' : 'controller';
    planned.value.forEach((replicas, partition) => {
      const leader = replicas[0];
      assert(leader !== undefined, 'partition without replicas');
      records.push({
        type: 'partition',
        topicId,
        partition,
        replicas,
        isr: replicas,
        leader,
        leaderEpoch: 0,
        partitionEpoch: 0,
        elr: [],
        lastKnownElr: [],
        addingReplicas: [],
        removingReplicas: [],
        ...placementField(placement),
      });
    });
    const created: CreatedTopic = {
      topicId,
      numPartitions: planned.value.length,
      replicationFactor: planned.value[0]?.length ?? 0,
      configs: { ...req.configs },
    };
    results.push({ name: req.name, result: ok(created) });
  }
  return { records, results };
}

/** The replicas of every partition, or why the topic cannot be created. */
function planTopic(
  image: MetadataImage,
  req: CreateTopicRequest,
  defaults: TopicDefaults,
  live: readonly PlacementBroker[],
  loads: Map<number, BrokerLoad>,
  rotation: number,
  namesInRequest: ReadonlySet<string>,
  limits: PartitionLimits,
): Result<number[][], CreateTopicError> {
  if (!isValidTopicName(req.name)) {
    return err('invalid_topic_name', `Topic name '${req.name}' is illegal: use 1-249 of [a-zA-Z0-9._-], not . or ..`);
  }
  if (image.topic(req.name) !== undefined || namesInRequest.has(req.name)) {
    return err('topic_already_exists', `Topic '${req.name}' already exists.`);
  }
  const configs = validateTopicConfigs(req.configs);
  if (!configs.ok) return configs;
  if (req.assignments.length > 0) {
    const explicit = explicitAssignment(image, req, limits);
    if (!explicit.ok) return explicit;
    const overBrokers = brokersOverLimit(loads, explicit.value, limits);
    return overBrokers === null ? explicit : err('policy_violation', overBrokers);
  }

  const numPartitions = req.numPartitions === -1 ? defaults.numPartitions : req.numPartitions;
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    return err('invalid_partitions', `Number of partitions must be between 1 and ${limits.partitionsPerTopicMax}.`);
  }
  const overTopic = topicOverLimit(numPartitions, limits);
  if (overTopic !== null) return err('invalid_partitions', overTopic);
  const rf = req.replicationFactor === -1 ? defaults.defaultReplicationFactor : req.replicationFactor;
  if (!Number.isInteger(rf) || rf < 1 || rf > replicationFactorMax) {
    return err('invalid_replication_factor', 'Replication factor must be larger than 0.');
  }
  if (rf > live.length) {
    return err(
      'invalid_replication_factor',
      `Replication factor: ${rf} larger than available brokers: ${live.length}.`,
    );
  }
  // Placed on a copy: the caller adds the lists to `loads` once the topic is accepted.
  const replicaLists = placeReplicas(live, copyLoads(loads), numPartitions, rf, rotation);
  const overBrokers = brokersOverLimit(loads, replicaLists, limits);
  return overBrokers === null ? ok(replicaLists) : err('policy_violation', overBrokers);
}

function copyLoads(loads: ReadonlyMap<number, BrokerLoad>): Map<number, BrokerLoad> {
  return new Map([...loads].map(([id, l]) => [id, { ...l }]));
}

function explicitAssignment(
  image: MetadataImage,
  req: CreateTopicRequest,
  limits: PartitionLimits,
): Result<number[][], CreateTopicError> {
  const bad = (why: string) => err('invalid_replica_assignment', why);
  if (req.numPartitions !== -1 || req.replicationFactor !== -1) {
    return bad('Both numPartitions or replicationFactor and replicasAssignments were set.');
  }
  const overTopic = topicOverLimit(req.assignments.length, limits);
  if (overTopic !== null) return err('invalid_partitions', overTopic);
  const sorted = [...req.assignments].sort((a, b) => a.partition - b.partition);
  const out: number[][] = [];
  for (const [index, a] of sorted.entries()) {
    if (a.partition !== index) return bad('Partitions must be numbered 0..n-1 with none missing or repeated.');
    if (a.brokerIds.length === 0) return bad(`Partition ${index} has no replicas.`);
    if (new Set(a.brokerIds).size !== a.brokerIds.length) return bad(`Partition ${index} repeats a replica.`);
    if (a.brokerIds.length !== sorted[0]?.brokerIds.length)
      return bad('All partitions must have the same number of replicas.');
    const unknown = a.brokerIds.find((id) => image.broker(id) === undefined || image.broker(id)?.fenced === true);
    if (unknown !== undefined) return bad(`Broker ${unknown} in partition ${index} is not a live broker.`);
    out.push([...a.brokerIds]);
  }
  return ok(out);
}
