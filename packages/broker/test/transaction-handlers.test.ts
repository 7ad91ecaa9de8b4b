/**
 * The transaction API handlers over a real TransactionCoordinator (fake
 * store and markers, transactional ids on its one loaded partition): the
 * versions they serve are the advertised table's, requests map onto the
 * coordinator, PRODUCER_FENCED reaches old versions as
 * INVALID_PRODUCER_EPOCH, and AddPartitionsToTxn with an unknown partition
 * fails it (the rest OPERATION_NOT_ATTEMPTED) without touching the
 * transaction; v4+ batches transactions and checks membership (verifyOnly).
 */
import { silentLogger } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import { advertisedApis, ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/handlers/handler.ts';
import { initProducerIdHandler } from '../src/handlers/init-producer-id.ts';
import { addPartitionsToTxnHandler, endTxnHandler, transactionHandlers } from '../src/handlers/transactions.ts';
import { ProducerIdManager } from '../src/producers/producer-id-manager.ts';
import { runtime } from './transaction-coordinator-fakes.ts';

/** An image with one topic, `orders`, of two partitions. */
const image = {
  topic: (name: string) => (name === 'orders' ? { partitions: [{}, {}] } : undefined),
} as unknown as MetadataImage;

function at(apiKey: number, apiVersion: number): RequestContext {
  return { header: { apiKey, apiVersion, correlationId: 1, clientId: 'test' } } as unknown as RequestContext;
}

function setup() {
  const r = runtime();
  r.coordinator.loaded(0, new Map(), 0);
  const producerIds = new ProducerIdManager({
    allocate: () => Promise.reject(new Error('idempotent producers are not under test')),
    logger: silentLogger(),
  });
  const init = initProducerIdHandler(producerIds, r.coordinator);
  const add = addPartitionsToTxnHandler(r.coordinator, { image: () => image });
  const end = endTxnHandler(r.coordinator);
  return { ...r, init, add, end };
}

const addRequest = (producerId: bigint, producerEpoch: number, partitions: number[], topic = 'orders') => ({
  v3AndBelowTransactionalId: 'tx',
  v3AndBelowProducerId: producerId,
  v3AndBelowProducerEpoch: producerEpoch,
  v3AndBelowTopics: [{ name: topic, partitions }],
});

describe('transaction handlers', () => {
  it('serve exactly the versions of the ApiVersions table', () => {
    const { coordinator, init } = setup();
    const handlers = [init, ...transactionHandlers(coordinator, { image: () => image })];
    expect(handlers.map((h) => h.apiKey)).toEqual([22, 24, 25, 26]);
    for (const h of handlers) {
      const row = advertisedApis.find((a) => a.apiKey === h.apiKey);
      expect([h.apiKey, h.minVersion, h.maxVersion]).toEqual([h.apiKey, row?.minVersion, row?.maxVersion]);
    }
  });

  it('runs a transaction: InitProducerId, AddPartitionsToTxn, EndTxn', async () => {
    const { init, add, end, markers } = setup();
    const producer = await init.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, at(22, 1));
    expect(producer).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: 4000n, producerEpoch: 0 });
    expect(await add.handle(addRequest(4000n, 0, [0, 1]), at(24, 3))).toEqual({
      throttleTimeMs: 0,
      resultsByTopicV3AndBelow: [
        {
          name: 'orders',
          resultsByPartition: [
            { partitionIndex: 0, partitionErrorCode: ErrorCode.NONE },
            { partitionIndex: 1, partitionErrorCode: ErrorCode.NONE },
          ],
        },
      ],
    });
    const ended = await end.handle(
      { transactionalId: 'tx', producerId: 4000n, producerEpoch: 0, committed: true },
      at(26, 0),
    );
    expect(ended).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.NONE });
    expect(markers.sent[0]).toMatchObject({
      result: 'commit',
      partitions: [
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 1 },
      ],
    });
  });

  it('AddPartitionsToTxn v4+ batches transactions: verifyOnly checks membership, an add adds (KIP-890 part 1)', async () => {
    const { init, add } = setup();
    await init.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, at(22, 4));
    const batch = (verifyOnly: boolean, partitions: number[]) => ({
      transactions: [
        {
          transactionalId: 'tx',
          producerId: 4000n,
          producerEpoch: 0,
          verifyOnly,
          topics: [{ name: 'orders', partitions }],
        },
      ],
    });
    const codes = async (version: number, verifyOnly: boolean, partitions: number[]) => {
      const response = await add.handle(batch(verifyOnly, partitions), at(24, version));
      expect(response).toMatchObject({ errorCode: ErrorCode.NONE });
      return response?.resultsByTransaction?.[0]?.topicResults[0]?.resultsByPartition.map((p) => p.partitionErrorCode);
    };
    // Nothing added yet: a check finds neither partition (INVALID_TXN_STATE before v5 added TRANSACTION_ABORTABLE).
    expect(await codes(5, true, [0, 1])).toEqual([ErrorCode.TRANSACTION_ABORTABLE, ErrorCode.TRANSACTION_ABORTABLE]);
    expect(await codes(4, true, [0])).toEqual([ErrorCode.INVALID_TXN_STATE]);
    expect(await codes(5, false, [0])).toEqual([ErrorCode.NONE]);
    expect(await codes(5, true, [0, 1])).toEqual([ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE]);
    const unknown = await add.handle(batch(false, [0, 7]), at(24, 4));
    expect(unknown?.resultsByTransaction?.[0]?.topicResults[0]?.resultsByPartition).toEqual([
      { partitionIndex: 0, partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED },
      { partitionIndex: 7, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
  });

  it('KIP-360 InitProducerId (v3+) bumps the epoch of the producer it names', async () => {
    const { init } = setup();
    await init.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, at(22, 3));
    const bumped = await init.handle(
      { transactionalId: 'tx', transactionTimeoutMs: 60_000, producerId: 4000n, producerEpoch: 0 },
      at(22, 3),
    );
    expect(bumped).toMatchObject({ errorCode: ErrorCode.NONE, producerId: 4000n, producerEpoch: 1 });
  });

  it('answers a fenced producer PRODUCER_FENCED from v2 and INVALID_PRODUCER_EPOCH below', async () => {
    const { init, add, end } = setup();
    await init.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, at(22, 4));
    await init.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, at(22, 4)); // epoch 1 fences epoch 0
    const codes = async (version: number) =>
      (await add.handle(addRequest(4000n, 0, [0]), at(24, version)))?.resultsByTopicV3AndBelow?.[0]
        ?.resultsByPartition[0]?.partitionErrorCode;
    expect(await codes(1)).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(await codes(2)).toBe(ErrorCode.PRODUCER_FENCED);
    const endAt = (version: number) =>
      end.handle({ transactionalId: 'tx', producerId: 4000n, producerEpoch: 0, committed: false }, at(26, version));
    expect((await endAt(1))?.errorCode).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect((await endAt(4))?.errorCode).toBe(ErrorCode.PRODUCER_FENCED);
  });

  it('fails AddPartitionsToTxn naming an unknown partition without adding any', async () => {
    const { init, add, store, coordinator } = setup();
    await init.handle({ transactionalId: 'tx', transactionTimeoutMs: 60_000 }, at(22, 4));
    const response = await add.handle(addRequest(4000n, 0, [1, 2]), at(24, 3));
    expect(response?.resultsByTopicV3AndBelow?.[0]?.resultsByPartition).toEqual([
      { partitionIndex: 1, partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED },
      { partitionIndex: 2, partitionErrorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
    ]);
    const unknownTopic = await add.handle(addRequest(4000n, 0, [0], 'missing'), at(24, 3));
    expect(unknownTopic?.resultsByTopicV3AndBelow?.[0]?.resultsByPartition[0]?.partitionErrorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect(store.statesOf('tx')).toEqual(['Empty']);
    expect(coordinator.describe('tx').transaction?.state).toBe('Empty');
  });
});
