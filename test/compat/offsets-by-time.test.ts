/**
 * Seeking by time lands on the exact record (issue 14's "exact answers"):
 * kafkajs 2.2.4 produces records with rising timestamps in one batch per
 * send (plain and gzip), then kafkajs's offsetsForTimes (ListOffsets v3)
 * and kcat's `-o s@<time>` (librdkafka 2.0.2's offsets_for_times) must
 * answer the first record at or after the time, not the first offset of
 * its batch. Raw ListOffsets at every version 0-10 over one socket pins
 * v0's offset list (it used to close the connection), the per-version
 * answers and the special timestamps of v7-9, against a real `runnel dev`.
 */
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { kcat } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

const topic = 'by-time';
/** Record i has timestamp base + i s: 0-49 in one plain batch, 50-99 in one gzip batch. */
const base = 1_760_000_000_000;
const perSend = 50;

let dev: DevProcess;
let kafka: Kafka;

beforeAll(async () => {
  dev = await DevProcess.start();
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'offsets-by-time', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  for (const [first, compression] of [
    [0, CompressionTypes.None],
    [perSend, CompressionTypes.GZIP],
  ] as const) {
    const messages = Array.from({ length: perSend }, (_, i) => ({
      value: `r${first + i}`,
      timestamp: String(base + (first + i) * 1000),
    }));
    await producer.send({ topic, compression, messages });
  }
  await producer.disconnect();
});

afterAll(async () => {
  await dev?.kill('SIGTERM');
});

describe('offsets for times', () => {
  it.each([
    ['an exact timestamp inside the plain batch', base + 17_000, '17'],
    ['a time between two records of the plain batch', base + 16_500, '17'],
    ['a time inside the gzip batch', base + 75_200, '76'],
    ['the first record', base - 1, '0'],
  ])('kafkajs: %s', async (_what, timestamp, offset) => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsetsByTimestamp(topic, timestamp)).toEqual([{ partition: 0, offset }]);
    } finally {
      await admin.disconnect();
    }
  });

  it('kcat (librdkafka) starting at a time reads from that record on', async () => {
    const result = await kcat([
      ...['-C', '-b', dev.bootstrap, '-t', topic, '-p', '0', '-o', `s@${base + 42_500}`],
      ...['-c', '2', '-e', '-q', '-f', '%o %s\n'],
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.toString('utf8')).toBe('43 r43\n44 r44\n');
  });
});

describe('raw ListOffsets at every version', () => {
  let client: ProtocolClient;

  beforeAll(async () => {
    client = await ProtocolClient.connect(Number(dev.bootstrap.split(':')[1]));
  });

  afterAll(() => client?.close());

  const ask = async (version: number, timestamp: bigint, maxNumOffsets = 1) => {
    const response = await client.request(2, version, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp, maxNumOffsets, currentLeaderEpoch: -1 }] }],
      timeoutMs: 1000,
    });
    const partition = response.topics[0]?.partitions[0];
    if (partition === undefined) throw new Error('no partition in the answer');
    return partition;
  };

  it('v0 answers an offset list, newest first, on a connection that stays open', async () => {
    expect(await ask(0, -1n, 5)).toMatchObject({ errorCode: 0, oldStyleOffsets: [100n, 0n] });
    expect(await ask(0, -2n, 5)).toMatchObject({ errorCode: 0, oldStyleOffsets: [0n] });
    // The same connection answers the next request.
    expect(await ask(1, -1n)).toMatchObject({ errorCode: 0, offset: 100n });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])('v%i finds the exact record for a time', async (version) => {
    expect(await ask(version, BigInt(base + 17_000))).toMatchObject({
      errorCode: 0,
      offset: 17n,
      timestamp: BigInt(base + 17_000),
    });
  });

  it('v7+ -3 is the record with the largest timestamp, v8+ -4 the local log start, v9+ -5 no tiered offset', async () => {
    expect(await ask(7, -3n)).toMatchObject({ errorCode: 0, offset: 99n, timestamp: BigInt(base + 99_000) });
    expect(await ask(8, -4n)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await ask(9, -5n)).toMatchObject({ errorCode: 0, offset: -1n });
  });
});
