/**
 * `runnel dev` is combined mode: a one-voter controller quorum and a broker
 * in one process. Its /metrics shows the active controller and a Raft term;
 * kill -9 and a restart on the same data directory keep topics (with their
 * partitions and configs), records, committed group offsets and the cluster
 * id; a clean stop (SIGTERM) and a restart register again on the first try.
 * A real `runnel dev` process and kafkajs.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { waitFor } from '../harness/wait.ts';

let dev: DevProcess | undefined;

afterAll(async () => {
  await dev?.kill('SIGKILL');
});

async function metric(httpPort: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

function kafkaOf(d: DevProcess): Kafka {
  return new Kafka({ brokers: [d.bootstrap], clientId: 'dev-restart', logLevel: logLevel.NOTHING });
}

describe('runnel dev (combined mode)', () => {
  it('serves the controller metrics, and kill -9 keeps topics, records, group offsets and the cluster id', async () => {
    dev = await DevProcess.start();
    expect(await metric(dev.httpPort, 'kafka_controller_kafkacontroller_activecontrollercount')).toBe(1);
    expect(await metric(dev.httpPort, 'runnel_raft_term')).toBeGreaterThanOrEqual(1);

    const kafka = kafkaOf(dev);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: 'kept', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '86400000' }] }],
    });
    const clusterId = (await admin.describeCluster()).clusterId;
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 3 }));
    await producer.send({ topic: 'kept', acks: -1, messages });
    await producer.disconnect();
    const committed = [
      { partition: 0, offset: '4' },
      { partition: 1, offset: '7' },
      { partition: 2, offset: '10' },
    ];
    await admin.setOffsets({ groupId: 'kept-group', topic: 'kept', partitions: committed });
    await admin.disconnect();

    await dev.kill('SIGKILL');
    await dev.restart();

    const after = kafkaOf(dev).admin();
    await after.connect();
    try {
      expect((await after.describeCluster()).clusterId).toBe(clusterId);
      const metadata = await after.fetchTopicMetadata({ topics: ['kept'] });
      expect(metadata.topics[0]?.partitions).toHaveLength(3);
      const configs = await after.describeConfigs({
        resources: [{ type: 2, name: 'kept', configNames: ['retention.ms'] }],
        includeSynonyms: false,
      });
      expect(configs.resources[0]?.configEntries[0]).toMatchObject({
        configName: 'retention.ms',
        configValue: '86400000',
      });
      const offsets = await waitFor(
        async () => {
          const fetched = await after.fetchOffsets({ groupId: 'kept-group', topics: ['kept'] }).catch(() => undefined);
          return fetched?.[0]?.partitions;
        },
        { what: 'the group coordinator loaded after the restart' },
      );
      expect([...offsets].sort((a, b) => a.partition - b.partition).map((p) => p.offset)).toEqual(['4', '7', '10']);
      const ends = await after.fetchTopicOffsets('kept');
      expect([...ends].sort((a, b) => a.partition - b.partition).map((p) => p.high)).toEqual(['10', '10', '10']);
    } finally {
      await after.disconnect();
    }

    const consumer = kafkaOf(dev).consumer({ groupId: 'reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'kept', fromBeginning: true });
    const seen = new Set<string>();
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.add(message.value?.toString() ?? '');
      },
    });
    await waitFor(() => seen.size === 30, { timeoutMs: 30_000, what: 'all 30 records read back' });
    await consumer.disconnect();
    expect([...seen].sort()).toEqual(messages.map((m) => m.value).sort());
  });

  it('after SIGTERM a restart registers on its first try, leads every partition again and keeps the records', async () => {
    await dev?.kill('SIGKILL');
    dev = await DevProcess.start();
    const kafka = kafkaOf(dev);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'clean', numPartitions: 2 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'clean',
      acks: -1,
      messages: [0, 1, 2, 3].map((i) => ({ value: `v${i}`, partition: i % 2 })),
    });
    await producer.disconnect();
    await admin.disconnect();

    expect(await dev.kill('SIGTERM')).toBe(0);
    await dev.restart();
    await dev.waitForLog((l) => l.msg === 'registered with the controller', 'registration');
    // The stopped incarnation was fenced and told to exit, so no session of it is left to wait out.
    expect(dev.logs.filter((l) => String(l.msg).startsWith('registration refused'))).toEqual([]);
    const after = kafkaOf(dev).admin();
    await after.connect();
    try {
      const leaders = await waitFor(
        async () => {
          const metadata = await after.fetchTopicMetadata({ topics: ['clean'] }).catch(() => undefined);
          const partitions = metadata?.topics[0]?.partitions ?? [];
          return partitions.length === 2 && partitions.every((p) => p.leader >= 0) && partitions;
        },
        { what: 'both partitions led after the restart' },
      );
      expect(leaders.map((p) => p.leader)).toEqual([1, 1]);
      const ends = await after.fetchTopicOffsets('clean');
      expect([...ends].sort((a, b) => a.partition - b.partition).map((p) => p.high)).toEqual(['2', '2']);
    } finally {
      await after.disconnect();
    }
  });
});
