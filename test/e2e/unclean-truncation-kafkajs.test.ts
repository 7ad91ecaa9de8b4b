/**
 * A kafkajs group consumer across an unclean leader change: records the old
 * leader alone had (the follower was paused out of the ISR) are lost when
 * the follower becomes leader, so the consumer's position lies past the new
 * leader's log end. The broker answers OFFSET_OUT_OF_RANGE there instead of
 * an empty fetch, kafkajs resets to the earliest offset, and the records
 * produced after the change reach it — it neither hangs at the old
 * position waiting for offsets that would skip them nor sees a lost record.
 */
import { type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'unclean';
const groupId = 'unclean-g';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 3,
    brokerArgs: () => ['--replica-lag-time-max-ms', '1000'],
  });
});

afterAll(async () => {
  await cluster?.stop();
});

/** The broker coordinating `groupId` (FindCoordinator v0 asked of broker 1). */
async function coordinatorOf(group: string): Promise<number> {
  const client = await ProtocolClient.connect(cluster.ports('broker', 1).kafka);
  try {
    const found = await waitFor(
      async () => {
        const response = await client.request(10, 0, { key: group });
        return response.errorCode === 0 ? response.nodeId : undefined;
      },
      { what: 'the group coordinator' },
    );
    return found;
  } finally {
    client.close();
  }
}

async function partitionState(brokerId: number): Promise<{ leader: number; isrs: number[] } | undefined> {
  const metadata = await cluster.metadata(brokerId, topic);
  return metadata.topics.find((t) => t.topic === topic)?.partitions[0];
}

describe('offset truncation after an unclean leader change', () => {
  it('kafkajs gets OFFSET_OUT_OF_RANGE past the new leader’s end, resets, and reads what is produced next', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'unclean',
      logLevel: logLevel.NOTHING,
    });
    // The topic lives on the two brokers that do not coordinate the group: pausing and killing them must not
    // stall the consumer's heartbeats and commits, only its fetches.
    const coordinator = await coordinatorOf(groupId);
    const [leader, follower] = [1, 2, 3].filter((id) => id !== coordinator) as [number, number];
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        {
          topic,
          replicaAssignment: [{ partition: 0, replicas: [leader, follower] }],
          configEntries: [
            { name: 'unclean.leader.election.enable', value: 'true' },
            { name: 'min.insync.replicas', value: '1' },
          ],
        },
      ],
    });
    await admin.disconnect();
    await waitFor(
      async () => {
        const state = await partitionState(coordinator);
        return state !== undefined && state.leader === leader && state.isrs.length === 2;
      },
      { what: 'both replicas in the ISR' },
    );

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const send = (prefix: string, count: number) =>
      producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: count }, (_, i) => ({ value: `${prefix}${i}` })),
      });
    await send('a', 10);

    const seen: string[] = [];
    const consumer = kafka.consumer({
      groupId: 'unclean-g',
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      retry: { retries: 50 },
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: EachMessagePayload) => {
        seen.push(message.value?.toString() ?? '');
      },
    });
    await waitFor(() => seen.length === 10, { what: 'the first ten records', timeoutMs: 30_000 });

    // The follower stops fetching: the leader drops it from the ISR and takes ten records alone.
    cluster.pause('broker', follower, true);
    await waitFor(async () => (await partitionState(coordinator))?.isrs.join() === String(leader), {
      what: 'the ISR to shrink to the leader',
      timeoutMs: 30_000,
    });
    await send('b', 10);
    await waitFor(() => seen.length === 20, { what: 'the leader-only records', timeoutMs: 30_000 });

    // The leader dies; the follower, back but never caught up, is elected uncleanly with ten records.
    await cluster.kill('broker', leader);
    cluster.pause('broker', follower, false);
    await waitFor(async () => (await partitionState(coordinator))?.leader === follower, {
      what: 'the unclean election of the follower',
      timeoutMs: 30_000,
    });
    const afterChange = seen.length;
    await send('c', 5);
    await waitFor(() => seen.slice(afterChange).includes('c4'), {
      what: 'the records produced after the change',
      timeoutMs: 60_000,
    });
    await consumer.disconnect();
    await producer.disconnect();

    const replayed = seen.slice(afterChange);
    // Reset to the earliest offset: the surviving records again, then the new ones; never a lost one.
    expect(replayed.filter((v) => v.startsWith('b'))).toEqual([]);
    expect(replayed.filter((v) => v.startsWith('c'))).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(replayed.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `a${i}`));
  }, 180_000);
});
