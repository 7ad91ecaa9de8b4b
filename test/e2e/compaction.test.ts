/**
 * Log compaction through the broker: a topic created with
 * cleanup.policy=compact keeps, in its closed segments, only the latest
 * record per key once the cleaner has run (on the retention timer), and a
 * consumer reading from the beginning still sees every key's latest value,
 * at its original offset, in offset order.
 */
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { kcat } from '../harness/kcat.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

let cluster: InProcessCluster;
let bootstrap: string;

beforeAll(async () => {
  cluster = await startInProcess({ logRetentionCheckIntervalMs: 100 });
  bootstrap = `127.0.0.1:${cluster.broker.port}`;
});

afterAll(async () => {
  await cluster?.stop();
});

interface Read {
  offset: number;
  key: string;
  value: string;
}

async function readAll(topic: string): Promise<Read[]> {
  const out = await kcat(['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%o %k %s\\n']);
  expect(out.code).toBe(0);
  return out.stdout
    .toString()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [offset, key, value] = l.split(' ');
      return { offset: Number(offset), key: key ?? '', value: value ?? '' };
    });
}

describe('log compaction', () => {
  it('keeps the latest value per key in closed segments, at the original offsets', async () => {
    const topic = 'compacted';
    const admin = new Kafka({ brokers: [bootstrap], clientId: 'compaction', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'segment.bytes', value: '2048' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
              { name: 'delete.retention.ms', value: '0' },
            ],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const rounds = 40;
    const keys = 5;
    // One kcat run per round: separate batches, so segments roll as they fill.
    for (let round = 0; round < rounds; round++) {
      const lines = Array.from({ length: keys }, (_, k) => `k${k}:r${round}`).join('\n');
      const produced = await kcat(['-b', bootstrap, '-P', '-t', topic, '-K', ':'], `${lines}\n`);
      expect(produced.code).toBe(0);
    }
    const total = rounds * keys;
    // One partition, lines produced in order: round r, key k landed at offset r * keys + k.
    const original = new Map<number, Read>();
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < keys; k++)
        original.set(round * keys + k, { offset: round * keys + k, key: `k${k}`, value: `r${round}` });
    }

    const after = await waitFor(
      async () => {
        const read = await readAll(topic);
        return read.length < total / 2 ? read : undefined;
      },
      { what: 'the cleaner to drop superseded records', timeoutMs: 30_000 },
    );
    // Offsets only increase, and every surviving record is the one originally at that offset.
    for (let i = 1; i < after.length; i++) expect(after[i]?.offset).toBeGreaterThan(after[i - 1]?.offset ?? -1);
    for (const r of after) expect(original.get(r.offset)).toEqual(r);
    // The last records (the active segment) are all still there, the very last one included.
    expect(after.at(-1)?.offset).toBe(total - 1);
    // Every key's latest value survives, and it is the last one read for that key.
    for (let k = 0; k < keys; k++) {
      const values = after.filter((r) => r.key === `k${k}`).map((r) => r.value);
      expect(values.at(-1)).toBe(`r${rounds - 1}`);
    }
  });

  it('refuses a record without a key on a compacted topic with INVALID_RECORD, and keyed ones still go in', async () => {
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'keyless', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        topics: [{ topic: 'keyless', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      await expect(producer.send({ topic: 'keyless', messages: [{ value: 'no key' }] })).rejects.toMatchObject({
        type: 'INVALID_RECORD',
      });
      const ok = await producer.send({ topic: 'keyless', messages: [{ key: 'k', value: 'keyed' }] });
      expect(ok[0]?.baseOffset).toBe('0');
    } finally {
      await producer.disconnect();
    }
  });

  it('refuses client creation of and writes to __consumer_offsets', async () => {
    const kafka = new Kafka({ brokers: [bootstrap], clientId: 'internal', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await expect(admin.createTopics({ topics: [{ topic: '__consumer_offsets' }] })).rejects.toMatchObject({
        errors: [expect.objectContaining({ type: 'INVALID_REQUEST' })],
      });
    } finally {
      await admin.disconnect();
    }
    // Straight to the wire: a client would first look the topic up, and Metadata does not create it.
    const client = await ProtocolClient.connect(cluster.broker.port);
    try {
      const records = encodeRecordBatchSync({
        records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: [] }],
      });
      const response = await client.request(0, 7, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: '__consumer_offsets', partitionData: [{ index: 0, records }] }],
      });
      expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    } finally {
      client.close();
    }
  });
});
