/**
 * kill -9 of the active controller in a 3-controller, 3-broker cluster of
 * real processes: another controller wins an election (a higher Raft term)
 * and takes over, and topic creation through the brokers keeps working,
 * both by CreateTopics and by kcat's auto-create.
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
  it('kill -9 of the active controller: another wins an election in a later term and takes over, and topics can still be created', async () => {
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

      const termBefore = (await cluster.controllerMetrics(first)).get('runnel_raft_term');
      expect(termBefore).toBeGreaterThan(0);
      await cluster.kill('controller', first, 'SIGKILL');
      const second = await cluster.waitForActiveController({ other: first, intervalMs: 10 });
      expect(second).not.toBe(first);
      // Leadership moved by an election, not by a stale view: the new leader's term is later.
      expect((await cluster.controllerMetrics(second)).get('runnel_raft_term')).toBeGreaterThan(termBefore ?? 0);
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
