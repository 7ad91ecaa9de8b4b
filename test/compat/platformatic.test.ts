/**
 * @platformatic/kafka against a real `runnel dev` process. It uses the top
 * of every range we advertise (ApiVersions v3 flexible, Metadata v6,
 * Produce v11, ...): admin create/list/delete topics, produce, list
 * offsets; then kcat and `runnel consume` read what it wrote.
 */
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcatReadAll } from '../harness/kcat.ts';
import { runnel } from '../harness/runnel-cli.ts';

let dev: DevProcess;

beforeAll(async () => {
  dev = await DevProcess.start();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('@platformatic/kafka', () => {
  it('creates, lists and deletes topics', async () => {
    const admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers: [dev.bootstrap] });
    try {
      const created = await admin.createTopics({ topics: ['plt-admin'], partitions: 2, replicas: 1 });
      expect(created.map((t) => t.name)).toEqual(['plt-admin']);
      expect(await admin.listTopics()).toContain('plt-admin');
      await expect(admin.createTopics({ topics: ['plt-admin'], partitions: 1, replicas: 1 })).rejects.toThrow();
      await admin.deleteTopics({ topics: ['plt-admin'] });
      expect(await admin.listTopics()).not.toContain('plt-admin');
    } finally {
      await admin.close();
    }
  });

  it('produces records that kcat and runnel consume read back, and lists offsets', async () => {
    const topic = 'plt-produce';
    const admin = new Admin({ clientId: 'plt-admin', bootstrapBrokers: [dev.bootstrap] });
    const producer = new Producer({
      clientId: 'plt-producer',
      bootstrapBrokers: [dev.bootstrap],
      serializers: stringSerializers,
    });
    try {
      await admin.createTopics({ topics: [topic], partitions: 1, replicas: 1 });
      const messages = Array.from({ length: 300 }, (_, i) => ({
        topic,
        partition: 0,
        key: `k${i}`,
        value: `plt-${i}`,
        headers: new Map([['origin', 'platformatic']]),
      }));
      for (let i = 0; i < messages.length; i += 100) {
        const result = await producer.send({ messages: messages.slice(i, i + 100), acks: -1 });
        expect(result.offsets?.[0]?.offset).toBe(BigInt(i));
      }
      const listed = await admin.listOffsets({
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      });
      expect(listed[0]?.partitions[0]?.offset).toBe(300n);
      const earliest = await admin.listOffsets({
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -2n }] }],
      });
      expect(earliest[0]?.partitions[0]?.offset).toBe(0n);

      const read = await kcatReadAll({ bootstrap: dev.bootstrap, topic, format: '%k=%s;%h\n' });
      expect(read.code, read.stderr).toBe(0);
      expect(read.stdout.toString('utf8')).toBe(
        messages.map((m) => `${m.key}=${m.value};origin=platformatic\n`).join(''),
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
      await producer.close();
      await admin.close();
    }
  });
});
