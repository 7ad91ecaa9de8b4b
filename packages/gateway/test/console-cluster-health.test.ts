import type { ClusterMetadata } from '@runnel/client';
import type { DescribeLogDirsResponse, DescribeQuorumResponse } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import {
  brokerRows,
  leaderSize,
  partitionHealth,
  partitionSizes,
  problemPartitionsMax,
  quorumAnswer,
} from '../src/console/cluster-health.ts';

function metadata(partitions: { leader: number; replicas: number[]; isr: number[] }[]): ClusterMetadata {
  return {
    clusterId: 'c',
    controllerId: 1,
    brokers: [
      { nodeId: 2, host: 'b2', port: 9092, rack: null },
      { nodeId: 1, host: 'b1', port: 9092, rack: 'r1' },
    ],
    topics: [
      {
        name: 'orders',
        topicId: 'id',
        errorCode: 0,
        isInternal: false,
        partitions: partitions.map((p, partition) => ({
          partition,
          errorCode: 0,
          leaderEpoch: 0,
          offlineReplicas: [],
          ...p,
        })),
      },
    ],
  };
}

describe('partition health', () => {
  it('counts partitions without a leader as offline and those with a short ISR as under-replicated, offline first', () => {
    const health = partitionHealth(
      metadata([
        { leader: 1, replicas: [1, 2], isr: [1, 2] },
        { leader: 1, replicas: [1, 2], isr: [1] },
        { leader: -1, replicas: [1, 2], isr: [2] },
      ]),
    );
    expect(health).toMatchObject({ total: 3, underReplicated: 1, offline: 1, truncated: false });
    expect(health.problems.map((p) => [p.partition, p.problem])).toEqual([
      [2, 'offline'],
      [1, 'under-replicated'],
    ]);
  });

  it('lists at most problemPartitionsMax problems but counts all of them', () => {
    const many = Array.from({ length: problemPartitionsMax + 5 }, () => ({ leader: -1, replicas: [1], isr: [] }));
    const health = partitionHealth(metadata(many));
    expect(health.offline).toBe(problemPartitionsMax + 5);
    expect(health.problems).toHaveLength(problemPartitionsMax);
    expect(health.truncated).toBe(true);
  });
});

describe('sizes and brokers', () => {
  const logDirs = (partitions: [number, number][]): DescribeLogDirsResponse =>
    ({
      errorCode: 0,
      results: [
        {
          errorCode: 0,
          logDir: '/data',
          topics: [
            {
              name: 'orders',
              partitions: partitions.map(([partitionIndex, size]) => ({
                partitionIndex,
                partitionSize: BigInt(size),
                offsetLag: 0n,
                isFutureKey: false,
              })),
            },
          ],
        },
      ],
    }) as unknown as DescribeLogDirsResponse;

  it("takes a partition's size from its leader, and sums each broker's replicas", () => {
    const sizes = partitionSizes(
      new Map([
        [1, logDirs([[0, 100]])],
        [2, logDirs([[0, 90]])],
      ]),
    );
    expect(leaderSize(sizes, 'orders', 0, 1)).toBe(100);
    expect(leaderSize(sizes, 'orders', 0, 2)).toBe(90);
    expect(leaderSize(sizes, 'orders', 0, 3)).toBeNull();
    const rows = brokerRows(metadata([{ leader: 1, replicas: [1, 2], isr: [1, 2] }]), sizes, new Set([1]));
    expect(rows.map((r) => [r.nodeId, r.leaderPartitions, r.replicaPartitions, r.logDirBytes])).toEqual([
      [1, 1, 1, 100],
      [2, 0, 1, null],
    ]);
  });
});

describe('quorum', () => {
  it("reads the leader, each voter's and observer's lag, and the time since each caught up", () => {
    const response = {
      errorCode: 0,
      errorMessage: null,
      topics: [
        {
          topicName: '__cluster_metadata',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              errorMessage: null,
              leaderId: 1,
              leaderEpoch: 4,
              highWatermark: 50n,
              currentVoters: [
                { replicaId: 1, logEndOffset: 50n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: 9_000n },
                { replicaId: 2, logEndOffset: 45n, lastFetchTimestamp: 9_500n, lastCaughtUpTimestamp: 8_000n },
              ],
              observers: [{ replicaId: 7, logEndOffset: -1n, lastFetchTimestamp: -1n, lastCaughtUpTimestamp: -1n }],
            },
          ],
        },
      ],
      nodes: [],
    } as unknown as DescribeQuorumResponse;
    expect(quorumAnswer(response, 10_000)).toEqual({
      leaderId: 1,
      leaderEpoch: 4,
      highWatermark: 50,
      replicas: [
        { nodeId: 1, status: 'leader', logEndOffset: 50, lag: 0, lastCaughtUpAgoMs: 1000 },
        { nodeId: 2, status: 'follower', logEndOffset: 45, lag: 5, lastCaughtUpAgoMs: 2000 },
        { nodeId: 7, status: 'observer', logEndOffset: -1, lag: null, lastCaughtUpAgoMs: null },
      ],
    });
  });

  it('reports the error of a quorum that could not be described', () => {
    const response = { errorCode: 0, errorMessage: null, topics: [] } as unknown as DescribeQuorumResponse;
    expect(quorumAnswer(response, 0)).toHaveProperty('error');
  });
});
