/**
 * The client's view of cluster metadata: what a Metadata response says,
 * reshaped for callers, plus the leader cache used to route requests.
 */
import { ErrorCode, type MetadataResponse } from '@runnel/protocol';

const zeroUuid = '00000000-0000-0000-0000-000000000000';

import type { BrokerAddress } from './bootstrap.ts';

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionInfo {
  partition: number;
  /** Kafka error code, as data (e.g. LEADER_NOT_AVAILABLE during an election). */
  errorCode: number;
  /** -1 when there is no leader. */
  leader: number;
  /** The leader's epoch (Metadata v7+); -1 when the broker does not say. */
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

export interface TopicInfo {
  name: string;
  /** The topic's id (Metadata v10+, KIP-516); the zero UUID when the broker does not say or the topic is unknown. */
  topicId: string;
  /** Kafka error code, as data (e.g. UNKNOWN_TOPIC_OR_PARTITION). */
  errorCode: number;
  isInternal: boolean;
  partitions: PartitionInfo[];
}

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
  topics: TopicInfo[];
}

export function toClusterMetadata(response: MetadataResponse): ClusterMetadata {
  return {
    clusterId: response.clusterId ?? null,
    controllerId: response.controllerId ?? -1,
    brokers: response.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null })),
    // The client asks by name only, so every answer names its topic (a null name answers a request by id).
    topics: response.topics.map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId ?? zeroUuid,
      errorCode: t.errorCode,
      isInternal: t.isInternal ?? false,
      partitions: t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          errorCode: p.errorCode,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas ?? [],
        }))
        .sort((a, b) => a.partition - b.partition),
    })),
  };
}

/** Where a partition's requests go, or the error code that explains why nowhere. */
export type Route = { ok: true; address: BrokerAddress } | { ok: false; errorCode: number };

/**
 * Owned by one KafkaClient. Entries are replaced by each metadata response
 * and dropped when a broker says it is not the leader.
 */
export class LeaderCache {
  readonly #brokers = new Map<number, BrokerAddress>();
  readonly #topics = new Map<string, TopicInfo>();

  update(metadata: ClusterMetadata): void {
    for (const b of metadata.brokers) this.#brokers.set(b.nodeId, { host: b.host, port: b.port });
    for (const t of metadata.topics) {
      if (t.errorCode === 0) this.#topics.set(t.name, t);
      else this.#topics.delete(t.name);
    }
  }

  forget(topic: string): void {
    this.#topics.delete(topic);
  }

  has(topic: string): boolean {
    return this.#topics.has(topic);
  }

  /** The route for a partition, from cached metadata only; undefined when the topic is not cached. */
  route(topic: string, partition: number, topicErrorCode = 0): Route | undefined {
    const info = this.#topics.get(topic);
    if (info === undefined) return topicErrorCode === 0 ? undefined : { ok: false, errorCode: topicErrorCode };
    const p = info.partitions.find((x) => x.partition === partition);
    if (p === undefined) return { ok: false, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    if (p.leader < 0) return { ok: false, errorCode: p.errorCode !== 0 ? p.errorCode : ErrorCode.LEADER_NOT_AVAILABLE };
    const address = this.#brokers.get(p.leader);
    if (address === undefined) return { ok: false, errorCode: ErrorCode.LEADER_NOT_AVAILABLE };
    return { ok: true, address };
  }
}
