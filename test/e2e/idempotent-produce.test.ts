/**
 * Idempotent produce end to end: a combined node (controller quorum and
 * broker in this process, real sockets and files) and hand-built v2 batches
 * of producer 1000 sent as Produce v8 over the wire, as an idempotent client
 * sends them once it has a producer id (InitProducerId is not needed for the
 * partition's checks). A resent batch gets its original offset and is
 * stored once; a gap gets OUT_OF_ORDER_SEQUENCE_NUMBER (45), an old epoch
 * INVALID_PRODUCER_EPOCH (47), both with an errorMessage; the broker
 * reports its producer ids as a gauge.
 */
import {
  type CreateTopicsRequest,
  decodeRecordBatchesSync,
  ErrorCode,
  encodeRecordBatchSync,
  type FetchRequest,
  type ProduceRequest,
  type ProduceResponse,
} from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

const produceVersion = 8;
let cluster: InProcessCluster | null = null;
let client: ProtocolClient | null = null;

afterEach(async () => {
  client?.close();
  await cluster?.stop();
  client = null;
  cluster = null;
});

async function start(): Promise<ProtocolClient> {
  cluster = await startInProcess();
  client = await ProtocolClient.connect(cluster.broker.port);
  const create: CreateTopicsRequest = {
    topics: [{ name: 'orders', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  };
  const created = await client.request(19, 4, create);
  expect(created.topics[0]?.errorCode).toBe(ErrorCode.NONE);
  return client;
}

/** A batch of producer 1000 as an idempotent client builds it: its records take sequences from `seq`. */
function batch(epoch: number, seq: number, ...values: string[]): Buffer {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    producerId: 1000n,
    producerEpoch: epoch,
    baseSequence: seq,
  });
}

async function produce(p: ProtocolClient, records: Buffer) {
  const request: ProduceRequest = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: 'orders', partitionData: [{ index: 0, records }] }],
  };
  const response: ProduceResponse = await p.request(0, produceVersion, request);
  return response.responses[0]?.partitionResponses[0];
}

async function storedValues(p: ProtocolClient): Promise<string[]> {
  const request: FetchRequest = {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [
      {
        topic: 'orders',
        partitions: [
          { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 },
        ],
      },
    ],
    forgottenTopicsData: [],
    rackId: '',
  };
  const response = await p.request(1, 11, request);
  const records = response.responses[0]?.partitions[0]?.records;
  const buf = Buffer.isBuffer(records) ? records : Buffer.concat(records ?? []);
  return decodeRecordBatchesSync(buf).flatMap((b) => b.records.map((r) => r.value?.toString() ?? ''));
}

describe('idempotent produce over the wire', () => {
  it('a resent batch is answered NONE with its original base offset and the log holds it once', async () => {
    const p = await start();
    expect(await produce(p, batch(0, 0, 'a', 'b'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(await produce(p, batch(0, 2, 'c'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2n });
    expect(await produce(p, batch(0, 0, 'a', 'b'))).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: 0n,
      errorMessage: null,
    });
    expect(await produce(p, batch(0, 3, 'd'))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3n });
    expect(await storedValues(p)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a sequence gap is answered OUT_OF_ORDER_SEQUENCE_NUMBER (45) with an errorMessage, and nothing is stored', async () => {
    const p = await start();
    await produce(p, batch(0, 0, 'a'));
    const gap = await produce(p, batch(0, 5, 'f'));
    expect(gap).toMatchObject({ errorCode: 45, baseOffset: -1n });
    expect(gap?.errorMessage).toMatch(/sequence 5/);
    expect(await storedValues(p)).toEqual(['a']);
  });

  it('an epoch older than the producer’s is answered INVALID_PRODUCER_EPOCH (47)', async () => {
    const p = await start();
    await produce(p, batch(1, 0, 'a'));
    const fenced = await produce(p, batch(0, 1, 'b'));
    expect(fenced).toMatchObject({ errorCode: 47 });
    expect(fenced?.errorMessage).toMatch(/epoch 0 .* older than its epoch 1/);
    expect(await storedValues(p)).toEqual(['a']);
  });

  it('the broker reports its producer ids as kafka_server_replicamanager_produceridcount', async () => {
    const p = await start();
    await produce(p, batch(0, 0, 'a'));
    const text = await (await fetch(`http://127.0.0.1:${cluster?.broker.httpPort}/metrics`)).text();
    expect(text).toMatch(/^kafka_server_replicamanager_produceridcount 1$/m);
  });
});
