/**
 * KIP-951 leader discovery on real broker processes (1 controller, 2
 * brokers, one partition at RF 2): Produce v10+ sent to the follower is
 * refused NOT_LEADER_OR_FOLLOWER with the leader's id, epoch and advertised
 * endpoint, and following that hint alone produces; v9 (before KIP-951)
 * carries no hint. After the leader is killed and comes back as a follower,
 * its hint names the new leader at a higher epoch.
 */
import { ErrorCode, encodeRecordBatchSync, type ProduceRequest, type ProduceResponse } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'hints';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 2 });
  const admin = new Kafka({
    brokers: cluster.bootstrap().split(','),
    clientId: 'hints-admin',
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 2 }] });
  } finally {
    await admin.disconnect();
  }
});

afterAll(async () => {
  await cluster?.stop();
});

function produceRequest(value: string): ProduceRequest {
  const records = encodeRecordBatchSync({ records: [{ key: null, value: Buffer.from(value) }] });
  return {
    transactionalId: null,
    acks: 1,
    timeoutMs: 5_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
}

async function produceTo(brokerPort: number, version: number, value: string): Promise<ProduceResponse> {
  const client = await ProtocolClient.connect(brokerPort);
  try {
    return await client.request(0, version, produceRequest(value));
  } finally {
    client.close();
  }
}

/** The partition as `brokerId` reports it. */
async function partitionSeenBy(brokerId: number) {
  const metadata = await cluster.metadata(brokerId, topic);
  return metadata.topics.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === 0);
}

/** The partition's leader and follower once both replicas are in the ISR, as `brokerId` sees them. */
async function leaderAndFollower(brokerId: number, notLeader?: number): Promise<{ leader: number; follower: number }> {
  return waitFor(
    async () => {
      const partition = await partitionSeenBy(brokerId);
      if (partition === undefined || partition.leader < 0 || partition.leader === notLeader) return undefined;
      if (partition.isrs.length !== 2) return undefined;
      const follower = partition.replicas.find((r) => r !== partition.leader);
      return follower === undefined ? undefined : { leader: partition.leader, follower };
    },
    { timeoutMs: 30_000, what: 'a leader and an in-sync follower' },
  );
}

function partitionOf(response: ProduceResponse) {
  return response.responses[0]?.partitionResponses[0];
}

describe('Produce leader hints (KIP-951)', () => {
  let firstEpoch = -1;

  it('the follower names the leader and its endpoint from v10; following the hint produces; v9 has no hint', async () => {
    const { leader, follower } = await leaderAndFollower(1);
    const followerPort = cluster.ports('broker', follower).kafka;
    for (const version of [10, 11]) {
      const refused = await produceTo(followerPort, version, `v${version}`);
      expect(partitionOf(refused)?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
      const hint = partitionOf(refused)?.currentLeader;
      expect(hint?.leaderId).toBe(leader);
      expect(hint?.leaderEpoch).toBeGreaterThanOrEqual(0);
      firstEpoch = hint?.leaderEpoch ?? -1;
      expect(refused.nodeEndpoints).toEqual([
        {
          nodeId: leader,
          host: cluster.host('broker', leader),
          port: cluster.ports('broker', leader).kafka,
          rack: null,
        },
      ]);
      const endpoint = refused.nodeEndpoints?.[0];
      const accepted = await produceTo(endpoint?.port ?? -1, version, `v${version} at the hinted leader`);
      expect(partitionOf(accepted)?.errorCode).toBe(ErrorCode.NONE);
    }
    const v9 = await produceTo(followerPort, 9, 'v9');
    expect(partitionOf(v9)?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    // Decoded at v9, the tagged fields that do not exist there have their defaults.
    expect(partitionOf(v9)?.currentLeader).toEqual({ leaderId: -1, leaderEpoch: -1 });
    expect(v9.nodeEndpoints).toEqual([]);
  });

  it('after a leader change the old leader, now a follower, names the new leader at a higher epoch', async () => {
    const { leader: old, follower: survivor } = await leaderAndFollower(1);
    await cluster.kill('broker', old);
    // Restart only once the survivor leads, so the old leader cannot simply come back as leader.
    await waitFor(async () => (await partitionSeenBy(survivor))?.leader === survivor, {
      timeoutMs: 30_000,
      what: 'the survivor to lead',
    });
    await cluster.restart('broker', old);
    // Its own image must show the change before it can name the new leader.
    const { leader, follower } = await leaderAndFollower(old, old);
    expect([leader, follower]).toEqual([survivor, old]);
    const refused = await produceTo(cluster.ports('broker', old).kafka, 10, 'to the old leader');
    expect(partitionOf(refused)?.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(partitionOf(refused)?.currentLeader?.leaderId).toBe(leader);
    expect(partitionOf(refused)?.currentLeader?.leaderEpoch).toBeGreaterThan(firstEpoch);
    expect(refused.nodeEndpoints?.map((n) => n.nodeId)).toEqual([leader]);
  });
});
