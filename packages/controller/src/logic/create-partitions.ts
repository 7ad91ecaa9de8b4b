/**
 * CreatePartitions as a pure function of the image: a topic can only grow.
 * New partitions go where placeReplicas puts them (keeping the topic's
 * replication factor) unless the request names their replicas, in which
 * case the assignment is checked against the live brokers. Returns the
 * partition records that would add them; nothing changes until the caller
 * commits and replays them.
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import type {
  CreatePartitionsError,
  CreatePartitionsResult,
  CreatePartitionsTopic,
  MetadataImage,
  MetadataRecord,
  TopicImage,
} from '@runnel/metadata';
import { placementField } from '@runnel/metadata';
import {
  brokersOverLimit,
  clusterOverLimit,
  defaultPartitionLimits,
  type PartitionLimits,
  partitionCount,
  requestOverLimit,
  shiftLoads,
  topicOverLimit,
} from './partition-limits.ts';
import { type BrokerLoad, brokerLoads, type PlacementBroker, placeReplicas } from './replica-placement.ts';

export interface CreatePartitionsOutcome {
  readonly records: MetadataRecord[];
  /** One per request entry, in request order. */
  readonly results: CreatePartitionsResult[];
}

export function createPartitions(
  image: MetadataImage,
  requests: readonly CreatePartitionsTopic[],
  limits: PartitionLimits = defaultPartitionLimits,
): CreatePartitionsOutcome {
  const records: MetadataRecord[] = [];
  const results: CreatePartitionsResult[] = [];
  // As for CreateTopics: a request adding more than the per-request bound is refused as a whole.
  const overRequest = requestOverLimit(addedPartitions(image, requests), limits);
  if (overRequest !== null) {
    for (const req of requests) results.push({ topic: req.topic, result: err('policy_violation', overRequest) });
    return { records, results };
  }
  // Decommissioning brokers take no new replicas.
  const live = image.placeableBrokers().map((b) => ({ brokerId: b.brokerId, rack: b.rack }));
  const loads = brokerLoads(image.topicNames().flatMap((name) => image.topic(name)?.partitions ?? []));
  let partitionsInCluster = partitionCount(image);
  const seen = new Set<string>();
  for (const req of requests) {
    if (seen.has(req.topic)) {
      results.push({ topic: req.topic, result: err('invalid_partitions', `Topic '${req.topic}' is listed twice.`) });
      continue;
    }
    seen.add(req.topic);
    const planned = planNewPartitions(image, req, live, loads, limits);
    if (!planned.ok) {
      results.push({ topic: req.topic, result: planned });
      continue;
    }
    const { topic, replicaLists } = planned.value;
    const overBudget =
      clusterOverLimit(partitionsInCluster, replicaLists.length, limits) ??
      brokersOverLimit(loads, replicaLists, limits);
    if (overBudget !== null) {
      results.push({ topic: req.topic, result: err('policy_violation', overBudget) });
      continue;
    }
    partitionsInCluster += replicaLists.length;
    shiftLoads(loads, replicaLists, 1);
    // Named replicas are the operator's: the balancer will leave them as they are.
    const placement = req.assignments.length > 0 ? 'operator' : 'controller';
    replicaLists.forEach((replicas, i) => {
      const leader = replicas[0];
      assert(leader !== undefined, 'new partition without replicas');
      records.push({
        type: 'partition',
        topicId: topic.topicId,
        partition: topic.partitions.length + i,
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
    results.push({ topic: req.topic, result: ok(null) });
  }
  return { records, results };
}

function planNewPartitions(
  image: MetadataImage,
  req: CreatePartitionsTopic,
  live: readonly PlacementBroker[],
  loads: ReadonlyMap<number, BrokerLoad>,
  limits: PartitionLimits,
): Result<{ topic: TopicImage; replicaLists: number[][] }, CreatePartitionsError> {
  const topic = image.topic(req.topic);
  if (topic === undefined) return err('unknown_topic', `Topic '${req.topic}' does not exist.`);
  const current = topic.partitions.length;
  if (!Number.isInteger(req.count)) return err('invalid_partitions', 'Number of partitions must be an integer.');
  const overTopic = topicOverLimit(req.count, limits);
  if (overTopic !== null) return err('invalid_partitions', overTopic);
  if (req.count < current) {
    return err(
      'invalid_partitions',
      `Topic currently has ${current} partitions, which is higher than the requested ${req.count}.`,
    );
  }
  if (req.count === current) return err('invalid_partitions', `Topic already has ${current} partitions.`);
  const added = req.count - current;
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 1;
  if (req.assignments.length > 0) {
    const checked = checkAssignments(image, req.assignments, added, replicationFactor);
    return checked.ok ? ok({ topic, replicaLists: checked.value }) : checked;
  }
  if (replicationFactor > live.length) {
    return err(
      'invalid_replication_factor',
      `The topic's replication factor of ${replicationFactor} cannot be reached: only ${live.length} live broker(s).`,
    );
  }
  // Rotating by the current count continues the topic's leader spread where it left off.
  // Placed on a copy: the caller adds the lists to `loads` once they pass the limits.
  const copy = new Map([...loads].map(([id, l]) => [id, { ...l }]));
  return ok({ topic, replicaLists: placeReplicas(live, copy, added, replicationFactor, current) });
}

/** Partitions a CreatePartitions would add in all (topics that exist and grow; the rest are refused per topic). */
function addedPartitions(image: MetadataImage, requests: readonly CreatePartitionsTopic[]): number {
  let total = 0;
  for (const req of requests) {
    const current = image.topic(req.topic)?.partitions.length;
    if (current !== undefined && Number.isSafeInteger(req.count) && req.count > current) total += req.count - current;
  }
  return total;
}

function checkAssignments(
  image: MetadataImage,
  assignments: readonly (readonly number[])[],
  added: number,
  replicationFactor: number,
): Result<number[][], CreatePartitionsError> {
  const bad = (why: string) => err('invalid_replica_assignment', why);
  if (assignments.length !== added) {
    return bad(`Increasing the number of partitions by ${added} but ${assignments.length} assignments provided.`);
  }
  const out: number[][] = [];
  for (const [i, brokerIds] of assignments.entries()) {
    if (brokerIds.length !== replicationFactor) {
      return bad(
        `New partition ${i} has ${brokerIds.length} replicas; the topic's partitions have ${replicationFactor}.`,
      );
    }
    if (new Set(brokerIds).size !== brokerIds.length) return bad(`New partition ${i} repeats a replica.`);
    const unknown = brokerIds.find((id) => image.broker(id) === undefined || image.broker(id)?.fenced === true);
    if (unknown !== undefined) return bad(`Broker ${unknown} in new partition ${i} is not a live broker.`);
    out.push([...brokerIds]);
  }
  return ok(out);
}
