/**
 * DescribeQuorum on a 3-controller / 2-broker cluster of real processes:
 * @platformatic/kafka's DescribeQuorum v2 through a broker names the active
 * controller as leader with its term, every voter caught up to the
 * committed metadata offset, the brokers as observers, and each voter's
 * listener; a raw v0 request gets the same quorum without v1/v2 fields;
 * a request for another partition gets UNKNOWN_TOPIC_OR_PARTITION.
 */
import { Connection, describeQuorumV0, describeQuorumV2 } from '@platformatic/kafka';
import { ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 3, brokers: 2 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 2, { what: 'two live brokers' });
});

afterAll(async () => {
  await cluster?.stop();
});

async function onBroker<T>(brokerId: number, fn: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = new Connection('describe-quorum');
  await connection.connect('127.0.0.1', cluster.ports('broker', brokerId).kafka);
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

const metadataPartition = [{ topicName: '__cluster_metadata', partitions: [{ partitionIndex: 0 }] }];

describe('DescribeQuorum', () => {
  it('v2 (@platformatic/kafka) through a broker: leader, voters caught up, brokers as observers, voter listeners', async () => {
    const [active] = await cluster.activeControllers();
    // Voters answer the leader's heartbeats, and brokers heartbeat, every few hundred ms: wait for every one to be seen.
    const quorum = await waitFor(
      async () => {
        const response = await onBroker(2, (c) => describeQuorumV2.api.async(c, metadataPartition));
        const p = response.topics[0]?.partitions[0];
        if (p === undefined) return undefined;
        const allSeen =
          p.currentVoters.every((v) => v.replicaId === p.leaderId || v.lastFetchTimestamp > 0n) &&
          p.currentVoters.every((v) => v.logEndOffset === p.highWatermark) &&
          p.observers.length === 2 &&
          p.observers.every((o) => o.logEndOffset === p.highWatermark);
        return allSeen ? response : undefined;
      },
      { what: 'every voter and broker caught up in DescribeQuorum', intervalMs: 200 },
    );
    const p = quorum.topics[0]?.partitions[0];
    expect(quorum.errorCode).toBe(ErrorCode.NONE);
    expect(p?.errorCode).toBe(ErrorCode.NONE);
    expect(p?.leaderId).toBe(active);
    expect(p?.leaderEpoch).toBeGreaterThan(0);
    expect(p?.highWatermark).toBeGreaterThan(0n);
    expect(p?.currentVoters.map((v) => v.replicaId)).toEqual([1, 2, 3]);
    // The leader reports no fetch of its own, as Kafka's does.
    expect(p?.currentVoters.find((v) => v.replicaId === active)?.lastFetchTimestamp).toBe(-1n);
    expect(p?.observers.map((o) => o.replicaId)).toEqual([1, 2]);
    expect(quorum.nodes.map((n) => [n.nodeId, n.listeners[0]?.port])).toEqual(
      [1, 2, 3].map((id) => [id, cluster.ports('controller', id).raft]),
    );
  });

  it('v0 (raw) gets the same leader without the v1 timestamps; another partition is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const [active] = await cluster.activeControllers();
    const v0 = await onBroker(1, (c) => describeQuorumV0.api.async(c, metadataPartition));
    expect(v0.topics[0]?.partitions[0]?.leaderId).toBe(active);
    expect(v0.topics[0]?.partitions[0]?.currentVoters.map((v) => v.replicaId)).toEqual([1, 2, 3]);
    const raw = await ProtocolClient.connect(cluster.ports('broker', 1).kafka);
    try {
      const other = await raw.request(55, 2, {
        topics: [{ topicName: 'orders', partitions: [{ partitionIndex: 0 }] }],
      });
      expect(other.topics[0]?.partitions[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } finally {
      raw.socket.close();
    }
  });
});
