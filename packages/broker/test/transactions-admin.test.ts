/**
 * The operators' transaction handlers: DescribeProducers and WriteTxnMarkers
 * over a real Partition (in-memory disk), DescribeTransactions and
 * ListTransactions over a fake TransactionsView, and the per-partition
 * transaction metrics.
 */
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/handlers/handler.ts';
import {
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
  noTransactionsView,
} from '../src/handlers/transactions-admin.ts';
import { partitionTxnSamples } from '../src/producers/producer-state-metrics.ts';
import type { Partition } from '../src/replication/partition.ts';
import type { TransactionDescription } from '../src/transactions/txn-api.ts';
import type { TransactionsView } from '../src/transactions/txn-ports.ts';
import { handlerContext } from './handler-context.ts';
import { idempotentBatch, manualTime, partitionOn, state, type Time } from './replication-fixture.ts';

const context = {} as RequestContext;
const leaderOnly = { acks: 1, minInsyncReplicas: 1, timeoutMs: 5_000 } as const;

function txnBatch(producerId: bigint, epoch: number, seq: number, timestampMs: bigint, ...values: string[]): Buffer {
  return encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    baseTimestamp: timestampMs,
    producerId,
    producerEpoch: epoch,
    baseSequence: seq,
    transactional: true,
  });
}

async function produce(p: Partition, batch: Buffer): Promise<void> {
  const r = await p.appendAsLeader(batch, 1, leaderOnly);
  if (!r.ok) throw new Error(`not appended: ${r.error}`);
}

async function leader(time: Time, leaderId = 1): Promise<Partition> {
  const p = await partitionOn(1, time);
  p.applyState(state(leaderId, 1, leaderId === 1 ? [1] : [1, leaderId]), {
    lagTimeMaxMs: 30_000,
    minInsyncReplicas: 1,
  });
  return p;
}

function describeRequest(partitions: number[], topic = 't') {
  return { topics: [{ name: topic, partitionIndexes: partitions }] };
}

