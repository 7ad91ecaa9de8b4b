/**
 * The balancer respects an operator's assignment, across real processes
 * (1 controller, brokers 1-3, a 4th added later; balance interval 300 ms,
 * one move in flight at a time).
 *
 * `pinned` is created with an explicit replica assignment: every partition
 * on [1, 2], broker 1 first. Left to the balancer it would be the first
 * thing to even out (broker 1 prefers all six, broker 3 holds none of them).
 * `placed` has no assignment: the controller places it and may move it.
 * When broker 4 joins, the balancer moves `placed` replicas onto it one per
 * interval at least, so broker 4 reaching its share proves the balancer ran
 * that many intervals; all along, `pinned` keeps its replicas, their order
 * and its leaders, and `runnel brokers list` counts its replicas as PINNED.
 */
import type { BrokerStatus } from '@runnel/metadata';
import { ControllerClient } from '@runnel/rpc';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KcatPartition, TestCluster } from '../harness/cluster.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

const pinnedPartitions = 6;
let cluster: TestCluster;
let controller: ControllerClient;

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 4,
    brokersStartedLater: 1,
    controllerArgs: ['--balance-interval-ms', '300', '--balance-moves-max', '1'],
  });
  controller = new ControllerClient({ addresses: cluster.controllerServices(), callTimeoutMs: 10_000 });
});

afterAll(async () => {
  controller?.close();
  await cluster?.stop();
});

async function brokerStatuses(): Promise<BrokerStatus[]> {
  const reply = await controller.call('describeBrokers', {});
  if (!reply.ok) throw new Error(`DescribeBrokers: ${reply.error}`);
  return reply.value.value;
}

/** Replicas (in order), leader and ISR of every partition of `topic`, as broker 1 answers Metadata. */
async function layout(topic: string): Promise<KcatPartition[]> {
  return (await cluster.metadata(1, topic)).topics[0]?.partitions ?? [];
}

const fullIsr = (partitions: readonly KcatPartition[], count: number): boolean =>
  partitions.length === count && partitions.every((p) => p.isrs.length === p.replicas.length);

describe('the balancer and operator-chosen assignments', () => {
  it('a topic created with an explicit assignment keeps its replicas, their order and its leaders while the balancer moves a controller-placed topic onto a new broker', {
    timeout: 90_000,
  }, async () => {
    const admin = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'placement-admin',
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    }).admin();
    await admin.connect();
    try {
      const replicaAssignment = Array.from({ length: pinnedPartitions }, (_, partition) => ({
        partition,
        replicas: [1, 2],
      }));
      await admin.createTopics({
        topics: [
          { topic: 'pinned', replicaAssignment },
          { topic: 'placed', numPartitions: 12, replicationFactor: 2 },
        ],
        waitForLeaders: true,
      });
      const chosen = replicaAssignment.map(({ partition, replicas }) => ({ partition, leader: 1, replicas }));
      await waitFor(async () => fullIsr(await layout('pinned'), pinnedPartitions), { what: 'pinned in sync' });
      await waitFor(async () => fullIsr(await layout('placed'), 12), { what: 'placed in sync' });
      const shape = (partitions: readonly KcatPartition[]) =>
        partitions.map(({ partition, leader, replicas }) => ({ partition, leader, replicas }));
      expect(shape(await layout('pinned'))).toEqual(chosen);

      await cluster.restart('broker', 4);
      // Every poll also reads `pinned`: a change at any point of the balancing is kept, not just one at the end.
      const seen: ReturnType<typeof shape>[] = [];
      const settled = await waitFor(
        async () => {
          seen.push(shape(await layout('pinned')));
          const statuses = await brokerStatuses();
          const replicas = statuses.map((s) => s.replicas);
          const even = statuses.length === 4 && Math.max(...replicas) - Math.min(...replicas) <= 1;
          return even && statuses.every((s) => s.moving === 0 && !s.fenced) && statuses;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'replicas even over brokers 1-4, nothing moving' },
      );
      // 36 replicas: broker 4 took 9, all of `placed`; with one move in flight at a time that is 9 balance intervals at least.
      expect(settled.map((s) => [s.brokerId, s.replicas, s.pinned])).toEqual([
        [1, 9, 6],
        [2, 9, 6],
        [3, 9, 0],
        [4, 9, 0],
      ]);
      expect(seen.length).toBeGreaterThan(1);
      for (const observed of seen) expect(observed).toEqual(chosen);
      expect(shape(await layout('pinned'))).toEqual(chosen);
      expect((await layout('placed')).filter((p) => p.replicas.includes(4))).toHaveLength(9);

      const listed = await runnel(['brokers', 'list', '--controllers', cluster.controllerServices().join(',')]);
      expect(listed.code).toBe(0);
      // REPLICAS PINNED LEADERS MOVING PROGRESS
      expect(listed.stdout).toMatch(/^ID .*REPLICAS\s+PINNED\s+LEADERS/m);
      expect(listed.stdout).toMatch(/^1 .*live\s+active\s+9\s+6\s+\d+\s+0\s+-$/m);
      expect(listed.stdout).toMatch(/^4 .*live\s+active\s+9\s+0\s+\d+\s+0\s+-$/m);
    } finally {
      await admin.disconnect();
    }
  });
});
