/**
 * Preferred-leader election across real processes (1 controller, 3
 * brokers, an RF 3 partition whose preferred replica is broker 2): kill -9
 * broker 2, leadership fails over; `runnel partitions elect-leaders` says
 * the preferred replica is not available; restart it and wait until it is
 * back in the ISR; then `runnel partitions elect-leaders` moves leadership
 * back and kcat -L shows broker 2 leading. The controller's periodic
 * rebalance is off (auto.leader.rebalance.enable=false from its flag), so
 * only the command can have moved it.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KcatPartition, TestCluster } from '../harness/cluster.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'preferred';
const preferred = 2;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 1,
    brokers: 3,
    // The periodic check runs every half second but may not rebalance, so only the command can move a leader
    // (and were --auto-leader-rebalance-enable not reaching the controller, the check would move it first).
    controllerArgs: ['--leader-imbalance-check-interval-ms', '500', '--auto-leader-rebalance-enable', 'false'],
    brokerArgs: () => ['--replica-lag-time-max-ms', '2000'],
  });
});

afterAll(async () => {
  await cluster?.stop();
});

async function partitionVia(brokerId: number): Promise<KcatPartition | undefined> {
  const md = await cluster.metadata(brokerId, topic);
  return md.topics.find((t) => t.topic === topic)?.partitions[0];
}

function electLeaders(args: readonly string[], brokers: readonly number[]) {
  return runnel(['partitions', 'elect-leaders', '--bootstrap-server', cluster.bootstrap(brokers), ...args]);
}

describe('runnel partitions elect-leaders', () => {
  it('after the preferred leader is kill -9ed, restarted and back in sync, elect-leaders makes it lead again', {
    timeout: 120_000,
  }, async () => {
    const admin = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'elect-admin',
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000 },
    }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic, replicaAssignment: [{ partition: 0, replicas: [preferred, 3, 1] }] }],
        waitForLeaders: true,
      });
    } finally {
      await admin.disconnect();
    }
    await waitFor(
      async () => {
        const p = await partitionVia(1);
        return p !== undefined && p.leader === preferred && p.isrs.length === 3;
      },
      { what: `broker ${preferred} leading with a full ISR` },
    );

    await cluster.kill('broker', preferred);
    const failedOver = await waitFor(
      async () => {
        const p = await partitionVia(1);
        return p !== undefined && p.leader > 0 && p.leader !== preferred ? p : undefined;
      },
      { what: 'leadership to fail over', timeoutMs: 30_000 },
    );
    const interim = failedOver.leader;

    const refused = await electLeaders(['--topic', topic, '--partition', '0'], [1, 3]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Topic: preferred\tPartition: 0\tPREFERRED_LEADER_NOT_AVAILABLE/);

    await cluster.restart('broker', preferred);
    await waitFor(
      async () => {
        const p = await partitionVia(interim);
        return p?.isrs.includes(preferred);
      },
      { what: `broker ${preferred} to rejoin the ISR`, timeoutMs: 45_000 },
    );
    // Rejoining changes no leader: only an election can.
    expect((await partitionVia(interim))?.leader).toBe(interim);

    const elected = await electLeaders([], [1, 3]);
    expect(elected.stderr).toBe('');
    expect(elected.code).toBe(0);
    expect(elected.stdout).toContain('Topic: preferred\tPartition: 0\tElected the preferred leader.');

    for (const id of [1, 2, 3]) {
      await waitFor(async () => (await partitionVia(id))?.leader === preferred, {
        what: `kcat -L via broker ${id} to show broker ${preferred} leading`,
      });
    }

    const again = await electLeaders(['--topic', topic], [preferred]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^Topic: preferred\tPartition: 0\tELECTION_NOT_NEEDED: /);
  });
});