describe('DescribeProducers', () => {
  it('lists each producer of a partition led here with its epoch, last sequence, timestamp and open transaction', async () => {
    const time = manualTime();
    const p = await leader(time);
    await produce(p, idempotentBatch({ id: 5n, epoch: 2 }, 0, 'a', 'b'));
    await produce(p, txnBatch(9n, 3, 0, 1_700_000_000_500n, 'x'));
    await produce(p, txnBatch(9n, 3, 1, 1_700_000_000_900n, 'y'));
    const handler = describeProducersHandler(handlerContext(p, { clock: time.clock }).context);
    const response = await handler.handle(describeRequest([0]), context);
    const partition = response?.topics[0]?.partitions[0];
    expect(partition).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, errorMessage: null });
    const byId = new Map(partition?.activeProducers.map((a) => [a.producerId, a]));
    expect(byId.get(5n)).toEqual({
      producerId: 5n,
      producerEpoch: 2,
      lastSequence: 1,
      lastTimestamp: 1_700_000_000_000n,
      coordinatorEpoch: -1,
      currentTxnStartOffset: -1n,
    });
    expect(byId.get(9n)).toEqual({
      producerId: 9n,
      producerEpoch: 3,
      lastSequence: 1,
      lastTimestamp: 1_700_000_000_900n,
      coordinatorEpoch: -1,
      currentTxnStartOffset: 2n,
    });
  });

  it('answers NOT_LEADER_OR_FOLLOWER on a follower and UNKNOWN_TOPIC_OR_PARTITION for a partition not in metadata', async () => {
    const time = manualTime();
    const follower = await leader(time, 2);
    const handler = describeProducersHandler(handlerContext(follower, { clock: time.clock }).context);
    const response = await handler.handle(
      { topics: [...describeRequest([0, 7]).topics, { name: 'nope', partitionIndexes: [0] }] },
      context,
    );
    expect(response?.topics.map((t) => t.partitions.map((x) => [t.name, x.partitionIndex, x.errorCode]))).toEqual([
      [
        ['t', 0, ErrorCode.NOT_LEADER_OR_FOLLOWER],
        ['t', 7, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
      [['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    ]);
  });
});

function txn(id: string, overrides: Partial<TransactionDescription> = {}): TransactionDescription {
  return {
    transactionalId: id,
    state: 'Ongoing',
    producerId: 100n,
    producerEpoch: 1,
    transactionTimeoutMs: 60_000,
    startTimestampMs: 1_000,
    partitions: [],
    ...overrides,
  };
}

function fakeView(transactions: TransactionDescription[], errorCode: number = ErrorCode.NONE): TransactionsView {
  return {
    describe: (id) => {
      const t = transactions.find((x) => x.transactionalId === id);
      return t === undefined
        ? { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, transaction: null }
        : { errorCode: ErrorCode.NONE, transaction: t };
    },
    list: () => ({ errorCode, transactions }),
  };
}

describe('DescribeTransactions', () => {
  it("answers a known id with its state and partitions grouped by topic, an unknown one with the view's code", async () => {
    const view = fakeView([
      txn('a', {
        partitions: [
          { topic: 'x', partition: 2 },
          { topic: 'y', partition: 0 },
          { topic: 'x', partition: 0 },
        ],
      }),
    ]);
    const response = await describeTransactionsHandler(view).handle({ transactionalIds: ['a', 'b'] }, context);
    expect(response?.transactionStates).toEqual([
      {
        errorCode: ErrorCode.NONE,
        transactionalId: 'a',
        transactionState: 'Ongoing',
        transactionTimeoutMs: 60_000,
        transactionStartTimeMs: 1_000n,
        producerId: 100n,
        producerEpoch: 1,
        topics: [
          { topic: 'x', partitions: [0, 2] },
          { topic: 'y', partitions: [0] },
        ],
      },
      expect.objectContaining({
        errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
        transactionalId: 'b',
        producerId: -1n,
      }),
    ]);
  });

  it('before the coordinator runtime is wired every id answers NOT_COORDINATOR and the list is empty', async () => {
    const described = await describeTransactionsHandler(noTransactionsView).handle(
      { transactionalIds: ['a'] },
      context,
    );
    expect(described?.transactionStates[0]?.errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const listed = await listTransactionsHandler(noTransactionsView, () => 0).handle(
      { stateFilters: [], producerIdFilters: [] },
      context,
    );
    expect(listed).toMatchObject({ errorCode: ErrorCode.NONE, transactionStates: [] });
  });
});

describe('ListTransactions filters', () => {
  const view = fakeView([
    txn('orders-1', { producerId: 1n, startTimestampMs: 1_000 }),
    txn('orders-2', { producerId: 2n, state: 'CompleteCommit', startTimestampMs: -1 }),
    txn('payments-1', { producerId: 3n, startTimestampMs: 9_000 }),
    txn('gone', { producerId: 4n, state: 'Dead' }),
  ]);
  const list = (filters: { states?: string[]; ids?: bigint[]; durationMs?: bigint; pattern?: string | null }) =>
    listTransactionsHandler(view, () => 10_000).handle(
      {
        stateFilters: filters.states ?? [],
        producerIdFilters: filters.ids ?? [],
        durationFilter: filters.durationMs ?? -1n,
        transactionalIdPattern: filters.pattern ?? null,
      },
      context,
    );
  const ids = async (filters: Parameters<typeof list>[0]) =>
    (await list(filters))?.transactionStates.map((t) => t.transactionalId);

  it('no filter lists every id but the Dead ones, with producer id and state', async () => {
    expect((await list({}))?.transactionStates).toEqual([
      { transactionalId: 'orders-1', producerId: 1n, transactionState: 'Ongoing' },
      { transactionalId: 'orders-2', producerId: 2n, transactionState: 'CompleteCommit' },
      { transactionalId: 'payments-1', producerId: 3n, transactionState: 'Ongoing' },
    ]);
  });

  it('state and producer id filters keep matching ids; unknown state names come back as unknownStateFilters', async () => {
    expect(await ids({ states: ['CompleteCommit'] })).toEqual(['orders-2']);
    expect(await ids({ ids: [1n, 3n] })).toEqual(['orders-1', 'payments-1']);
    const unknown = await list({ states: ['Ongoing', 'Stuck'] });
    expect(unknown).toMatchObject({ errorCode: ErrorCode.NONE, unknownStateFilters: ['Stuck'] });
    expect(unknown?.transactionStates.map((t) => t.transactionalId)).toEqual(['orders-1', 'payments-1']);
  });

  it('the duration filter keeps transactions running longer than it; ids with no open transaction never pass', async () => {
    expect(await ids({ durationMs: 5_000n })).toEqual(['orders-1']);
    expect(await ids({ durationMs: 9_000n })).toEqual([]);
    expect(await ids({ durationMs: 0n })).toEqual(['orders-1', 'payments-1']);
  });

  it('the pattern must match the whole id; an invalid one answers INVALID_REGULAR_EXPRESSION', async () => {
    expect(await ids({ pattern: 'orders-.' })).toEqual(['orders-1', 'orders-2']);
    expect(await ids({ pattern: 'orders' })).toEqual([]);
    expect(await list({ pattern: '(' })).toMatchObject({
      errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION,
      transactionStates: [],
    });
  });

  it('a pattern that backtracks catastrophically in a backtracking engine runs in linear time (RE2)', async () => {
    // With JavaScript's RegExp this match would not end in the lifetime of the test run.
    const hostile = fakeView([txn(`${'a'.repeat(5_000)}!`)]);
    const listed = await listTransactionsHandler(hostile, () => 0).handle(
      { stateFilters: [], producerIdFilters: [], durationFilter: -1n, transactionalIdPattern: '(a+)+' },
      context,
    );
    expect(listed).toMatchObject({ errorCode: ErrorCode.NONE, transactionStates: [] });
    // RE2 has no backreferences: refused as invalid rather than run.
    expect(await list({ pattern: '(a)\\1' })).toMatchObject({ errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION });
  });

  it('a coordinator still loading answers its code and no list', async () => {
    const loading = fakeView([txn('a')], ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    const response = await listTransactionsHandler(loading, () => 0).handle(
      { stateFilters: [], producerIdFilters: [] },
      context,
    );
    expect(response).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, transactionStates: [] });
  });
});

describe('per-partition transaction metrics', () => {
  it('a leader reports open transactions, LSO lag in offsets and age, and producers; a follower nothing', async () => {
    const time = manualTime();
    const p = await leader(time);
    await produce(p, idempotentBatch({ id: 5n, epoch: 0 }, 0, 'a'));
    await produce(p, txnBatch(9n, 0, 0, 1_700_000_000_000n, 'x'));
    await produce(p, txnBatch(9n, 0, 1, 1_700_000_060_000n, 'y'));
    await produce(p, txnBatch(11n, 0, 0, 1_700_000_030_000n, 'z'));
    const now = 1_700_000_100_000;
    expect(partitionTxnSamples([p], now)).toEqual([
      { topic: 't', partition: 0, openTransactions: 2, lsoLagOffsets: 3n, lsoLagMs: 100_000, producers: 3 },
    ]);
    const follower = await leader(time, 2);
    expect(partitionTxnSamples([follower], now)).toEqual([]);
    await p.writeTxnMarker(9n, 0, 0, 'abort', { minInsyncReplicas: 1, timeoutMs: 5_000 });
    await p.writeTxnMarker(11n, 0, 0, 'commit', { minInsyncReplicas: 1, timeoutMs: 5_000 });
    expect(partitionTxnSamples([p], now)).toEqual([
      { topic: 't', partition: 0, openTransactions: 0, lsoLagOffsets: 0n, lsoLagMs: 0, producers: 3 },
    ]);
  });
});
