/**
 * A ControllerChannel driven by the test, for tests of a real broker
 * (sockets, logs) without a controller: subscribe() delivers the initial
 * batch, then each batch the test passes to deliver(); registrations are
 * recorded; every admin operation is refused.
 */
import { err, ok } from '@runnel/common';
import type { CommittedBatch, MetadataRecord, RegisterBrokerRequest } from '@runnel/metadata';
import type { ControllerChannel, ControllerOpName, OpRequest, OpValue } from '@runnel/rpc';

export interface ScriptedChannel {
  readonly channel: ControllerChannel;
  /** Hands a batch to the subscribed broker, synchronously, as a committed stream does. */
  deliver(batch: CommittedBatch): void;
  /** Every registerBroker request, oldest first. */
  readonly registrations: RegisterBrokerRequest[];
}

export function scriptedChannel(initial: CommittedBatch): ScriptedChannel {
  let listener: (batch: CommittedBatch) => void = () => undefined;
  const registrations: RegisterBrokerRequest[] = [];
  // Every operation is refused the way the controller would refuse it; registration and heartbeats succeed.
  const refusals: { [K in ControllerOpName]: (request: OpRequest<K>) => OpValue<K> } = {
    registerBroker: (request) => {
      registrations.push(request);
      return ok({ brokerEpoch: 0n });
    },
    // Live at once: the script is the whole metadata, so the broker has caught up by definition.
    brokerHeartbeat: () => ok({ fenced: false, caughtUp: true, shouldShutDown: false }),
    createTopics: ({ topics }) => topics.map((t) => ({ name: t.name, result: err('invalid_config' as const) })),
    deleteTopics: ({ names }) => names.map((name) => ({ name, result: err('unknown_topic' as const) })),
    createPartitions: ({ topics }) => topics.map((t) => ({ topic: t.topic, result: err('unknown_topic' as const) })),
    alterConfigs: ({ resources }) =>
      resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        result: err('unknown_topic' as const),
      })),
    describeCluster: () => ({ clusterId: '', controllerId: 1, brokers: [], metadataOffset: -1n }),
    alterPartition: () => err('unknown_topic_or_partition' as const),
    alterPartitionReassignments: () => [],
    listPartitionReassignments: () => [],
    electLeaders: () => [],
    describeBrokers: () => [],
    updateFeatures: () => err('invalid_update_version' as const),
    alterClientQuotas: ({ entries }) => entries.map(() => err('invalid_request' as const)),
    describeQuorum: () => ({ leaderId: 1, leaderEpoch: 1, highWatermark: -1n, voters: [], observers: [], nodes: [] }),
    decommissionBroker: () => err('unknown_broker' as const),
    allocateProducerIds: () => ok({ firstProducerId: 0n, size: 1000 }),
  };
  const channel: ControllerChannel = {
    subscribe(subscriber) {
      listener = subscriber;
      subscriber(initial);
      return () => undefined;
    },
    call: async (op, request) => refusals[op](request),
  };
  return { channel, deliver: (batch) => listener(batch), registrations };
}

/** The records of a one-partition topic whose only replica, and leader, is broker 1. */
export function singleReplicaTopic(name: string, topicId: string): MetadataRecord[] {
  return [
    { type: 'topic', name, topicId },
    {
      type: 'partition',
      topicId,
      partition: 0,
      replicas: [1],
      isr: [1],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
      elr: [],
      lastKnownElr: [],
      addingReplicas: [],
      removingReplicas: [],
    },
  ];
}

/** Broker 1's registration record. */
export const brokerOneRegistration: MetadataRecord = {
  type: 'register-broker',
  brokerId: 1,
  incarnationId: '11111111-1111-1111-1111-111111111111',
  brokerEpoch: 0n,
  listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 1, securityProtocol: 'PLAINTEXT' }],
  rack: null,
};

/** The record that gives the scripted cluster its id (what the first active controller writes). */
export const scriptedClusterId = 'c2NyaXB0ZWQtY2x1c3Rlcg';
export const clusterIdRecord: MetadataRecord = { type: 'cluster-id', clusterId: scriptedClusterId };
