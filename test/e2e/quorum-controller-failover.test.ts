/**
 * kill -9 of the active controller in a 3-controller, 3-broker cluster of
 * real processes: another controller takes over within the election
 * timeout (plus slack), and topic creation through the brokers keeps
 * working, both by CreateTopics and by kcat's auto-create.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 3, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('controller failover', () => {
  it('kill -9 of the active controller: another takes over within the election timeout and topics can still be created', async () => {
    const first = await cluster.waitForActiveController();
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'failover-test',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'before-failover', numPartitions: 2 }] })).toBe(true);

      await cluster.kill('controller', first, 'SIGKILL');
      const killedAt = Date.now();
      const second = await cluster.waitForActiveController({ other: first, intervalMs: 10 });
      const takeoverMs = Date.now() - killedAt;
      const { tickMs, electionTicks } = cluster.timings;
      // The randomised election timeout is at most twice the configured one.
      expect(takeoverMs).toBeLessThan(2 * electionTicks * tickMs + 2000);
      expect(second).not.toBe(first);
      const logged = await cluster.waitForLog(
        'controller',
        second,
        (l) => l.msg === 'became the active controller',
        'became the active controller',
      );
      expect(logged.msg).toBe('became the active controller');

      expect(
        await admin.createTopics({ topics: [{ topic: 'after-failover', numPartitions: 3, replicationFactor: 3 }] }),
      ).toBe(true);
      const described = await admin.fetchTopicMetadata({ topics: ['after-failover'] });
      expect(described.topics[0]?.partitions).toHaveLength(3);

      // kcat producing to an unknown topic auto-creates it through a broker.
      const produced = await cluster.produce('auto-created-after-failover', ['a', 'b', 'c']);
      expect(produced.code, produced.stderr).toBe(0);
      expect(await cluster.consume('auto-created-after-failover', 0)).toEqual(['a', 'b', 'c']);
    } finally {
      await admin.disconnect();
    }
  });
});
