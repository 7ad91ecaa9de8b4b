/**
 * DescribeLogDirs against a real `runnel dev` process: @platformatic/kafka's
 * admin.describeLogDirs (v4) sees the broker's one log dir with the
 * filesystem's sizes and every partition's size on disk; raw v1 (the
 * lowest) and v4 requests filter by partition and leave unknown ones out.
 * kafkajs 2.2.4 and confluent-kafka-python 1.7.0 have no describe-log-dirs call.
 */
import { Admin, Producer, stringSerializers } from '@platformatic/kafka';
import { ErrorCode } from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let dev: DevProcess;
let raw: ProtocolClient;

beforeAll(async () => {
  dev = await DevProcess.start();
  raw = await ProtocolClient.connect(dev.port);
  expect(await raw.createTopic('ld-two', 2)).toBe(ErrorCode.NONE);
  expect(await raw.createTopic('ld-empty', 1)).toBe(ErrorCode.NONE);
  const producer = new Producer({
    clientId: 'ld-producer',
    bootstrapBrokers: [dev.bootstrap],
    serializers: stringSerializers,
  });
  try {
    await producer.send({ messages: [{ topic: 'ld-two', partition: 1, value: 'x'.repeat(200) }] });
  } finally {
    await producer.close();
  }
});

afterAll(async () => {
  raw?.socket.close();
  await dev?.kill('SIGTERM');
});

describe('DescribeLogDirs', () => {
  it('@platformatic/kafka admin.describeLogDirs: one log dir, its filesystem sizes, partition sizes, no lag', async () => {
    const admin = new Admin({ clientId: 'ld-admin', bootstrapBrokers: [dev.bootstrap] });
    try {
      const [broker] = await admin.describeLogDirs({ topics: [{ name: 'ld-two', partitions: [0, 1] }] });
      const [dir] = broker?.results ?? [];
      expect(broker?.results.length).toBe(1);
      // The broker's data dir, inside the dev process's.
      expect(dir?.logDir.startsWith(dev.dataDir)).toBe(true);
      expect(dir?.totalBytes).toBeGreaterThan(0n);
      expect(dir?.usableBytes).toBeGreaterThan(0n);
      expect(dir?.usableBytes).toBeLessThanOrEqual(dir?.totalBytes ?? 0n);
      const partitions = dir?.topics.find((t) => t.name === 'ld-two')?.partitions ?? [];
      expect(partitions.map((p) => [p.partitionIndex, p.partitionSize > 0n, p.offsetLag, p.isFutureKey])).toEqual([
        [0, false, 0n, false],
        [1, true, 0n, false],
      ]);
    } finally {
      await admin.close();
    }
  });

  it('v1 with null topics lists every hosted partition; an unknown partition is left out', async () => {
    const all = await raw.request(35, 1, { topics: null });
    const names = all.results[0]?.topics.map((t) => `${t.name}:${t.partitions.map((p) => p.partitionIndex)}`);
    expect(names).toEqual(expect.arrayContaining(['ld-empty:0', 'ld-two:0,1']));
    const some = await raw.request(35, 4, {
      topics: [
        { topic: 'ld-two', partitions: [1, 7] },
        { topic: 'ld-nothing', partitions: [0] },
      ],
    });
    expect(some.errorCode).toBe(ErrorCode.NONE);
    expect(some.results[0]?.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)])).toEqual([
      ['ld-two', [1]],
    ]);
  });
});
