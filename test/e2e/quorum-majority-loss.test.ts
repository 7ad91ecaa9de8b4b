/**
 * The controller quorum losing members, in a cluster of real processes:
 * with 1 of 3 controllers down topics are still created; with 2 of 3 down
 * CreateTopics through a broker is answered with a retriable error while
 * the majority is still down (it does not wait for the quorum to return),
 * and produce and fetch on a topic whose leader is alive keep working
 * (brokers serve without a controller).
 */
import { ErrorCode } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 3, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
});

describe('controller quorum loss', () => {
  it('1 of 3 controllers down: topics are created; 2 of 3 down: CreateTopics answers NOT_CONTROLLER or REQUEST_TIMED_OUT without the quorum, and produce/consume still work', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'majority',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    let secondDown = 0;
    try {
      expect(
        await admin.createTopics({ topics: [{ topic: 'existing', numPartitions: 3, replicationFactor: 3 }] }),
      ).toBe(true);
      const produced = await cluster.produce('existing', ['one', 'two'], { partition: 0 });
      expect(produced.code, produced.stderr).toBe(0);

      const leader = await cluster.waitForActiveController();
      const [firstDown, other] = [1, 2, 3].filter((id) => id !== leader);
      if (firstDown === undefined || other === undefined) throw new Error('expected two followers');
      secondDown = other;
      await cluster.kill('controller', firstDown, 'SIGKILL');
      expect(await admin.createTopics({ topics: [{ topic: 'minority-down', numPartitions: 2 }] })).toBe(true);
      expect(await admin.listTopics()).toContain('minority-down');
    } finally {
      await admin.disconnect();
    }

    await cluster.kill('controller', secondDown, 'SIGKILL');
    const client = await ProtocolClient.connect(cluster.ports('broker', 1).kafka);
    try {
      // Nothing restarts the controllers before the answer: getting one at all is the property (no hang).
      const response = await client.request(19, 4, {
        topics: [{ name: 'majority-down', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      expect([ErrorCode.NOT_CONTROLLER, ErrorCode.REQUEST_TIMED_OUT]).toContain(response.topics[0]?.errorCode);
    } finally {
      client.close();
    }

    // Brokers keep serving what they lead: write and read every partition of the existing topic.
    for (const partition of [0, 1, 2]) {
      const result = await cluster.produce('existing', [`majority-down-${partition}`], { partition });
      expect(result.code, result.stderr).toBe(0);
      const values = await cluster.consume('existing', partition);
      expect(values.at(-1)).toBe(`majority-down-${partition}`);
    }
    expect(await cluster.consume('existing', 0)).toEqual(['one', 'two', 'majority-down-0']);
  });
});
