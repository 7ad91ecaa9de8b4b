/**
 * @runnel/client against a real in-process broker. These live in the cli
 * package because the dependency rule keeps client (and its tests) from
 * importing the broker; cli may use both.
 */
import { type ConsumedRecord, KafkaClient } from '@runnel/client';
import {
  type CompressionCodec,
  decodeRecordBatches,
  ErrorCode,
  encodeRecordBatch,
  type KafkaRecord,
} from '@runnel/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestCluster, type TestCluster } from './dev-cluster.ts';

let cluster: TestCluster;
let client: KafkaClient;

beforeAll(async () => {
  cluster = await startTestCluster();
  client = await KafkaClient.connect({ bootstrap: cluster.bootstrap, clientId: 'client-test' });
});

afterAll(async () => {
  client?.close();
  await cluster?.stop();
});

async function createTopic(name: string, numPartitions = 1): Promise<void> {
  const [result] = await client.createTopics([{ name, numPartitions, replicationFactor: 1 }]);
  expect(result).toMatchObject({ name, errorCode: ErrorCode.NONE });
}

async function readAll(topic: string, partition = 0): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = [];
  for await (const record of client.consume(topic, partition, { from: 'earliest', stopAtEnd: true })) out.push(record);
  return out;
}

function records(prefix: string, n: number): KafkaRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`${prefix}-${i}`),
    headers: [{ key: 'h', value: Buffer.from(String(i)) }],
  }));
}

