/**
 * Partition reassignment across real processes (1 controller, 4 brokers):
 * a topic on brokers {1,2} is moved to {3,4} with kafkajs's admin while a
 * producer keeps writing unique values with acks=all. The move completes
 * once 3 and 4 have caught up; every acknowledged value is then read back
 * once, in order, from the new replicas, and kcat -L shows replicas [3,4].
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'moving';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 4 });
});

afterAll(async () => {
  await cluster?.stop();
});

function kafkaFor(clientId: string, retries: number): Kafka {
  return new Kafka({
    brokers: cluster.bootstrap().split(','),
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

/**
 * Writes `value-<n>` one at a time with acks=all until stopped. No retries,
 * so each value is sent once: an acknowledged value must be in the log
 * exactly once, an unacknowledged one at most once.
 */
function startWriting(producer: Producer): { acked: string[]; stop: () => Promise<void> } {
  const acked: string[] = [];
  let stopped = false;
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const value = `value-${n}`;
      try {
        await producer.send({ topic, acks: -1, messages: [{ value, partition: 0 }] });
        acked.push(value);
      } catch {
        // Not acknowledged (a leader change mid-move): nothing is promised about it. Back off briefly.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  })();
  return {
    acked,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe('partition reassignment', () => {
  it('moving an RF 2 partition from {1,2} to {3,4} under acks=all writes loses and duplicates no acked record', async () => {
    const admin = kafkaFor('reassign-admin', 10).admin();
    await admin.connect();
    const producer = kafkaFor('reassign-producer', 0).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [1, 2] }] }],
        waitForLeaders: true,
      });
      await waitFor(
        async () => {
          const p = (await cluster.metadata(1, topic)).topics[0]?.partitions[0];
          return p !== undefined && p.isrs.length === 2;
        },
        { what: 'ISR {1,2}' },
      );
      const writer = startWriting(producer);
      await waitFor(() => writer.acked.length >= 50, { timeoutMs: 30_000, what: '50 acked records before the move' });

      await admin.alterPartitionReassignments({
        topics: [{ topic, partitionAssignment: [{ partition: 0, replicas: [3, 4] }] }],
      });
      await waitFor(
        async () => {
          const listed = await admin.listPartitionReassignments({});
          const p = (await cluster.metadata(3, topic)).topics[0]?.partitions[0];
          return listed.topics.length === 0 && p !== undefined && p.replicas.length === 2 && p.isrs.length === 2;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'the reassignment to complete' },
      );
      const atCompletion = writer.acked.length;
      await waitFor(() => writer.acked.length >= atCompletion + 50, {
        timeoutMs: 30_000,
        what: '50 more acked records on the new replicas',
      });
      await writer.stop();

      const view = (await cluster.metadata(3, topic)).topics[0]?.partitions[0];
      expect(view?.replicas).toEqual([3, 4]);
      expect([...(view?.isrs ?? [])].sort()).toEqual([3, 4]);
      expect([3, 4]).toContain(view?.leader);

      const log = await cluster.consume(topic, 0, { brokers: [3, 4] });
      const ackedSet = new Set(writer.acked);
      expect(log.filter((v) => ackedSet.has(v))).toEqual(writer.acked);
      expect(new Set(log).size).toBe(log.length);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
