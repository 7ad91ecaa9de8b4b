/**
 * kafkajs 2.2.4 against a real `runnel dev` process: admin create, list,
 * describe and delete topics, produce with keys and headers (plain and
 * gzip), list offsets (earliest, latest, by timestamp); then kcat and
 * `runnel consume` read what kafkajs wrote.
 */
import { CompressionTypes, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { runnel } from '../harness/runnel-cli.ts';

let dev: DevProcess;
let kafka: Kafka;

beforeAll(async () => {
  dev = await DevProcess.start();
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'kafkajs-compat', logLevel: logLevel.NOTHING });
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('kafkajs 2.2.4', () => {
  it('creates, lists, describes and deletes topics; a duplicate create fails with TOPIC_ALREADY_EXISTS', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(
        await admin.createTopics({
          topics: [
            { topic: 'kjs-admin', numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
          ],
        }),
      ).toBe(true);
      expect(await admin.listTopics()).toContain('kjs-admin');
      const metadata = await admin.fetchTopicMetadata({ topics: ['kjs-admin'] });
      expect(metadata.topics[0]?.partitions.length).toBe(3);
      const configs = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-admin' }],
        includeSynonyms: false,
      });
      const entries = configs.resources[0]?.configEntries ?? [];
      expect(entries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('3600000');
      expect(entries.find((e) => e.configName === 'cleanup.policy')?.configValue).toBe('delete');
      await expect(admin.createTopics({ topics: [{ topic: 'kjs-admin' }] })).resolves.toBe(false);
      await admin.deleteTopics({ topics: ['kjs-admin'] });
      expect(await admin.listTopics()).not.toContain('kjs-admin');
    } finally {
      await admin.disconnect();
    }
  });

  it('produces keyed records with headers that kcat and runnel consume read back, and lists their offsets', async () => {
    const topic = 'kjs-produce';
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
      const before = Date.now();
      const messages = Array.from({ length: 500 }, (_, i) => ({
        key: `k${i}`,
        value: `value-${i}`,
        headers: { source: 'kafkajs', seq: String(i) },
      }));
      await producer.send({ topic, acks: -1, messages: messages.slice(0, 250) });
      await producer.send({ topic, acks: 1, compression: CompressionTypes.GZIP, messages: messages.slice(250) });

      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets).toEqual([{ partition: 0, offset: '500', high: '500', low: '0' }]);
      const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, before - 60_000);
      expect(byTime).toEqual([{ partition: 0, offset: '0' }]);
      const future = await admin.fetchTopicOffsetsByTimestamp(topic, Date.now() + 3_600_000);
      expect(future[0]?.offset).toBe('500');

      const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic, format: '%k=%s;%h\n' });
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout.toString('utf8')).toBe(
        messages.map((m, i) => `${m.key}=${m.value};source=kafkajs,seq=${i}\n`).join(''),
      );

      const cli = await runnel([
        'consume',
        topic,
        '--bootstrap-server',
        dev.bootstrap,
        '--from-beginning',
        '--exit-at-end',
      ]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toBe(messages.map((m) => `${m.value}\n`).join(''));
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});
