/**
 * Scale-out and decommission across real processes (1 controller, 3
 * brokers, a 4th added later), while a kafkajs producer keeps writing
 * unique values with acks=all to every partition of a 12-partition RF 3
 * topic the whole time:
 *
 * - the 4th broker starts: the controller's balancer moves replicas and
 *   leaders onto it until every broker holds 9 replicas and leads 3
 *   partitions (within one of even);
 * - `runnel brokers decommission 4` drains it: it ends holding and leading
 *   nothing, removable, as `runnel brokers list` shows;
 * - every acknowledged value is then read back exactly once, in order, from
 *   its partition.
 */
import type { BrokerStatus } from '@runnel/metadata';
import { ControllerClient } from '@runnel/rpc';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'scaling';
const partitions = 12;
let cluster: TestCluster;
let controller: ControllerClient;

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 4,
    brokersStartedLater: 1,
    controllerArgs: ['--balance-interval-ms', '300', '--balance-moves-max', '4'],
  });
  controller = new ControllerClient({ addresses: cluster.controllerServices(), callTimeoutMs: 10_000 });
});

afterAll(async () => {
  controller?.close();
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
 * Writes `value-<n>` to partition n % 12, one at a time with acks=all, until
 * stopped. No retries, so each value is sent once: an acknowledged value
 * must be in its partition exactly once, an unacknowledged one at most once.
 */
function startWriting(producer: Producer): { acked: string[][]; total: () => number; stop: () => Promise<void> } {
  const acked: string[][] = Array.from({ length: partitions }, () => []);
  let count = 0;
  let stopped = false;
  const loop = (async () => {
    for (let n = 0; !stopped; n++) {
      const value = `value-${n}`;
      const partition = n % partitions;
      try {
        await producer.send({ topic, acks: -1, timeout: 5000, messages: [{ value, partition }] });
        acked[partition]?.push(value);
        count++;
      } catch {
        // Not acknowledged (a leader moved mid-send): nothing is promised about it. Back off briefly.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  })();
  return {
    acked,
    total: () => count,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function brokerStatuses(): Promise<BrokerStatus[]> {
  const reply = await controller.call('describeBrokers', {});
  if (!reply.ok) throw new Error(`DescribeBrokers: ${reply.error}`);
  return reply.value.value;
}

/** Replicas and leaders on the given brokers are within one of even, nothing is moving, every ISR is full. */
async function balancedOver(ids: readonly number[]): Promise<boolean> {
  const statuses = (await brokerStatuses()).filter((s) => ids.includes(s.brokerId));
  if (statuses.length !== ids.length || statuses.some((s) => s.moving > 0 || s.fenced)) return false;
  const spread = (values: number[]) => Math.max(...values) - Math.min(...values);
  if (spread(statuses.map((s) => s.replicas)) > 1 || spread(statuses.map((s) => s.leaders)) > 1) return false;
  const view = (await cluster.metadata(ids[0] ?? 1, topic)).topics[0];
  return view?.partitions.every((p) => p.isrs.length === 3 && p.replicas.length === 3) === true;
}

describe('broker scale-out and decommission', () => {
  it('a 4th broker gets an even share of replicas and leaders, and decommissioning it moves everything back off, under acks=all writes losing nothing', {
    timeout: 90_000,
  }, async () => {
    const admin = kafkaFor('scale-admin', 10).admin();
    await admin.connect();
    const producer = kafkaFor('scale-producer', 0).producer({ allowAutoTopicCreation: false });
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor: 3,
            configEntries: [{ name: 'min.insync.replicas', value: '2' }],
          },
        ],
        waitForLeaders: true,
      });
      await waitFor(() => balancedOver([1, 2, 3]), { timeoutMs: 20_000, intervalMs: 200, what: 'a full ISR on 1-3' });
      await producer.connect();
      const writer = startWriting(producer);
      await waitFor(() => writer.total() >= 100, { timeoutMs: 30_000, what: '100 acked records before scaling' });

      await cluster.restart('broker', 4);
      await waitFor(() => balancedOver([1, 2, 3, 4]), {
        timeoutMs: 40_000,
        intervalMs: 250,
        what: 'replicas and leaders balanced over brokers 1-4',
      });
      const scaled = await brokerStatuses();
      expect(scaled.map((s) => [s.brokerId, s.replicas, s.leaders])).toEqual([
        [1, 9, 3],
        [2, 9, 3],
        [3, 9, 3],
        [4, 9, 3],
      ]);
      const metrics = await cluster.controllerMetrics(1);
      expect(metrics.get('runnel_controller_reassigning_partitions')).toBe(0);
      expect(metrics.get('runnel_controller_broker_replica_imbalance')).toBe(0);
      expect(metrics.get('runnel_controller_broker_leader_imbalance')).toBe(0);
      const afterScale = writer.total();
      await waitFor(() => writer.total() >= afterScale + 50, { timeoutMs: 20_000, what: '50 acks after scaling' });

      const services = cluster.controllerServices().join(',');
      const started = await runnel(['brokers', 'decommission', '4', '--controllers', services]);
      expect(started.stderr).toBe('');
      expect(started.stdout).toMatch(/^Broker 4 is (decommissioning|removable)/);
      await waitFor(async () => (await brokerStatuses()).find((s) => s.brokerId === 4)?.state === 'removable', {
        timeoutMs: 40_000,
        intervalMs: 250,
        what: 'broker 4 removable',
      });
      await waitFor(() => balancedOver([1, 2, 3]), { timeoutMs: 20_000, intervalMs: 250, what: 'back to 1-3' });
      expect((await cluster.controllerMetrics(1)).get('runnel_controller_decommissioning_replicas')).toBe(0);
      const listed = await runnel(['brokers', 'list', '--controllers', services]);
      expect(listed.code).toBe(0);
      // REPLICAS PINNED LEADERS MOVING PROGRESS: nothing here was placed by an operator.
      expect(listed.stdout).toMatch(/^4 .*live\s+removable\s+0\s+0\s+0\s+0\s+done$/m);
      expect(listed.stdout).toMatch(/^1 .*live\s+active\s+12\s+0\s+4\s+0\s+-$/m);

      const afterDrain = writer.total();
      await waitFor(() => writer.total() >= afterDrain + 50, { timeoutMs: 20_000, what: '50 acks after draining' });
      await writer.stop();

      for (let p = 0; p < partitions; p++) {
        const log = await cluster.consume(topic, p, { brokers: [1, 2, 3] });
        const acked = writer.acked[p] ?? [];
        const ackedSet = new Set(acked);
        expect(log.filter((v) => ackedSet.has(v))).toEqual(acked);
        expect(new Set(log).size).toBe(log.length);
      }
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