describe('KafkaClient against runnel dev', () => {
  it('metadata lists the broker and, after createTopics, every partition with its leader, replicas and ISR', async () => {
    await createTopic('meta-topic', 3);
    const metadata = await client.metadata(['meta-topic']);
    expect(metadata.brokers).toEqual([
      { nodeId: expect.any(Number), host: '127.0.0.1', port: cluster.port, rack: null },
    ]);
    const nodeId = metadata.brokers[0]?.nodeId;
    const [topic] = metadata.topics;
    expect(topic?.errorCode).toBe(ErrorCode.NONE);
    expect(topic?.partitions.map((p) => [p.partition, p.leader, p.replicas, p.isr])).toEqual([
      [0, nodeId, [nodeId], [nodeId]],
      [1, nodeId, [nodeId], [nodeId]],
      [2, nodeId, [nodeId], [nodeId]],
    ]);
    const all = await client.metadata(null);
    expect(all.topics.map((t) => t.name)).toContain('meta-topic');
  });

  it('createTopics returns TOPIC_ALREADY_EXISTS and INVALID_TOPIC_EXCEPTION as per-topic data', async () => {
    await createTopic('dup-topic');
    const results = await client.createTopics([{ name: 'dup-topic' }, { name: 'bad/name' }, { name: 'x'.repeat(250) }]);
    expect(results.map((r) => [r.name.slice(0, 10), r.errorName])).toEqual([
      ['dup-topic', 'TOPIC_ALREADY_EXISTS'],
      ['bad/name', 'INVALID_TOPIC_EXCEPTION'],
      ['x'.repeat(10), 'INVALID_TOPIC_EXCEPTION'],
    ]);
  });

  it('deleteTopics removes a topic; deleting an unknown one returns UNKNOWN_TOPIC_OR_PARTITION', async () => {
    await createTopic('doomed');
    const [deleted] = await client.deleteTopics(['doomed']);
    expect(deleted).toMatchObject({ name: 'doomed', errorCode: ErrorCode.NONE });
    const after = await client.metadata(['doomed']);
    expect(after.topics[0]?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const [missing] = await client.deleteTopics(['never-existed']);
    expect(missing?.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('describeConfigs reports a topic override with source DYNAMIC_TOPIC_CONFIG', async () => {
    const [created] = await client.createTopics([{ name: 'configured', configs: { 'retention.ms': '12345' } }]);
    expect(created?.errorCode).toBe(ErrorCode.NONE);
    const [result] = await client.describeConfigs([{ type: 'topic', name: 'configured' }]);
    expect(result?.errorCode).toBe(ErrorCode.NONE);
    expect(result?.configs.find((c) => c.name === 'retention.ms')).toMatchObject({ value: '12345', source: 1 });
  });

  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const satisfies readonly CompressionCodec[]) {
    it(`produce with ${compression} at acks 1 and -1 reads back the same keys, values and headers`, async () => {
      const topic = `codec-${compression}`;
      await createTopic(topic);
      const first = await client.produce(topic, 0, records('a', 10), { acks: 1, compression });
      const second = await client.produce(topic, 0, records('b', 5), { acks: -1, compression });
      expect(first.baseOffset).toBe(0n);
      expect(second.baseOffset).toBe(10n);
      const fetched = await client.fetch(topic, 0, 0n);
      expect(fetched).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 15n, logStartOffset: 0n });
      const batches = await decodeRecordBatches(fetched.records);
      expect(batches.map((b) => b.compression)).toEqual([compression, compression]);
      const got = batches.flatMap((b) => b.records);
      const want = [...records('a', 10), ...records('b', 5)];
      expect(got.map((r) => r.offset)).toEqual(want.map((_, i) => BigInt(i)));
      expect(got.map((r) => [r.key?.toString(), r.value?.toString(), r.headers[0]?.value?.toString()])).toEqual(
        want.map((r) => [r.key?.toString(), r.value?.toString(), r.headers?.[0]?.value?.toString()]),
      );
    });
  }

  it('produce with acks=0 gets no response but the records arrive', async () => {
    await createTopic('acks-zero');
    const result = await client.produce('acks-zero', 0, records('z', 3), { acks: 0 });
    expect(result.baseOffset).toBe(-1n);
    await eventually(
      () => client.listOffsets('acks-zero', 0, -1n),
      (o) => o.offset === 3n,
    );
    expect((await readAll('acks-zero')).map((r) => r.value?.toString())).toEqual(['z-0', 'z-1', 'z-2']);
  });

  it('produce to a partition that does not exist throws KafkaError UNKNOWN_TOPIC_OR_PARTITION after retries', async () => {
    await createTopic('one-partition');
    const quick = await KafkaClient.connect({ bootstrap: cluster.bootstrap, retries: 2, retryBackoffMs: 1 });
    try {
      await expect(quick.produce('one-partition', 7, records('x', 1), { acks: 1 })).rejects.toMatchObject({
        name: 'KafkaError',
        errorName: 'UNKNOWN_TOPIC_OR_PARTITION',
      });
    } finally {
      quick.close();
    }
  });

  it('listOffsets finds earliest, latest and the first offset at or after a timestamp', async () => {
    await createTopic('timed');
    for (const [i, ts] of [1000n, 2000n, 3000n].entries()) {
      const batch = await encodeRecordBatch({
        records: [{ key: null, value: Buffer.from(`t${i}`) }],
        baseTimestamp: ts,
      });
      await client.produce('timed', 0, batch, { acks: -1 });
    }
    expect((await client.listOffsets('timed', 0, -2n)).offset).toBe(0n);
    expect((await client.listOffsets('timed', 0, -1n)).offset).toBe(3n);
    expect(await client.listOffsets('timed', 0, 1500n)).toEqual({ offset: 1n, timestamp: 2000n });
    expect(await client.listOffsets('timed', 0, 3000n)).toEqual({ offset: 2n, timestamp: 3000n });
    expect((await client.listOffsets('timed', 0, 9000n)).offset).toBe(-1n);
  });

  it('a long-poll fetch at the log end waits, then wakes up with the record when one is produced', {
    timeout: 20_000,
  }, async () => {
    await createTopic('long-poll');
    let settled = false;
    // maxWaitMs beyond the test timeout: if produce does not wake the fetch, the test fails by timing out.
    const pending = client.fetch('long-poll', 0, 0n, { maxWaitMs: 50_000, minBytes: 1 }).finally(() => {
      settled = true;
    });
    // Wait until the broker has parked the fetch; only then produce, so the produce is what wakes it.
    await eventually(
      () => cluster.parkedFetches(),
      (n) => n === 1,
    );
    expect(settled).toBe(false);
    await client.produce('long-poll', 0, [{ key: null, value: Buffer.from('wake') }], { acks: 1 });
    const fetched = await pending;
    const [batch] = await decodeRecordBatches(fetched.records);
    expect(batch?.records[0]?.value?.toString()).toBe('wake');
  });

  it('consume from an offset inside a batch starts exactly there and stops at the high watermark', async () => {
    await createTopic('consume-mid');
    await client.produce('consume-mid', 0, records('m', 10), { acks: 1 });
    const got: bigint[] = [];
    for await (const r of client.consume('consume-mid', 0, { from: 4n, stopAtEnd: true })) got.push(r.offset);
    expect(got).toEqual([4n, 5n, 6n, 7n, 8n, 9n]);
    const empty: ConsumedRecord[] = [];
    for await (const r of client.consume('consume-mid', 0, { from: 'latest', stopAtEnd: true })) empty.push(r);
    expect(empty).toEqual([]);
  });

  it('fetch beyond the log end returns OFFSET_OUT_OF_RANGE as data', async () => {
    await createTopic('out-of-range');
    const fetched = await client.fetch('out-of-range', 0, 42n);
    expect(fetched.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('many pipelined produces on one connection all succeed with distinct, contiguous offsets', async () => {
    await createTopic('pipelined');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.produce('pipelined', 0, [{ key: null, value: Buffer.from(String(i)) }], { acks: 1 }),
      ),
    );
    expect(results.map((r) => r.baseOffset).sort((a, b) => (a < b ? -1 : 1))).toEqual(
      Array.from({ length: 200 }, (_, i) => BigInt(i)),
    );
  });
});
