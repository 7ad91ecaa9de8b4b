/**
 * DeleteRecords from real clients against a real `runnel dev` process:
 * kafkajs 2.2.4's admin.deleteTopicRecords and @platformatic/kafka's
 * admin.deleteRecords move the log start (earliest offset, what a consumer
 * from the beginning reads first), and each refusal comes back with
 * Kafka's error code, at v0 and at v2 (flexible). confluent-kafka-python
 * 1.7.0 (Debian's) has no delete_records.
 */
import { Admin } from '@platformatic/kafka';
import { ErrorCode } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevProcess } from '../harness/dev-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

let dev: DevProcess;
let kafka: Kafka;
let raw: ProtocolClient;

beforeAll(async () => {
  dev = await DevProcess.start();
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'delete-records', logLevel: logLevel.NOTHING });
  raw = await ProtocolClient.connect(dev.port);
});

afterAll(async () => {
  raw?.socket.close();
  await dev?.kill('SIGTERM');
});

async function topicWithRecords(topic: string, count: number, configs: Record<string, string> = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        { topic, numPartitions: 1, configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) },
      ],
      waitForLeaders: true,
    });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  await producer.connect();
  try {
    // Several batches, so a deletion may fall inside one.
    for (let i = 0; i < count; i += 5) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: 5 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}`, partition: 0 })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The first record a new consumer reading from the beginning gets. */
async function firstConsumedOffset(topic: string): Promise<string> {
  const consumer = kafka.consumer({ groupId: `first-${topic}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    return await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.offset) });
    });
  } finally {
    await consumer.disconnect();
  }
}

describe('kafkajs 2.2.4 admin.deleteTopicRecords', () => {
  it('moves the earliest offset, and a consumer from the beginning starts there (inside a batch)', async () => {
    await topicWithRecords('dr-kafkajs', 20);
    const admin = kafka.admin();
    await admin.connect();
    try {
      // kafkajs finds partition leaders only in topic metadata its admin has loaded.
      await admin.fetchTopicMetadata({ topics: ['dr-kafkajs'] });
      await admin.deleteTopicRecords({ topic: 'dr-kafkajs', partitions: [{ partition: 0, offset: '7' }] });
      const offsets = await admin.fetchTopicOffsets('dr-kafkajs');
      expect(offsets).toEqual([{ partition: 0, offset: '20', high: '20', low: '7' }]);
    } finally {
      await admin.disconnect();
    }
    expect(await firstConsumedOffset('dr-kafkajs')).toBe('7');
  });

  it('offset -1 deletes everything up to the high watermark', async () => {
    await topicWithRecords('dr-kafkajs-all', 10);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: ['dr-kafkajs-all'] });
      await admin.deleteTopicRecords({ topic: 'dr-kafkajs-all', partitions: [{ partition: 0, offset: '-1' }] });
      expect(await admin.fetchTopicOffsets('dr-kafkajs-all')).toEqual([
        { partition: 0, offset: '10', high: '10', low: '10' },
      ]);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('@platformatic/kafka admin.deleteRecords', () => {
  it('answers with the new low watermark', async () => {
    await topicWithRecords('dr-platformatic', 10);
    const admin = new Admin({ clientId: 'dr-platformatic', bootstrapBrokers: [dev.bootstrap] });
    try {
      const result = await admin.deleteRecords({
        topics: [{ name: 'dr-platformatic', partitions: [{ partition: 0, offset: 4n }] }],
      });
      expect(result).toEqual([{ name: 'dr-platformatic', partitions: [{ partition: 0, lowWatermark: 4n }] }]);
    } finally {
      await admin.close();
    }
  });
});

describe('DeleteRecords refusals on the wire', () => {
  async function deleteAt(version: number, topic: string, partitionIndex: number, offset: bigint) {
    const response = await raw.request(21, version, {
      topics: [{ name: topic, partitions: [{ partitionIndex, offset }] }],
      timeoutMs: 5000,
    });
    return response.topics[0]?.partitions[0];
  }

  it.each([0, 2])('v%i: past the high watermark is OFFSET_OUT_OF_RANGE and moves nothing', async (version) => {
    await topicWithRecords(`dr-range-v${version}`, 5);
    expect(await deleteAt(version, `dr-range-v${version}`, 0, 6n)).toEqual({
      partitionIndex: 0,
      lowWatermark: -1n,
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
    });
    expect(await deleteAt(version, `dr-range-v${version}`, 0, 5n)).toEqual({
      partitionIndex: 0,
      lowWatermark: 5n,
      errorCode: ErrorCode.NONE,
    });
  });

  it('an unknown topic or partition is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    expect((await deleteAt(2, 'dr-nothing-here', 0, 1n))?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await topicWithRecords('dr-one-partition', 1);
    expect((await deleteAt(2, 'dr-one-partition', 3, 1n))?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('a compact-only topic is POLICY_VIOLATION; compact,delete may be deleted from', async () => {
    await topicWithRecords('dr-compact', 5, { 'cleanup.policy': 'compact' });
    expect((await deleteAt(2, 'dr-compact', 0, 2n))?.errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    await topicWithRecords('dr-compact-delete', 5, { 'cleanup.policy': 'compact,delete' });
    expect((await deleteAt(2, 'dr-compact-delete', 0, 2n))?.errorCode).toBe(ErrorCode.NONE);
  });

  it('an internal topic is INVALID_TOPIC_EXCEPTION', async () => {
    expect((await deleteAt(2, '__consumer_offsets', 0, 0n))?.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
  });
});
