/**
 * Dynamic broker configs across real processes (1 controller, 3 brokers):
 * `runnel configs alter --broker-defaults` sets num.partitions and
 * default.replication.factor once, every broker reports them as
 * DYNAMIC_DEFAULT_BROKER_CONFIG, and the controller creates a topic without
 * a count or factor with exactly those; a per-broker value shows on that
 * broker only. After the controller is killed with SIGKILL and restarted,
 * (and broker 3 with it, so it rebuilds its image from the controller), the
 * values are still there: they are records in the Raft log, committed
 * before the alter was answered.
 */
import { ConfigAdmin, KafkaClient } from '@runnel/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { runnel } from '../harness/runnel-cli.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start({ controllers: 1, brokers: 3 });
});

afterAll(async () => {
  await cluster?.stop();
});

async function sourceOn(client: KafkaClient, brokerId: number, name: string) {
  const described = await new ConfigAdmin(client).describe('broker', String(brokerId), { keys: [name] });
  const entry = described.configs[0];
  return { value: entry?.value ?? null, source: entry?.source ?? null };
}

describe('dynamic broker configs in a cluster', () => {
  it('cluster defaults reach every broker and the controller; per-broker values one broker; both survive kill -9', {
    timeout: 120_000,
  }, async () => {
    const altered = await runnel([
      'configs',
      'alter',
      '--broker-defaults',
      '--set',
      'num.partitions=2',
      '--set',
      'default.replication.factor=3',
      '--bootstrap-server',
      cluster.bootstrap(),
    ]);
    expect(altered.code, altered.stderr).toBe(0);
    const perBroker = await runnel([
      'configs',
      'alter',
      '--broker',
      '2',
      '--set',
      'message.max.bytes=500000',
      '--bootstrap-server',
      cluster.bootstrap(),
    ]);
    expect(perBroker.code, perBroker.stderr).toBe(0);

    const client = await KafkaClient.connect({ bootstrap: cluster.bootstrap() });
    try {
      for (const id of [1, 2, 3]) {
        // Each broker learns the records from its own metadata stream.
        await waitFor(async () => (await sourceOn(client, id, 'num.partitions')).value === '2');
        expect(await sourceOn(client, id, 'num.partitions')).toEqual({
          value: '2',
          source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
        });
      }
      expect(await sourceOn(client, 2, 'message.max.bytes')).toEqual({
        value: '500000',
        source: 'DYNAMIC_BROKER_CONFIG',
      });
      expect(await sourceOn(client, 1, 'message.max.bytes')).toEqual({ value: '1048588', source: 'DEFAULT_CONFIG' });

      const [created] = await client.createTopics([{ name: 'cluster-defaults' }]);
      expect(created?.errorCode, created?.errorMessage ?? '').toBe(0);
      const metadata = await client.metadata(['cluster-defaults']);
      const partitions = metadata.topics[0]?.partitions ?? [];
      expect(partitions.length).toBe(2);
      for (const p of partitions) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    } finally {
      client.close();
    }

    await cluster.kill('controller', 1, 'SIGKILL');
    await cluster.kill('broker', 3, 'SIGKILL');
    await cluster.restart('controller', 1);
    // A broker started afresh has only what the restarted controller's log gives it.
    await cluster.restart('broker', 3);
    const after = await KafkaClient.connect({ bootstrap: cluster.bootstrap([3]) });
    try {
      await waitFor(async () => (await sourceOn(after, 3, 'num.partitions')).value === '2');
      expect(await sourceOn(after, 3, 'default.replication.factor')).toEqual({
        value: '3',
        source: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
      });
    } finally {
      after.close();
    }
  });
});
