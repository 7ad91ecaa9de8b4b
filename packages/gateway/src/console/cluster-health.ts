/**
 * Pure reading of cluster state for the console: which partitions are
 * offline (no leader) or under-replicated (ISR smaller than the replica
 * set), what each broker leads and holds, partition sizes from
 * DescribeLogDirs answers, and the controllers' quorum from DescribeQuorum.
 */
import type { ClusterMetadata } from '@runnel/client';
import type { DescribeLogDirsResponse, DescribeQuorumResponse } from '@runnel/protocol';
import type { BrokerRow, ProblemPartition, QuorumAnswer, QuorumReplica } from './console-api-types.ts';

/** The overview lists at most this many problem partitions; the counts cover all of them. */
export const problemPartitionsMax = 100;

export interface PartitionHealth {
  total: number;
  underReplicated: number;
  offline: number;
  problems: ProblemPartition[];
  truncated: boolean;
}

export function partitionHealth(metadata: ClusterMetadata): PartitionHealth {
  const offline: ProblemPartition[] = [];
  const under: ProblemPartition[] = [];
  let total = 0;
  for (const topic of metadata.topics) {
    for (const p of topic.partitions) {
      total += 1;
      const row = { topic: topic.name, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr };
      if (p.leader < 0) offline.push({ ...row, problem: 'offline' });
      else if (p.isr.length < p.replicas.length) under.push({ ...row, problem: 'under-replicated' });
    }
  }
  const problems = [...offline, ...under];
  return {
    total,
    underReplicated: under.length,
    offline: offline.length,
    problems: problems.slice(0, problemPartitionsMax),
    truncated: problems.length > problemPartitionsMax,
  };
}

/** Partition sizes by "topic/partition" and broker, from each broker's DescribeLogDirs answer. */
export type PartitionSizes = Map<string, Map<number, number>>;

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

export function partitionSizes(answers: ReadonlyMap<number, DescribeLogDirsResponse>): PartitionSizes {
  const sizes: PartitionSizes = new Map();
  for (const [brokerId, response] of answers) {
    for (const dir of response.results) {
      if (dir.errorCode !== 0) continue;
      for (const topic of dir.topics) {
        for (const p of topic.partitions) {
          if (p.isFutureKey) continue;
          const key = partitionKey(topic.name, p.partitionIndex);
          let byBroker = sizes.get(key);
          if (byBroker === undefined) {
            byBroker = new Map();
            sizes.set(key, byBroker);
          }
          byBroker.set(brokerId, Number(p.partitionSize));
        }
      }
    }
  }
  return sizes;
}

/** The leader replica's size: what the partition holds, not counting copies. Null when the leader did not say. */
export function leaderSize(sizes: PartitionSizes, topic: string, partition: number, leader: number): number | null {
  return sizes.get(partitionKey(topic, partition))?.get(leader) ?? null;
}

export function brokerRows(
  metadata: ClusterMetadata,
  sizes: PartitionSizes,
  answered: ReadonlySet<number>,
): BrokerRow[] {
  const leads = new Map<number, number>();
  const holds = new Map<number, number>();
  for (const topic of metadata.topics) {
    for (const p of topic.partitions) {
      if (p.leader >= 0) leads.set(p.leader, (leads.get(p.leader) ?? 0) + 1);
      for (const r of p.replicas) holds.set(r, (holds.get(r) ?? 0) + 1);
    }
  }
  const bytes = new Map<number, number>();
  for (const byBroker of sizes.values()) {
    for (const [broker, size] of byBroker) bytes.set(broker, (bytes.get(broker) ?? 0) + size);
  }
  return [...metadata.brokers]
    .sort((a, b) => a.nodeId - b.nodeId)
    .map((b) => ({
      nodeId: b.nodeId,
      host: b.host,
      port: b.port,
      rack: b.rack,
      leaderPartitions: leads.get(b.nodeId) ?? 0,
      replicaPartitions: holds.get(b.nodeId) ?? 0,
      logDirBytes: answered.has(b.nodeId) ? (bytes.get(b.nodeId) ?? 0) : null,
    }));
}

/** The metadata partition's state from a DescribeQuorum answer, or the error it carries. */
export function quorumAnswer(response: DescribeQuorumResponse, nowMs: number): QuorumAnswer | { error: string } {
  const p = response.topics[0]?.partitions[0];
  if (response.errorCode !== 0 || p === undefined || p.errorCode !== 0) {
    const message = response.errorMessage ?? p?.errorMessage ?? null;
    return {
      error: message ?? `DescribeQuorum failed (error ${response.errorCode || p?.errorCode || 'no partition'})`,
    };
  }
  const hw = Number(p.highWatermark);
  const replica = (r: (typeof p.currentVoters)[number], status: QuorumReplica['status']): QuorumReplica => {
    const end = Number(r.logEndOffset);
    const caughtUp = r.lastCaughtUpTimestamp === undefined ? -1 : Number(r.lastCaughtUpTimestamp);
    return {
      nodeId: r.replicaId,
      status,
      logEndOffset: end,
      lag: end < 0 ? null : Math.max(0, hw - end),
      lastCaughtUpAgoMs: caughtUp < 0 ? null : Math.max(0, nowMs - caughtUp),
    };
  };
  return {
    leaderId: p.leaderId,
    leaderEpoch: p.leaderEpoch,
    highWatermark: hw,
    replicas: [
      ...p.currentVoters.map((v) => replica(v, v.replicaId === p.leaderId ? 'leader' : 'follower')),
      ...p.observers.map((o) => replica(o, 'observer')),
    ],
  };
}
