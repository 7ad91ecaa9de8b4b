/**
 * The fault proxy's request replay against a real broker (a combined node
 * in this process, real sockets): an idempotent producer's old Produce,
 * captured on its way through the proxy and sent again later on a new
 * connection, is answered as the duplicate it is (its original offset) and
 * appends nothing; one older than the five batches a producer's state
 * remembers is refused as out of order and appends nothing. The same seam will replay old
 * EndTxn requests once the transaction coordinator is wired.
 */
import { type CreateTopicsRequest, decodeResponseFrame, ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiKeys, FaultProxy } from '../harness/fault-proxy.ts';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';

const topic = 'replayed';
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
    const create: CreateTopicsRequest = {
      topics: [{ name: topic, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: false,
    };
    expect((await client.request(19, 4, create)).topics[0]?.errorCode).toBe(ErrorCode.NONE);
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
