/**
 * The fault proxy's request replay against a real broker (a combined node
 * in this process, real sockets).
 *
 * Produce: an idempotent producer's old Produce, captured on its way
 * through the proxy and sent again later on a new connection, is answered
 * as the duplicate it is (its original offset) and appends nothing; one
 * older than the five batches a producer's state remembers is refused as
 * out of order and appends nothing.
 *
 * EndTxn — why the `replay-end-txn` fault is not in the passing fault set
 * (README "What the runs found"): with transaction version 1, which every
 * client this repository drives speaks, EndTxn names the transactional id,
 * the producer id, the epoch and commit-or-abort, nothing that says which
 * transaction. An old EndTxn(commit) replayed while its producer runs the
 * next transaction (same id and epoch) is that transaction's own commit as
 * far as any coordinator can tell: Runnel commits it, as Kafka's
 * coordinator does for EndTxn v0-4. KIP-890 part 2 (a new epoch for every
 * transaction, EndTxn v5) is what fences it. The test pins this down, so
 * the README's claim fails when it stops being true.
 */
import { type CreateTopicsRequest, decodeResponseFrame, ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeys, FaultProxy } from '../harness/fault-proxy.ts';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'replayed';
const transactionalId = 'tx-replayed';
let cluster: InProcessCluster | null = null;
let proxy: FaultProxy | null = null;
let client: ProtocolClient | null = null;

afterEach(async () => {
  client?.close();
  await proxy?.close();
  await cluster?.stop();
  client = null;
  proxy = null;
  cluster = null;
});

async function createTopic(p: ProtocolClient): Promise<void> {
  const create: CreateTopicsRequest = {
    topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
    timeoutMs: 5000,
    validateOnly: false,
  };
  expect((await p.request(19, 4, create)).topics[0]?.errorCode).toBe(ErrorCode.NONE);
}

async function produce(p: ProtocolClient, producerId: bigint, epoch: number, seq: number, value: string) {
  const records = encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from(value) }],
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
  });
  const response = await p.request(0, 8, {
    transactionalId: null,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return response.responses[0]?.partitionResponses[0];
}

/** The (error code, base offset) of a replayed Produce v8's answer. */
function produceAnswer(frame: Buffer | null): { errorCode: number; baseOffset: bigint } | undefined {
  if (frame === null) return undefined;
  const decoded = decodeResponseFrame(ApiKeys.produce, 8, frame.subarray(4));
  const body = decoded.body as { responses: { partitionResponses: { errorCode: number; baseOffset: bigint }[] }[] };
  const answer = body.responses[0]?.partitionResponses[0];
  return answer === undefined ? undefined : { errorCode: answer.errorCode, baseOffset: answer.baseOffset };
}

describe('replaying old Produce requests through the fault proxy', () => {
  it('an old idempotent Produce replayed on a new connection answers its original offset and appends nothing; one past the last five is refused as out of order', async () => {
    cluster = await startInProcess();
    proxy = await FaultProxy.start({ name: 'kafka', target: { host: '127.0.0.1', port: cluster.broker.port } });
    client = await ProtocolClient.connect(proxy.port);
    await createTopic(client);
    const init = await client.request(22, 4, {
      transactionalId: null,
      transactionTimeoutMs: 60_000,
      producerId: -1n,
      producerEpoch: -1,
    });
    expect(init.errorCode).toBe(ErrorCode.NONE);

    proxy.captureRequests([ApiKeys.produce]);
    expect(await produce(client, init.producerId, init.producerEpoch, 0, 'v0')).toMatchObject({
      errorCode: ErrorCode.NONE,
      baseOffset: 0n,
    });
    expect(await produce(client, init.producerId, init.producerEpoch, 1, 'v1')).toMatchObject({ baseOffset: 1n });
    const [first] = proxy.capturedRequests;
    if (first === undefined) throw new Error('the first Produce was captured');
    const partition = cluster.broker.hostedPartition(topic, 0);
    if (partition === undefined) throw new Error('the broker hosts the partition');

    expect(produceAnswer(await proxy.replay(first))).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0n });
    expect(partition.highWatermark).toBe(2n);

    // Five more batches push sequence 0 out of the producer state's window of five.
    for (let seq = 2; seq <= 6; seq++) await produce(client, init.producerId, init.producerEpoch, seq, `v${seq}`);
    expect(partition.highWatermark).toBe(7n);
    expect(produceAnswer(await proxy.replay(first))?.errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(partition.highWatermark).toBe(7n);
  });
});

interface Producer {
  producerId: bigint;
  producerEpoch: number;
}

async function initProducer(p: ProtocolClient): Promise<Producer> {
  // The first FindCoordinator creates __transaction_state; the coordinator then loads.
  return waitFor(
    async () => {
      await p.request(10, 2, { key: transactionalId, keyType: 1 });
      const init = await p.request(22, 4, {
        transactionalId,
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      });
      return init.errorCode === ErrorCode.NONE
        ? { producerId: init.producerId, producerEpoch: init.producerEpoch }
        : undefined;
    },
    { what: 'InitProducerId from a loaded transaction coordinator' },
  );
}

/** AddPartitionsToTxn v3 for partition 0; retried while the previous transaction's markers are written. */
async function addPartition(p: ProtocolClient, producer: Producer): Promise<void> {
  const code = await waitFor(
    async () => {
      const response = await p.request(24, 3, {
        v3AndBelowTransactionalId: transactionalId,
        v3AndBelowProducerId: producer.producerId,
        v3AndBelowProducerEpoch: producer.producerEpoch,
        v3AndBelowTopics: [{ name: topic, partitions: [0] }],
      });
      const errorCode = response.resultsByTopicV3AndBelow?.[0]?.resultsByPartition[0]?.partitionErrorCode;
      return errorCode === ErrorCode.CONCURRENT_TRANSACTIONS ? undefined : errorCode;
    },
    { what: 'AddPartitionsToTxn answered' },
  );
  expect(code).toBe(ErrorCode.NONE);
}

