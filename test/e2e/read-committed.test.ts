/**
 * read_committed end to end: a combined node in this process (real sockets
 * and files). Two producers' hand-built transactional batches go in as
 * Produce v8; the transaction markers are written through the hosted
 * Partition as the (not yet wired) coordinator will. kafkajs consumers then
 * read: with readUncommitted false, nothing past the last stable offset
 * before the markers, and after them the committed records only (the
 * aborted ones skipped by the client from the broker's abortedTransactions);
 * with readUncommitted true, everything.
 */
import {
  type CreateTopicsRequest,
  ErrorCode,
  encodeRecordBatchSync,
  type FetchRequest,
  type ProduceRequest,
} from '@runnel/protocol';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'payments';
const markerAcks = { minInsyncReplicas: 1, timeoutMs: 5000 } as const;
let cluster: InProcessCluster | null = null;
let client: ProtocolClient | null = null;

afterEach(async () => {
  client?.close();
  await cluster?.stop();
  client = null;
  cluster = null;
});

function txnBatch(producerId: bigint, seq: number, ...values: string[]): Buffer {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    producerId,
    producerEpoch: 0,
    baseSequence: seq,
    transactional: true,
  });
}

async function produce(p: ProtocolClient, records: Buffer): Promise<void> {
  const request: ProduceRequest = {
    transactionalId: 'hand-built',
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  };
  const response = await p.request(0, 8, request);
  expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
}

/** One Fetch v11 of partition 0 from offset 0 with isolation_level 1 (read_committed). */
async function fetchCommitted(p: ProtocolClient) {
  const request: FetchRequest = {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 1,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic,
        partitions: [
          { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
  return (await p.request(1, 11, request)).responses[0]?.partitions[0];
}

function recordBytes(records: Buffer | readonly Buffer[] | null | undefined): number {
  if (records === null || records === undefined) return 0;
  return Buffer.isBuffer(records) ? records.length : records.reduce((n, b) => n + b.length, 0);
}

/** A fresh kafkajs consumer of `topic` from the start, once it has received `count` values. */
async function consume(
  bootstrap: string,
  readUncommitted: boolean,
  count: number,
): Promise<{ values: string[]; stop: () => Promise<void> }> {
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'rc', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `g-${readUncommitted}-${count}`, readUncommitted, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? '');
    },
  });
  await waitFor(() => values.length >= count, { what: `${count} values (readUncommitted ${readUncommitted})` });
  return { values, stop: () => consumer.disconnect() };
}

describe('read_committed over the wire with kafkajs', () => {
  it('before the markers read_committed sees nothing past the LSO; after them only committed records', async () => {
    // Hand-built transactions no coordinator knows: KIP-890 verification off.
    cluster = await startInProcess({ transactionPartitionVerificationEnable: false });
    client = await ProtocolClient.connect(cluster.broker.port);
    const create: CreateTopicsRequest = {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    };
    expect((await client.request(19, 4, create)).topics[0]?.errorCode).toBe(ErrorCode.NONE);
    const bootstrap = `127.0.0.1:${cluster.broker.port}`;

    // Producer 1 (to be aborted) and producer 2 (to be committed) interleave.
    await produce(client, txnBatch(1n, 0, 'abort-1', 'abort-2'));
    await produce(client, txnBatch(2n, 0, 'commit-1'));
    await produce(client, txnBatch(1n, 2, 'abort-3'));
    await produce(client, txnBatch(2n, 1, 'commit-2'));
    const partition = cluster.broker.hostedPartition(topic, 0);
    if (partition === undefined) throw new Error('the broker hosts the partition');
    expect(partition.highWatermark).toBe(5n);
    expect(partition.lastStableOffset).toBe(0n);

    const uncommitted = await consume(bootstrap, true, 5);
    expect(uncommitted.values).toEqual(['abort-1', 'abort-2', 'commit-1', 'abort-3', 'commit-2']);
    await uncommitted.stop();

    // A read_committed consumer that has caught up to the LSO (0) gets nothing: poll its position via ListOffsets.
    const lso = await client.request(2, 3, {
      replicaId: -1,
      isolationLevel: 1,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
    });
    expect(lso.topics[0]?.partitions[0]?.offset).toBe(0n);
    const early = await fetchCommitted(client);
    expect(early).toMatchObject({ highWatermark: 5n, lastStableOffset: 0n, abortedTransactions: [] });
    expect(recordBytes(early?.records)).toBe(0);

    expect(await partition.writeTxnMarker(1n, 0, 0, 'abort', markerAcks)).toMatchObject({ ok: true });
    expect(await partition.writeTxnMarker(2n, 0, 0, 'commit', markerAcks)).toMatchObject({ ok: true });
    await waitFor(() => partition.lastStableOffset === 7n, { what: 'the LSO to pass both markers' });
    // One more committed transaction after the markers, so the reader knows it has read past them.
    await produce(client, txnBatch(2n, 2, 'commit-3'));
    expect(await partition.writeTxnMarker(2n, 0, 0, 'commit', markerAcks)).toMatchObject({ ok: true });

    const after = await fetchCommitted(client);
    expect(after).toMatchObject({ lastStableOffset: 9n, abortedTransactions: [{ producerId: 1n, firstOffset: 0n }] });
    const committed = await consume(bootstrap, false, 3);
    expect(committed.values).toEqual(['commit-1', 'commit-2', 'commit-3']);
    await committed.stop();
  });
});
