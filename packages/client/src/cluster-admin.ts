/**
 * Cluster admin calls the other admin classes do not cover: DescribeCluster
 * (the active controller's id), CreatePartitions, and partition
 * reassignments (ListPartitionReassignments, AlterPartitionReassignments,
 * KIP-455). Each goes to any broker, which forwards it to the controller.
 * Used by the gateway's REST Proxy v3; results keep Kafka error codes as
 * data. The caller owns the KafkaClient.
 */
import { ApiKeys, errorName } from '@runnel/protocol';
import type { KafkaClient } from './kafka-client.ts';

export interface ClusterDescription {
  errorCode: number;
  clusterId: string;
  /** The active controller's id as the broker knows it; -1 when none answered. */
  controllerId: number;
  brokers: { nodeId: number; host: string; port: number; rack: string | null }[];
}

/** One admin outcome: errorCode 0 means success. */
export interface AdminOutcome {
  errorCode: number;
  errorName: string;
  errorMessage: string | null;
}

export interface OngoingReassignment {
  topic: string;
  partition: number;
  /** The full replica set while moving: the target plus the replicas being removed. */
  replicas: number[];
  addingReplicas: number[];
  removingReplicas: number[];
}

export interface ReassignmentListing extends AdminOutcome {
  reassignments: OngoingReassignment[];
}

export interface ReassignmentTarget {
  topic: string;
  partition: number;
  /** The new replica set, or null to cancel the partition's ongoing reassignment. */
  replicas: number[] | null;
}

export interface ReassignmentOutcome extends AdminOutcome {
  topic: string;
  partition: number;
}

const adminTimeoutMs = 30_000;

/** Owned by its creator; holds no connections (the KafkaClient does). Transport failures throw ConnectionError. */
export class ClusterAdmin {
  readonly #client: KafkaClient;

  constructor(client: KafkaClient) {
    this.#client = client;
  }

  async describeCluster(): Promise<ClusterDescription> {
    const connection = await this.#client.anyConnection();
    const response = await connection.request(ApiKeys.DescribeCluster, {
      includeClusterAuthorizedOperations: false,
      endpointType: 1,
      includeFencedBrokers: false,
    });
    return {
      errorCode: response.errorCode,
      clusterId: response.clusterId,
      controllerId: response.controllerId,
      brokers: response.brokers.map((b) => ({ nodeId: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null })),
    };
  }

  /** Grows `topic` to `count` partitions (the controller places the new replicas). */
  async createPartitions(
    topic: string,
    count: number,
    options: { validateOnly?: boolean; timeoutMs?: number } = {},
  ): Promise<AdminOutcome> {
    const connection = await this.#client.anyConnection();
    const response = await connection.request(ApiKeys.CreatePartitions, {
      topics: [{ name: topic, count, assignments: null }],
      timeoutMs: options.timeoutMs ?? adminTimeoutMs,
      validateOnly: options.validateOnly ?? false,
    });
    const r = response.results.find((x) => x.name === topic);
    if (r === undefined) return outcome(-1, 'CreatePartitions answered no result for the topic');
    return outcome(r.errorCode, r.errorMessage);
  }

  /** Ongoing reassignments: every one (null), or of the named partitions. */
  async listReassignments(
    partitions: readonly { topic: string; partition: number }[] | null = null,
  ): Promise<ReassignmentListing> {
    const connection = await this.#client.anyConnection();
    const byTopic = new Map<string, number[]>();
    for (const p of partitions ?? []) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
    const response = await connection.request(ApiKeys.ListPartitionReassignments, {
      timeoutMs: adminTimeoutMs,
      topics: partitions === null ? null : [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })),
    });
    return {
      ...outcome(response.errorCode, response.errorMessage),
      reassignments: response.topics.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          replicas: p.replicas,
          addingReplicas: p.addingReplicas,
          removingReplicas: p.removingReplicas,
        })),
      ),
    };
  }

  /** Starts (or, with replicas null, cancels) reassignments; the request's and each partition's code are data. */
  async alterReassignments(
    targets: readonly ReassignmentTarget[],
  ): Promise<AdminOutcome & { partitions: ReassignmentOutcome[] }> {
    const connection = await this.#client.anyConnection();
    const byTopic = new Map<string, { partitionIndex: number; replicas: number[] | null }[]>();
    for (const t of targets)
      byTopic.set(t.topic, [...(byTopic.get(t.topic) ?? []), { partitionIndex: t.partition, replicas: t.replicas }]);
    const response = await connection.request(ApiKeys.AlterPartitionReassignments, {
      timeoutMs: adminTimeoutMs,
      allowReplicationFactorChange: true,
      topics: [...byTopic].map(([name, list]) => ({ name, partitions: list })),
    });
    return {
      ...outcome(response.errorCode, response.errorMessage),
      partitions: response.responses.flatMap((t) =>
        t.partitions.map((p) => ({
          topic: t.name,
          partition: p.partitionIndex,
          ...outcome(p.errorCode, p.errorMessage),
        })),
      ),
    };
  }
}

function outcome(errorCode: number, errorMessage: string | null | undefined): AdminOutcome {
  return { errorCode, errorName: errorName(errorCode), errorMessage: errorMessage ?? null };
}