async function send(
  p: ProtocolClient,
  producer: Producer,
  seq: number,
  value: string,
  produceVersion: 8 | 12 = 8,
): Promise<void> {
  const records = encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from(value) }],
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    baseSequence: seq,
    transactional: true,
  });
  const response = await p.request(0, produceVersion, {
    transactionalId,
    acks: -1,
    timeoutMs: 5000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  expect(response.responses[0]?.partitionResponses[0]?.errorCode).toBe(ErrorCode.NONE);
}

async function endTxn(p: ProtocolClient, producer: Producer, committed: boolean): Promise<number> {
  const response = await p.request(26, 3, { transactionalId, ...producer, committed });
  return response.errorCode;
}

describe('an old EndTxn replayed on a new connection (transaction version 1)', () => {
  it('commits the producer’s next, still open transaction: nothing in EndTxn v0-4 tells the two apart', async () => {
    cluster = await startInProcess();
    proxy = await FaultProxy.start({ name: 'kafka', target: { host: '127.0.0.1', port: cluster.broker.port } });
    client = await ProtocolClient.connect(proxy.port);
    await createTopic(client);
    const producer = await initProducer(client);
    const partition = cluster.broker.hostedPartition(topic, 0);
    if (partition === undefined) throw new Error('the broker hosts the partition');

    // Transaction 1: one record, committed; its EndTxn is captured on the way.
    await addPartition(client, producer);
    await send(client, producer, 0, 't1');
    proxy.captureRequests([ApiKeys.endTxn]);
    expect(await endTxn(client, producer, true)).toBe(ErrorCode.NONE);
    const [oldCommit] = proxy.capturedRequests;
    if (oldCommit === undefined) throw new Error('the EndTxn was captured');
    await waitFor(() => partition.lastStableOffset === partition.highWatermark && partition.highWatermark === 2n, {
      what: 'transaction 1 committed (record and marker)',
    });

    // Transaction 2: one record, open; its producer has not asked for anything yet.
    await addPartition(client, producer);
    await send(client, producer, 1, 't2');
    expect(partition.lastStableOffset).toBe(2n);

    const answer = await proxy.replay(oldCommit);
    if (answer === null) throw new Error('the replayed EndTxn was answered');
    expect(decodeResponseFrame(ApiKeys.endTxn, 3, answer.subarray(4)).body).toMatchObject({
      errorCode: ErrorCode.NONE,
    });
    // Transaction 2 is committed: its COMMIT marker follows its record and the LSO passes it.
    await waitFor(() => partition.lastStableOffset === 4n, { what: 'transaction 2 committed by the replay' });
    expect(partition.highWatermark).toBe(4n);
    // The producer's own commit, when it comes, is taken for a retry of the one already done.
    expect(await endTxn(client, producer, true)).toBe(ErrorCode.NONE);
  });
});

describe('an old EndTxn replayed on a new connection (transaction version 2)', () => {
  it('is fenced: the next transaction stays open until its producer ends it', async () => {
    cluster = await startInProcess();
    proxy = await FaultProxy.start({ name: 'kafka', target: { host: '127.0.0.1', port: cluster.broker.port } });
    client = await ProtocolClient.connect(proxy.port);
    await createTopic(client);
    const first = await initProducer(client);
    const partition = cluster.broker.hostedPartition(topic, 0);
    if (partition === undefined) throw new Error('the broker hosts the partition');

    // Transaction 1: one record (Produce v12 adds the partition), committed with EndTxn v5; captured on the way.
    await send(client, first, 0, 't1', 12);
    proxy.captureRequests([ApiKeys.endTxn]);
    const end = await client.request(26, 5, { transactionalId, ...first, committed: true });
    expect(end).toMatchObject({ errorCode: ErrorCode.NONE, producerEpoch: first.producerEpoch + 1 });
    const second = { producerId: first.producerId, producerEpoch: first.producerEpoch + 1 };
    const [oldCommit] = proxy.capturedRequests;
    if (oldCommit === undefined) throw new Error('the EndTxn was captured');
    await waitFor(() => partition.lastStableOffset === partition.highWatermark && partition.highWatermark === 2n, {
      what: 'transaction 1 committed (record and marker)',
    });

    // Transaction 2, at the raised epoch, its sequences from 0 again: open.
    await waitFor(
      async () =>
        send(client ?? fail(), second, 0, 't2', 12).then(
          () => true,
          () => undefined,
        ),
      { what: 'transaction 2 opened once transaction 1 is complete' },
    );
    expect(partition.lastStableOffset).toBe(2n);

    const answer = await proxy.replay(oldCommit);
    if (answer === null) throw new Error('the replayed EndTxn was answered');
    expect(decodeResponseFrame(ApiKeys.endTxn, 5, answer.subarray(4)).body).toMatchObject({
      errorCode: ErrorCode.PRODUCER_FENCED,
    });
    expect(partition.lastStableOffset).toBe(2n);
    expect(partition.highWatermark).toBe(3n);
    // The producer's own abort ends transaction 2: aborted, with the epoch raised once more.
    expect(await client.request(26, 5, { transactionalId, ...second, committed: false })).toMatchObject({
      errorCode: ErrorCode.NONE,
      producerEpoch: second.producerEpoch + 1,
    });
    await waitFor(() => partition.lastStableOffset === 4n, { what: 'transaction 2 aborted by its producer' });
  });
});

function fail(): never {
  throw new Error('the client is connected');
}
