/**
 * The transactional workload's read_committed reader against a real broker
 * (a combined node in this process): hand-built transactional batches of
 * two producers, interleaved, then markers written through the hosted
 * Partition as the coordinator will. Before the markers the reader gets
 * nothing past the last stable offset; after them, only the committed
 * producer's records, with the aborted ones and every control batch
 * dropped, and a position past the last marker. Also the value codec.
 */
import { KafkaClient } from '@runnel/client';
import { type CreateTopicsRequest, ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';
import { fetchCommitted } from './txn-reader.ts';
import { decodeTxnValue, encodeTxnValue } from './txn-values.ts';

const topic = 'txn-read';
let cluster: InProcessCluster | null = null;
let raw: ProtocolClient | null = null;
let client: KafkaClient | null = null;

afterEach(async () => {
  client?.close();
  raw?.close();
  await cluster?.stop();
  client = null;
  raw = null;
  cluster = null;
});

async function produceTxn(p: ProtocolClient, producerId: bigint, seq: number, ...values: string[]): Promise<void> {
  const records = encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    producerId,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  });
  const response = await p.request(0, 8, {
    transactionalId: 'hand-built',
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
}

describe('read_committed reader of the transactional workload', () => {
  it('returns nothing past the LSO, then only committed records, dropping aborted batches and markers', async () => {
    // Hand-built transactions no coordinator knows: KIP-890 verification off.
    cluster = await startInProcess({ transactionPartitionVerificationEnable: false });
    raw = await ProtocolClient.connect(cluster.broker.port);
    const create: CreateTopicsRequest = {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    };
    expect((await raw.request(19, 4, create)).topics[0]?.errorCode).toBe(ErrorCode.NONE);
    client = await KafkaClient.connect({
      bootstrap: `127.0.0.1:${cluster.broker.port}`,
      allowAutoTopicCreation: false,
    });

    // Producer 1 (to be aborted) and producer 2 (to be committed) interleave: offsets 0-1, 2, 3, 4.
    await produceTxn(raw, 1n, 0, '1', '2');
    await produceTxn(raw, 2n, 0, '3<1');
    await produceTxn(raw, 1n, 2, '4');
    await produceTxn(raw, 2n, 1, '5');
    const early = await fetchCommitted(client, topic, 0, 0n, 0);
    expect(early).toMatchObject({ records: [], next: 0n, lastStableOffset: 0n, highWatermark: 5n });

    const partition = cluster.broker.hostedPartition(topic, 0);
    if (partition === undefined) throw new Error('the broker hosts the partition');
    expect(await partition.writeTxnMarker(1n, 0, 0, 'abort', { minInsyncReplicas: 1, timeoutMs: 5_000 })).toMatchObject(
      { ok: true },
    );
    expect(
      await partition.writeTxnMarker(2n, 0, 0, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 }),
    ).toMatchObject({ ok: true });
    await waitFor(() => partition.lastStableOffset === 7n, { what: 'the LSO to pass both markers' });

    const after = await fetchCommitted(client, topic, 0, 0n, 0);
    expect(after.records.map((r) => [r.offset, decodeTxnValue(r.value)])).toEqual([
      [2n, { id: 3, source: 1 }],
      [4n, { id: 5 }],
    ]);
    expect(after.next).toBe(7n);
    // From the middle of the log, the aborted producer's later batch is still dropped.
    const middle = await fetchCommitted(client, topic, 0, 3n, 0);
    expect(middle.records.map((r) => r.offset)).toEqual([4n]);
  });

  it('values round-trip with and without a source, and anything else decodes to NaN', () => {
    expect(decodeTxnValue(Buffer.from(encodeTxnValue(12)))).toEqual({ id: 12 });
    expect(decodeTxnValue(Buffer.from(encodeTxnValue(12, 7)))).toEqual({ id: 12, source: 7 });
    expect(decodeTxnValue(null).id).toBeNaN();
    expect(decodeTxnValue(Buffer.from('')).id).toBeNaN();
    expect(decodeTxnValue(Buffer.from('x')).id).toBeNaN();
  });
});
