/**
 * KIP-890 part 1 against a real broker and its transaction coordinator: a
 * transactional producer commits a transaction, then a late Produce of that
 * producer (same producer id and epoch, the next sequence: a request that
 * was delayed, or retried on another connection, past the commit) reaches
 * the partition. With verification on (the default) the leader asks the
 * coordinator, which no longer has the partition in an ongoing
 * transaction: the batch is refused with INVALID_TXN_STATE, nothing is
 * stored, and the last stable offset stays at the end. With verification
 * off the same request is stored and opens a transaction nobody will end:
 * the last stable offset hangs below it (the anomaly the check prevents).
 */
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessCluster, startInProcess } from '../harness/in-process.ts';
import { ProtocolClient } from '../harness/protocol-client.ts';
import { waitFor } from '../harness/wait.ts';

const topic = 'verified';
const transactionalId = 'late-producer';
let cluster: InProcessCluster | undefined;
let client: ProtocolClient | undefined;

afterEach(async () => {
  client?.close();
  await cluster?.stop();
  cluster = undefined;
});

function txnBatch(producerId: bigint, producerEpoch: number, seq: number, value: string): Buffer {
  return encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from(value) }],
    baseTimestamp: BigInt(Date.now()),
    producerId,
    producerEpoch,
    baseSequence: seq,
    transactional: true,
  });
}

async function produce(c: ProtocolClient, records: Buffer): Promise<number | undefined> {
  const response = await c.request(0, 7, {
    transactionalId,
    acks: -1,
    timeoutMs: 5_000,
    topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
  });
  return response.responses[0]?.partitionResponses[0]?.errorCode;
}

/** The last stable offset (read_committed LATEST) and the high watermark. */
async function ends(c: ProtocolClient): Promise<{ stable: bigint; high: bigint }> {
  const at = async (isolationLevel: number) =>
    (
      await c.request(2, 3, {
        replicaId: -1,
        isolationLevel,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }],
      })
    ).topics[0]?.partitions[0]?.offset ?? -1n;
  return { stable: await at(1), high: await at(0) };
}

/** Commits one transaction of one record through the real coordinator; answers the producer's id and epoch. */
async function commitOne(c: ProtocolClient): Promise<{ producerId: bigint; producerEpoch: number }> {
  // The first lookup creates __transaction_state; its partition then loads.
  await waitFor(async () => (await c.request(10, 1, { key: transactionalId, keyType: 1 })).errorCode === 0, {
    what: 'the transaction coordinator',
  });
  const init = await waitFor(
    async () => {
      const r = await c.request(22, 1, { transactionalId, transactionTimeoutMs: 60_000 });
      return r.errorCode === ErrorCode.NONE ? r : undefined;
    },
    { what: 'a producer id' },
  );
  const { producerId, producerEpoch } = init;
  const added = await c.request(24, 1, {
    v3AndBelowTransactionalId: transactionalId,
    v3AndBelowProducerId: producerId,
    v3AndBelowProducerEpoch: producerEpoch,
    v3AndBelowTopics: [{ name: topic, partitions: [0] }],
  });
  expect(added.resultsByTopicV3AndBelow?.[0]?.resultsByPartition[0]?.partitionErrorCode).toBe(ErrorCode.NONE);
  expect(await produce(c, txnBatch(producerId, producerEpoch, 0, 'committed'))).toBe(ErrorCode.NONE);
  const ended = await c.request(26, 1, { transactionalId, producerId, producerEpoch, committed: true });
  expect(ended.errorCode).toBe(ErrorCode.NONE);
  // Data at 0, the commit marker at 1: once it is written, the last stable offset is the end.
  await waitFor(
    async () => {
      const { stable, high } = await ends(c);
      return high === 2n && stable === 2n;
    },
    { what: 'the commit marker' },
  );
  return { producerId, producerEpoch };
}

describe('transactional produce verification (KIP-890 part 1)', () => {
  it('a late produce after the commit is refused with INVALID_TXN_STATE and leaves no hanging transaction', async () => {
    cluster = await startInProcess();
    client = await ProtocolClient.connect(cluster.broker.port);
    expect(await client.createTopic(topic, 1)).toBe(ErrorCode.NONE);
    const p = await commitOne(client);
    expect(await produce(client, txnBatch(p.producerId, p.producerEpoch, 1, 'late'))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(await ends(client)).toEqual({ stable: 2n, high: 2n });
  });

  it('with verification off the same late produce is stored and holds the last stable offset back', async () => {
    cluster = await startInProcess({ transactionPartitionVerificationEnable: false });
    client = await ProtocolClient.connect(cluster.broker.port);
    expect(await client.createTopic(topic, 1)).toBe(ErrorCode.NONE);
    const p = await commitOne(client);
    expect(await produce(client, txnBatch(p.producerId, p.producerEpoch, 1, 'late'))).toBe(ErrorCode.NONE);
    expect(await ends(client)).toEqual({ stable: 2n, high: 3n });
  });
});
