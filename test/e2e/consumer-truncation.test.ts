/**
 * KIP-320 across real processes (1 controller, 2 brokers): a consumer that
 * read records an unclean leader change later threw away learns so from the
 * new leader, through @runnel/client's connections (no client here checks
 * positions itself: librdkafka 2.0.2 predates its KIP-320 support and
 * kafkajs never had it).
 *
 * Broker 1 leads an RF 2 partition with unclean election on; 'a','b' reach
 * both brokers; broker 2 is killed and 'c','d' are written on broker 1
 * alone; the consumer reads all four (position 4, last epoch E0). Broker 1
 * is killed, broker 2 restarts and is elected uncleanly (epoch E1 > E0)
 * with only 'a','b', and 'x','y','z' fill offsets 2-4 again. Fetching at 4
 * would hand the consumer 'z' as if nothing happened; instead Fetch v12
 * with lastFetchedEpoch E0 answers the diverging epoch (E0 ends at 2), and
 * OffsetForLeaderEpoch says the same; the old epoch is fenced.
 */
import { type Connection, KafkaClient } from '@runnel/client';
import { ApiKeys, decodeRecordBatchesSync, ErrorCode, type FetchRequest } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'truncated';
let cluster: TestCluster;
const clients: KafkaClient[] = [];

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 2,
    brokerArgs: () => ['--replica-lag-time-max-ms', '2000'],
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await cluster?.stop();
});

/** A client that talks to `brokerId` only (its own bootstrap), and its connection there. */
async function on(brokerId: number): Promise<{ client: KafkaClient; connection: Connection }> {
  const client = await KafkaClient.connect({ bootstrap: cluster.bootstrap([brokerId]), retries: 20 });
  clients.push(client);
  const port = cluster.ports('broker', brokerId).kafka;
  return { client, connection: await client.connectionTo({ host: '127.0.0.1', port }) };
}

async function leaderAndIsr(brokerId: number): Promise<{ leader: number; isrs: number[] } | undefined> {
  const md = await cluster.metadata(brokerId, topic).catch(() => undefined);
  return md?.topics.find((t) => t.topic === topic)?.partitions[0];
}

/** ListOffsets latest (v4+ carries the leader's current epoch). */
async function latest(connection: Connection): Promise<{ offset: bigint; leaderEpoch: number }> {
  const response = await connection.request(ApiKeys.ListOffsets, {
    replicaId: -1,
    isolationLevel: 0,
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
  });
  const p = response.topics[0]?.partitions[0];
  expect(p?.errorCode).toBe(ErrorCode.NONE);
  return { offset: p?.offset ?? -1n, leaderEpoch: p?.leaderEpoch ?? -1 };
}

function fetchAt(fetchOffset: bigint, currentLeaderEpoch: number, lastFetchedEpoch: number): FetchRequest {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic,
        partitions: [{ partition: 0, fetchOffset, currentLeaderEpoch, lastFetchedEpoch, partitionMaxBytes: 1 << 20 }],
      },
    ],
  };
}

async function produce(client: KafkaClient, ...values: string[]): Promise<void> {
  await client.produce(
    topic,
    0,
    values.map((v) => ({ key: null, value: Buffer.from(v) })),
    { acks: -1 },
  );
}

describe('a consumer after an unclean leader change (KIP-320)', () => {
  it('gets the diverging epoch from Fetch v12 and OffsetForLeaderEpoch, and its old epoch is fenced', {
    timeout: 120_000,
  }, async () => {
    const admin = new Kafka({ brokers: cluster.bootstrap().split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            replicaAssignment: [{ partition: 0, replicas: [1, 2] }],
            configEntries: [
              { name: 'unclean.leader.election.enable', value: 'true' },
              { name: 'min.insync.replicas', value: '1' },
            ],
          },
        ],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    await waitFor(async () => (await leaderAndIsr(1))?.isrs.length === 2, { what: 'both brokers in the ISR' });
    const one = await on(1);
    await produce(one.client, 'a', 'b');

    await cluster.kill('broker', 2);
    await waitFor(async () => (await leaderAndIsr(1))?.isrs.join() === '1', {
      what: 'the ISR to shrink to broker 1',
      timeoutMs: 30_000,
    });
    await produce(one.client, 'c', 'd');
    const before = await latest(one.connection);
    expect(before.offset).toBe(4n);

    // The consumer reads everything committed on broker 1.
    const read = await one.connection.request(ApiKeys.Fetch, fetchAt(0n, before.leaderEpoch, -1), { maxVersion: 12 });
    const records = read.responses[0]?.partitions[0]?.records;
    const batches = decodeRecordBatchesSync(Buffer.isBuffer(records) ? records : Buffer.concat(records ?? []));
    expect(batches.flatMap((b) => b.records.map((r) => r.value?.toString()))).toEqual(['a', 'b', 'c', 'd']);
    const oldEpoch = batches.at(-1)?.header.partitionLeaderEpoch ?? -1;
    expect(oldEpoch).toBeGreaterThanOrEqual(0);

    await cluster.kill('broker', 1);
    await cluster.restart('broker', 2);
    await waitFor(async () => (await leaderAndIsr(2))?.leader === 2, {
      what: 'broker 2 elected uncleanly',
      timeoutMs: 45_000,
    });
    const two = await on(2);
    await produce(two.client, 'x', 'y', 'z');
    const after = await latest(two.connection);
    expect(after.offset).toBe(5n);
    expect(after.leaderEpoch).toBeGreaterThan(oldEpoch);

    // Offset 4 exists again ('z'): only the epoch check tells the consumer that what it read at 2-3 is gone.
    const diverged = await two.connection.request(ApiKeys.Fetch, fetchAt(4n, after.leaderEpoch, oldEpoch), {
      maxVersion: 12,
    });
    const answer = diverged.responses[0]?.partitions[0];
    expect(answer?.errorCode).toBe(ErrorCode.NONE);
    expect(answer?.divergingEpoch).toEqual({ epoch: oldEpoch, endOffset: 2n });
    expect(Buffer.concat([answer?.records ?? []].flat()).length).toBe(0);

    const epochs = await two.connection.request(ApiKeys.OffsetForLeaderEpoch, {
      replicaId: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: after.leaderEpoch, leaderEpoch: oldEpoch }] }],
    });
    expect(epochs.topics[0]?.partitions[0]).toMatchObject({ errorCode: 0, leaderEpoch: oldEpoch, endOffset: 2n });

    const stale = await two.connection.request(ApiKeys.Fetch, fetchAt(2n, oldEpoch, -1), { maxVersion: 12 });
    expect(stale.responses[0]?.partitions[0]?.errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
  });
});
