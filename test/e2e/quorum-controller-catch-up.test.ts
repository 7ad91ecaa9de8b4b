/**
 * A controller that was down catches up: killed (-9) while the quorum goes
 * on creating topics, restarted on its data dir (where it had already
 * taken metadata snapshots, every 5 records here), it reaches the leader's
 * metadata offset, and when the leader is then killed the quorum it forms
 * with the third controller serves every topic and creates new ones.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { expectQuorumOutlivesLeader } from '../harness/quorum-checks.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({
    controllers: 3,
    brokers: 2,
    controllerArgs: ['--snapshot-interval-records', '5'],
  });
});

afterAll(async () => {
  await cluster?.stop();
});

function offsetOf(controllerId: number): Promise<number> {
  return cluster.controllerMetadataOffset(controllerId);
}

describe('controller catch-up', () => {
  it('a controller restarted after missing topic creations catches up from its snapshot and the log, and the quorum keeps the data after the leader dies', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'catch-up',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin({ retry: { retries: 10 } });
    await admin.connect();
    try {
      const leader = await cluster.waitForActiveController();
      const [lagging, third] = [1, 2, 3].filter((id) => id !== leader);
      if (lagging === undefined || third === undefined) throw new Error('expected two followers');
      await admin.createTopics({ topics: [{ topic: 'early-0' }, { topic: 'early-1' }, { topic: 'early-2' }] });
      await waitFor(async () => (await offsetOf(lagging)) === (await offsetOf(leader)), {
        what: `controller ${lagging} to follow before it is killed`,
      });
      await cluster.kill('controller', lagging, 'SIGKILL');

      const missed = Array.from({ length: 12 }, (_, i) => `missed-${i}`);
      for (const topic of missed)
        expect(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] })).toBe(true);
      const leaderOffset = await offsetOf(leader);

      await cluster.restart('controller', lagging);
      const opened = await cluster.waitForLog(
        'controller',
        lagging,
        (l) => l.msg === 'raft store opened',
        'store open',
      );
      // It had snapshotted before the kill, so the restart starts from a snapshot rather than an empty image.
      expect(Number(opened.snapshotIndex)).toBeGreaterThan(0);
      await waitFor(async () => (await offsetOf(lagging)) >= leaderOffset, {
        what: `controller ${lagging} to reach the leader's metadata offset ${leaderOffset}`,
      });

      await expectQuorumOutlivesLeader(cluster, admin, {
        leader,
        survivors: [lagging, third],
        newTopic: 'after-leader-death',
        topics: [...missed, 'early-0'],
        sinceOffset: leaderOffset,
      });
    } finally {
      await admin.disconnect();
    }
  });
});
