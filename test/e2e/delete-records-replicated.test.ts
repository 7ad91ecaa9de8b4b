/**
 * DeleteRecords across real broker processes (1 controller, 3 brokers, RF 3,
 * small segments): the answer comes once every replica's log start reached
 * the offset; the partition leader is then kill -9ed, and the new leader
 * serves from the deleted offset (its log start came from the replica
 * fetch path); the killed broker restarts, becomes leader again through a
 * preferred election, and still starts there (log-start-offset-checkpoint).
 */
import { ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'dr-replicated';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === 3, { what: 'three live brokers' });
});

afterAll(async () => {
  await cluster?.stop();
});

async function onBroker<T>(brokerId: number, fn: (client: ProtocolClient) => Promise<T>): Promise<T> {
  const client = await ProtocolClient.connect(cluster.ports('broker', brokerId).kafka);
  try {
    return await fn(client);
  } finally {
    client.socket.close();
  }
}

async function partitionState(brokerId: number): Promise<{ leader: number; isr: number[]; replicas: number[] }> {
  const p = (await cluster.metadata(brokerId, topic)).topics.find((t) => t.topic === topic)?.partitions[0];
  return { leader: p?.leader ?? -1, isr: p?.isrs ?? [], replicas: p?.replicas ?? [] };
}

/** ListOffsets earliest, asked of `brokerId` (which must lead the partition). */
async function earliestOn(brokerId: number): Promise<{ errorCode: number; offset: bigint }> {
  const response = await onBroker(brokerId, (c) =>
    c.request(2, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }] }] }),
  );
  const p = response.topics[0]?.partitions[0];
  return { errorCode: p?.errorCode ?? -1, offset: p?.offset ?? -1n };
}

describe('DeleteRecords on a replicated partition', () => {
  it('the deleted offset survives the leader kill -9 and the restart of that broker', async () => {
    const created = await onBroker(1, (c) =>
      c.request(19, 4, {
        topics: [
          {
            name: topic,
            numPartitions: 1,
            replicationFactor: 3,
            assignments: [],
            // ~10 records per segment: the deletion drops whole segments and cuts into one.
            configs: [
              { name: 'segment.bytes', value: '1024' },
              { name: 'min.insync.replicas', value: '2' },
            ],
          },
        ],
        timeoutMs: 10_000,
        validateOnly: false,
      }),
    );
    expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
    await waitFor(async () => (await partitionState(1)).isr.length === 3, { what: 'a full ISR' });
    const values = Array.from({ length: 60 }, (_, i) => `record-${String(i).padStart(2, '0')}-${'x'.repeat(40)}`);
    for (let i = 0; i < values.length; i += 6) {
      expect((await cluster.produce(topic, values.slice(i, i + 6), { partition: 0 })).code).toBe(0);
    }

    const { leader, replicas } = await partitionState(1);
    // A new partition's leader is its first replica, the preferred one: the election below brings it back.
    expect(leader).toBe(replicas[0]);
    const deleted = await onBroker(leader, (c) =>
      c.request(21, 2, {
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 43n }] }],
        timeoutMs: 30_000,
      }),
    );
    // Answered only once every live replica's log start reached 43.
    expect(deleted.topics[0]?.partitions[0]).toEqual({
      partitionIndex: 0,
      lowWatermark: 43n,
      errorCode: ErrorCode.NONE,
    });

    await cluster.kill('broker', leader, 'SIGKILL');
    const survivor = replicas.find((id) => id !== leader) ?? -1;
    await waitFor(
      async () => {
        const now = (await partitionState(survivor)).leader;
        return now >= 0 && now !== leader;
      },
      { what: 'a new leader' },
    );
    const newLeader = (await partitionState(survivor)).leader;
    expect(await earliestOn(newLeader)).toEqual({ errorCode: ErrorCode.NONE, offset: 43n });
    expect((await cluster.consume(topic, 0, { brokers: [newLeader] }))[0]).toBe(values[43]);

    await cluster.restart('broker', leader);
    await waitFor(async () => (await partitionState(survivor)).isr.includes(leader), {
      what: 'the restarted broker in the ISR',
    });
    const preferred = leader;
    await onBroker(survivor, (c) =>
      c.request(43, 1, { electionType: 0, topicPartitions: [{ topic, partitions: [0] }], timeoutMs: 10_000 }),
    );
    await waitFor(async () => (await partitionState(survivor)).leader === preferred, { what: 'the preferred leader' });
    expect(await earliestOn(preferred)).toEqual({ errorCode: ErrorCode.NONE, offset: 43n });
    expect((await cluster.consume(topic, 0, { brokers: [preferred] }))[0]).toBe(values[43]);
  });
});
