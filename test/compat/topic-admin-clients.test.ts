/**
 * The topic admin APIs at Kafka 4.1's versions, through the real clients
 * against a `runnel dev` process whose num.partitions is 3: kafkajs and
 * confluent-kafka-python create topics without a partition count or
 * replication factor and get the broker's defaults, and delete them;
 * @platformatic/kafka (Metadata v12, CreateTopics v7, DeleteTopics v6)
 * sees each topic's id, a new one when a topic is re-created; kcat -L
 * (librdkafka's Metadata) lists the topics with their partitions.
 */
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat } from '../harness/kcat.ts';
import { PythonClient } from '../harness/python-client.ts';

const defaultPartitions = 3;
let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start({ args: ['--partitions', String(defaultPartitions)] });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('topic admin through real clients', () => {
  it('kafkajs createTopics without numPartitions or replicationFactor gets num.partitions and one replica', async () => {
    const admin = new Kafka({ brokers: [dev.bootstrap], clientId: 'defaults', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'kjs-defaults' }] })).toBe(true);
      const { topics } = await admin.fetchTopicMetadata({ topics: ['kjs-defaults'] });
      expect(topics[0]?.partitions.map((p) => p.replicas)).toEqual([[1], [1], [1]]);
      await admin.deleteTopics({ topics: ['kjs-defaults'] });
      expect(await admin.listTopics()).not.toContain('kjs-defaults');
    } finally {
      await admin.disconnect();
    }
  });

  it('confluent-kafka-python creates with -1 (broker defaults) and deletes', async () => {
    const python = new PythonClient('topic_admin.py', [dev.bootstrap, 'py-defaults']);
    expect(await python.exited, python.stderr).toBe(0);
    const events = python.events();
    expect(events.find((e) => e.event === 'created')).toEqual({ event: 'created', errors: { 'py-defaults': null } });
    expect(events.find((e) => e.event === 'described')).toEqual({
      event: 'described',
      error: null,
      partitions: [0, 1, 2].map((id) => ({ id, leader: 1, replicas: [1] })),
    });
    expect(events.find((e) => e.event === 'deleted')).toEqual({ event: 'deleted', errors: { 'py-defaults': null } });
    expect(events.find((e) => e.event === 'listed')?.topics).not.toContain('py-defaults');
  });

  it('@platformatic/kafka sees topic ids: the one CreateTopics returned, a new one after a re-create', async () => {
    const admin = new Admin({ clientId: 'plt-ids', bootstrapBrokers: [dev.bootstrap] });
    try {
      const [created] = await admin.createTopics({ topics: ['plt-ids'], partitions: 2, replicas: 1 });
      expect(created?.id).toMatch(uuid);
      expect(created).toMatchObject({ name: 'plt-ids', partitions: 2, replicas: 1 });
      const first = await admin.metadata({ topics: ['plt-ids'], forceUpdate: true });
      expect(first.topics.get('plt-ids')?.id).toBe(created?.id);
      expect(first.topics.get('plt-ids')?.partitions.map((p) => p.leaderEpoch)).toEqual([0, 0]);

      await admin.deleteTopics({ topics: ['plt-ids'] });
      const [again] = await admin.createTopics({ topics: ['plt-ids'], partitions: 1, replicas: 1 });
      expect(again?.id).toMatch(uuid);
      expect(again?.id).not.toBe(created?.id);
      const second = await admin.metadata({ topics: ['plt-ids'], forceUpdate: true });
      expect(second.topics.get('plt-ids')?.id).toBe(again?.id);
    } finally {
      await admin.close();
    }
  });

  it('kcat -L lists each topic with its partitions', async () => {
    const admin = new Kafka({ brokers: [dev.bootstrap], clientId: 'kcat-setup', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'kcat-listed', numPartitions: 2 }] });
    } finally {
      await admin.disconnect();
    }
    const listed = await kcat(['-L', '-J', '-b', dev.bootstrap, '-t', 'kcat-listed']);
    expect(listed.code, listed.stderr).toBe(0);
    const metadata = JSON.parse(listed.stdout.toString('utf8')) as {
      topics: { topic: string; partitions: { partition: number; leader: number }[] }[];
    };
    expect(metadata.topics.map((t) => [t.topic, t.partitions.map((p) => [p.partition, p.leader])])).toEqual([
      [
        'kcat-listed',
        [
          [0, 1],
          [1, 1],
        ],
      ],
    ]);
  });
});
