/**
 * SIGTERM on a broker is a controlled shutdown: before the process exits,
 * the controller moves leadership of every partition it leads to another
 * ISR member and fences it, so clients see the new leaders at once instead
 * of after the session timeout; and it completes, without waiting out
 * controlled.shutdown's timeout.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KcatMetadata, TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'graceful';
let cluster: TestCluster;

beforeAll(async () => {
  // A long session timeout: only a controlled shutdown can move leadership within this test.
  cluster = await TestCluster.start({ controllers: 3, brokers: 3, timings: { brokerSessionTimeoutMs: 60_000 } });
});

afterAll(async () => {
  await cluster?.stop();
});

const leaders = (m: KcatMetadata): number[] =>
  (m.topics.find((t) => t.topic === topic)?.partitions ?? []).map((p) => p.leader);

describe('controlled shutdown', () => {
  it('SIGTERM moves leadership away before the broker exits', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'graceful',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 3 }] });
    } finally {
      await admin.disconnect();
    }
    const before = await waitFor(
      async () => {
        const l = leaders(await cluster.metadata(1, topic));
        return l.length === 6 && l.every((x) => x > 0) ? l : undefined;
      },
      { what: 'leaders for every partition' },
    );
    const victim = before[0] ?? 1;
    expect(await cluster.kill('broker', victim, 'SIGTERM')).toBe(0);
    // The controller said "done" (no timeout): leaders did not keep proposing the victim back into the
    // ISRs the shutdown took it out of (it stops fetching, so only its last fetches said it was caught up).
    const output = cluster.process('broker', victim).output;
    expect(output).not.toContain('controlled shutdown timed out');
    expect(output).toContain('broker stopped');
    // Right after the exit (no session timeout has passed) every other broker already names other leaders.
    const others = [1, 2, 3].filter((b) => b !== victim);
    for (const b of others) {
      const after = leaders(await cluster.metadata(b, topic));
      expect(after).toHaveLength(6);
      expect(after).not.toContain(victim);
      expect(after.every((x) => x > 0)).toBe(true);
    }
  });
});
