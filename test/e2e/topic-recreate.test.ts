/**
 * A topic deleted and created again under the same name never serves a
 * record of the old topic (KIP-516), on a real cluster (1 controller, 3
 * broker processes, replication factor 3):
 * - a kafkajs group consumer that read the old records keeps running while
 *   the topic is deleted and re-created; every record it gets afterwards is
 *   one of the new topic's, and each replica, made leader in turn, serves
 *   the new records only (so no follower kept the old log);
 * - a broker kill -9ed before the delete and re-create comes back with the
 *   old log on disk; made a replica of the new topic and then its only live
 *   replica, it serves the new records only.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { KafkaClient } from '@runnel/client';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
});

function kafka(clientId: string): Kafka {
  return new Kafka({
    brokers: cluster.bootstrap().split(','),
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function withAdmin<T>(use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka('recreate-admin').admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

async function produce(topic: string, values: readonly string[]): Promise<void> {
  const producer = kafka(`producer-${topic}`).producer();
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) });
  } finally {
    await producer.disconnect();
  }
}

async function liveBrokers(count: number): Promise<void> {
  await waitFor(async () => (await cluster.metadata(1)).brokers.length === count, { what: `${count} live brokers` });
}

/** The topic's id as the cluster reports it (Metadata v10+ through @runnel/client). */
async function topicIdOf(topic: string): Promise<string> {
  const client = await KafkaClient.connect({ bootstrap: cluster.bootstrap(), clientId: 'recreate-ids' });
  try {
    const [found] = (await client.metadata([topic])).topics;
    expect(found?.errorCode).toBe(0);
    return found?.topicId ?? '';
  } finally {
    await client.close();
  }
}

/** Fences every other running broker (kill -9), waits until `leader` leads partition 0, reads it whole, restarts the others. */
async function readWhenLeading(topic: string, leader: number): Promise<string[]> {
  const others = cluster.ids('broker', { running: true }).filter((id) => id !== leader);
  for (const id of others) await cluster.kill('broker', id);
  await waitFor(async () => (await cluster.metadata(leader, topic)).topics[0]?.partitions[0]?.leader === leader, {
    what: `broker ${leader} to lead ${topic}-0`,
    timeoutMs: 30_000,
  });
  const values = await cluster.consume(topic, 0, { brokers: [leader] });
  for (const id of others) await cluster.restart('broker', id);
  return values;
}

async function fullIsr(topic: string, replicas: number): Promise<void> {
  await waitFor(async () => (await cluster.metadata(1, topic)).topics[0]?.partitions[0]?.isrs.length === replicas, {
    what: `${replicas} in the ISR of ${topic}-0`,
    timeoutMs: 30_000,
  });
}

const olds = Array.from({ length: 20 }, (_, i) => `old-${i}`);
const news = Array.from({ length: 5 }, (_, i) => `new-${i}`);

describe('a topic deleted and re-created under its name (3 brokers, RF 3)', () => {
  it('a running consumer and the followers never get a record of the old topic', async () => {
    const topic = 'recreated';
    await liveBrokers(3);
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] }));
    await produce(topic, olds);
    const oldId = await topicIdOf(topic);

    const received: string[] = [];
    // No auto-creation: the test, not the consumer's metadata refresh, re-creates the topic.
    const consumer = kafka('recreate-consumer').consumer({
      groupId: 'recreate-group',
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(message.value?.toString('utf8') ?? '');
      },
    });
    try {
      await waitFor(() => received.length >= olds.length, { what: 'the consumer to read the old records' });
      expect(received).toEqual(olds);

      await withAdmin(async (admin) => {
        // The reply comes once the broker that answered has applied the deletion.
        await admin.deleteTopics({ topics: [topic] });
        await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] });
      });
      expect(await topicIdOf(topic)).not.toBe(oldId);
      await produce(topic, news);
      await fullIsr(topic, 3);
      await waitFor(() => received.includes(news.at(-1) ?? ''), { what: 'the consumer to read the new records' });
      // Whatever the consumer read after the old records, it is the new topic's (it may re-read some after its reset).
      expect(received.slice(olds.length).filter((v) => !v.startsWith('new-'))).toEqual([]);
    } finally {
      await consumer.disconnect();
    }

    for (const leader of [1, 2, 3]) {
      await liveBrokers(3);
      await fullIsr(topic, 3);
      expect(await readWhenLeading(topic, leader)).toEqual(news);
    }
  });

  it('a broker down through the delete and re-create comes back with the old log and never serves it', async () => {
    const topic = 'recreated-while-down';
    const down = 3;
    await liveBrokers(3);
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 3 }] }));
    await produce(topic, olds);
    await fullIsr(topic, 3);

    await cluster.kill('broker', down);
    await liveBrokers(2);
    await withAdmin(async (admin) => {
      // The reply comes once the broker that answered has applied the deletion.
      await admin.deleteTopics({ topics: [topic] });
      // Two live brokers: the new topic has two replicas until the returning broker is added below.
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 2 }] });
    });
    await produce(topic, news);

    const oldLog = join(cluster.process('broker', down).dataDir, `${topic}-0`);
    await access(oldLog); // still there while the broker is down
    await cluster.restart('broker', down);
    await liveBrokers(3);
    await withAdmin((admin) =>
      admin.alterPartitionReassignments({
        topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [down, 1, 2] }] }],
      }),
    );
    await fullIsr(topic, 3);
    expect(await readWhenLeading(topic, down)).toEqual(news);
  });
});
