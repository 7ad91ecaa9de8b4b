/**
 * kill -9 of a broker that leads partitions of an RF 3 topic, in a cluster
 * of real processes: once its session times out the controller fences it
 * and elects new leaders, every remaining broker tells clients the same
 * leaders, and the broker restarted on its data dir registers again, is
 * unfenced and is listed by kcat again — also when it comes back before its
 * old session has run out.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KcatMetadata, type KcatPartition, TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'rf3';
const partitions = 6;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 3, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
});

function partitionsOf(metadata: KcatMetadata): KcatPartition[] {
  return metadata.topics.find((t) => t.topic === topic)?.partitions ?? [];
}

/** Each remaining broker's view of the topic's partitions, once all agree and none names a leader in `notLeaders`. */
async function agreedPartitions(brokers: readonly number[], notLeaders: readonly number[]): Promise<KcatPartition[]> {
  const views = await Promise.all(brokers.map((b) => cluster.metadata(b, topic)));
  const [first, ...rest] = views.map(partitionsOf);
  if (first === undefined || first.length !== partitions) return [];
  const leaders = JSON.stringify(first.map((p) => p.leader));
  if (rest.some((view) => JSON.stringify(view.map((p) => p.leader)) !== leaders)) return [];
  if (first.some((p) => p.leader < 0 || notLeaders.includes(p.leader))) return [];
  return first;
}

describe('broker failover', () => {
  it('kill -9 of a partition leader: its session expires, it is fenced and its partitions get new leaders, the same on every broker; restarted, it is unfenced and listed again', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'broker-failover',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3 }] })).toBe(
        true,
      );
    } finally {
      await admin.disconnect();
    }
    const before = await waitFor(() => agreedPartitions([1, 2, 3], []), { what: 'all brokers to agree on leaders' });
    for (const p of before) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    const victim = before[0]?.leader ?? 1;
    const led = before.filter((p) => p.leader === victim).map((p) => p.partition);
    expect(led.length).toBeGreaterThan(0);

    const controller = await cluster.waitForActiveController();
    await cluster.kill('broker', victim, 'SIGKILL');
    const survivors = [1, 2, 3].filter((b) => b !== victim);
    const after = await waitFor(() => agreedPartitions(survivors, [victim]), {
      timeoutMs: 20_000,
      intervalMs: 100,
      what: `new leaders for broker ${victim}'s partitions`,
    });
    // The leaders moved because the controller saw the session expire (no heartbeat), the path a dead broker takes.
    await cluster.waitForLog(
      'controller',
      controller,
      (l) => l.msg === 'broker sessions expired: fencing' && Array.isArray(l.brokers) && l.brokers.includes(victim),
      `the session of broker ${victim} to expire`,
    );
    for (const p of after) {
      expect(survivors).toContain(p.leader);
      expect(p.isrs).not.toContain(victim);
    }
    // The moved partitions take writes on their new leaders.
    for (const partition of led) {
      const produced = await cluster.produce(topic, [`after-${partition}`], { brokers: survivors, partition });
      expect(produced.code, produced.stderr).toBe(0);
    }
    const metadataWhileDown = await cluster.metadata(survivors[0] ?? 1);
    expect(metadataWhileDown.brokers.map((b) => b.id)).not.toContain(victim);

    await cluster.restart('broker', victim);
    await cluster.waitForLog('broker', victim, (l) => l.msg === 'registered with the controller', 'registration');
    await cluster.waitForLog('broker', victim, (l) => l.msg === 'unfenced by the controller', 'unfencing');
    await waitFor(
      async () => {
        const views = await Promise.all([1, 2, 3].map((b) => cluster.metadata(b, topic)));
        return views.every(
          (v) => v.brokers.some((b) => b.id === victim) && partitionsOf(v).every((p) => p.isrs.includes(victim)),
        );
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `broker ${victim} listed again by every broker` },
    );
  });

  it('kill -9 and an immediate restart, inside the old session: the broker waits out the old session, registers and is unfenced instead of exiting', async () => {
    await cluster.waitForLog('broker', 2, (l) => l.msg === 'unfenced by the controller', 'unfenced', 20_000);
    await cluster.kill('broker', 2, 'SIGKILL');
    await cluster.restart('broker', 2);
    const broker = cluster.process('broker', 2);
    expect(
      broker.logs.some(
        (l) => l.run === broker.run && l.msg.startsWith('registration refused while an earlier incarnation'),
      ),
    ).toBe(true);
    await cluster.waitForLog('broker', 2, (l) => l.msg === 'unfenced by the controller', 'unfenced after restart');
    const metadata = await cluster.metadata(1);
    expect(metadata.brokers.map((b) => b.id)).toContain(2);
  });
});
