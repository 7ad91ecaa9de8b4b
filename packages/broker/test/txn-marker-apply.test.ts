/**
 * The partition leaders' marker core (txn-marker-apply.ts) on real
 * Partitions over in-memory logs and manual time: every Kafka code a
 * marker can get, acks=all, the order of markers in one request, and the
 * `__consumer_offsets` hook.
 */
import { silentLogger } from '@runnel/common';
import { ErrorCode, encodeRecordBatchSync } from '@runnel/protocol';
import { FaultyFileSystem } from '@runnel/storage';
import { describe, expect, it } from 'vitest';
import type { Partition } from '../src/replication/partition.ts';
import type { TransactionResult } from '../src/transactions/txn-api.ts';
import { applyTxnMarkers, type TxnMarkerEntry, type TxnMarkerHost } from '../src/transactions/txn-marker-apply.ts';
import { manualTime, openLog, partitionOn, settledFlag, state, type Time, turn, until } from './replication-fixture.ts';

interface Hosted {
  readonly host: TxnMarkerHost;
  readonly hookCalls: [number, bigint, TransactionResult][];
}

/** A broker whose metadata knows `known` and which hosts `replicas` ("topic-partition" keys). */
function hostOf(known: string[], replicas: Map<string, Partition>, minInsyncReplicas = 1): Hosted {
  const hookCalls: [number, bigint, TransactionResult][] = [];
  const host: TxnMarkerHost = {
    exists: (t, p) => known.includes(`${t}-${p}`),
    partition: (t, p) => replicas.get(`${t}-${p}`),
    minInsyncReplicas: () => minInsyncReplicas,
    timeoutMs: 5_000,
    onConsumerOffsetsMarker: (index, producerId, result) => hookCalls.push([index, producerId, result]),
    logger: silentLogger(),
  };
  return { host, hookCalls };
}

async function leaderOf(time: Time, replicas: number[], fs = new FaultyFileSystem()): Promise<Partition> {
  const p = await partitionOn(1, time, { log: await openLog(fs) });
  p.applyState(state(1, 1, replicas), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
  return p;
}

async function openTransaction(p: Partition, producerId: bigint): Promise<void> {
  const batch = encodeRecordBatchSync({
    records: [{ key: null, value: Buffer.from('v') }],
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
    transactional: true,
  });
  const r = await p.appendAsLeader(batch, 1, { acks: 1, minInsyncReplicas: 1, timeoutMs: 5_000 });
  if (!r.ok) throw new Error(`not appended: ${r.error}`);
}

function marker(partitions: [string, number][], fields: Partial<TxnMarkerEntry> = {}): TxnMarkerEntry {
  return {
    producerId: 7n,
    producerEpoch: 0,
    coordinatorEpoch: 3,
    result: 'commit',
    partitions: partitions.map(([topic, partition]) => ({ topic, partition })),
    ...fields,
  };
}

describe('applyTxnMarkers', () => {
  it('commits a led partition (NONE once written), and answers unknown and not-led partitions', async () => {
    const time = manualTime();
    const orders = await leaderOf(time, [1]);
    await openTransaction(orders, 7n);
    const follower = await partitionOn(1, time);
    follower.applyState(state(2, 1, [2, 1]), { lagTimeMaxMs: 30_000, minInsyncReplicas: 1 });
    const { host } = hostOf(
      ['orders-0', 'orders-1', 'orders-2'],
      new Map([
        ['orders-0', orders],
        ['orders-1', follower],
      ]),
    );
    const answers = await applyTxnMarkers(host, [
      marker([
        ['orders-0', 0],
        ['orders', 0],
        ['orders', 1],
        ['orders', 2],
      ]),
    ]);
    expect(answers).toEqual([
      {
        producerId: 7n,
        partitions: [
          { topic: 'orders-0', partition: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION },
          { topic: 'orders', partition: 0, errorCode: ErrorCode.NONE },
          { topic: 'orders', partition: 1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
          { topic: 'orders', partition: 2, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
        ],
      },
    ]);
    expect(orders.lastStableOffset).toBe(2n);
    expect(orders.logEndOffset).toBe(2n);
  });

  it('a marker from an older coordinator epoch is TRANSACTION_COORDINATOR_FENCED and writes nothing', async () => {
    const time = manualTime();
    const p = await leaderOf(time, [1]);
    await openTransaction(p, 7n);
    const { host } = hostOf(['t-0'], new Map([['t-0', p]]));
    expect(
      (await applyTxnMarkers(host, [marker([['t', 0]], { coordinatorEpoch: 5 })]))[0]?.partitions[0]?.errorCode,
    ).toBe(ErrorCode.NONE);
    const fenced = await applyTxnMarkers(host, [marker([['t', 0]], { coordinatorEpoch: 4, result: 'abort' })]);
    expect(fenced[0]?.partitions[0]?.errorCode).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(p.logEndOffset).toBe(2n);
  });

  it('acks=all: NOT_ENOUGH_REPLICAS below min.insync.replicas; REQUEST_TIMED_OUT when the ISR never catches up', async () => {
    const time = manualTime();
    const p = await leaderOf(time, [1, 2]);
    await openTransaction(p, 7n);
    const tooFew = hostOf(['t-0'], new Map([['t-0', p]]), 3);
    expect((await applyTxnMarkers(tooFew.host, [marker([['t', 0]])]))[0]?.partitions[0]?.errorCode).toBe(
      ErrorCode.NOT_ENOUGH_REPLICAS,
    );
    expect(p.logEndOffset).toBe(1n);

    const { host, hookCalls } = hostOf(['__consumer_offsets-0'], new Map([['__consumer_offsets-0', p]]), 2);
    const answer = settledFlag(applyTxnMarkers(host, [marker([['__consumer_offsets', 0]])]));
    await until(() => p.logEndOffset === 2n, 'the marker appended');
    await turn();
    // Appended, but follower 2 has not fetched it: no answer yet, and the group coordinator hears nothing.
    expect(answer.settled).toBe(false);
    time.advance(5_000);
    await until(() => answer.settled, 'the marker timed out');
    expect(answer.value?.[0]?.partitions[0]?.errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
    expect(hookCalls).toEqual([]);
  });

  it('a committed marker on __consumer_offsets tells the hook its partition, producer and result', async () => {
    const time = manualTime();
    const offsets = await leaderOf(time, [1]);
    const other = await leaderOf(time, [1]);
    const { host, hookCalls } = hostOf(
      ['__consumer_offsets-12', 'orders-0'],
      new Map([
        ['__consumer_offsets-12', offsets],
        ['orders-0', other],
      ]),
    );
    await applyTxnMarkers(host, [
      marker(
        [
          ['__consumer_offsets', 12],
          ['orders', 0],
        ],
        { producerId: 9n, result: 'abort' },
      ),
    ]);
    expect(hookCalls).toEqual([[12, 9n, 'abort']]);
  });

  it('markers of one request land in order, so a later one for the same partition is written after', async () => {
    const time = manualTime();
    const p = await leaderOf(time, [1]);
    await openTransaction(p, 7n);
    await openTransaction(p, 8n);
    const { host } = hostOf(['t-0'], new Map([['t-0', p]]));
    const answers = await applyTxnMarkers(host, [
      marker([['t', 0]], { producerId: 8n, result: 'abort' }),
      marker([['t', 0]], { producerId: 7n, result: 'commit' }),
    ]);
    expect(answers.map((a) => [a.producerId, a.partitions[0]?.errorCode])).toEqual([
      [8n, ErrorCode.NONE],
      [7n, ErrorCode.NONE],
    ]);
    // Producer 8's abort at offset 2, producer 7's commit at 3: only 8 is aborted, starting at its first offset.
    expect(p.log.abortedTransactions(0n, 4n)).toEqual([{ producerId: 8n, firstOffset: 1n }]);
    expect(p.lastStableOffset).toBe(4n);
  });

  it('a disk failure while appending the marker answers KAFKA_STORAGE_ERROR', async () => {
    const time = manualTime();
    const fs = new FaultyFileSystem();
    const p = await leaderOf(time, [1], fs);
    await openTransaction(p, 7n);
    fs.failNext('write', '.log', 'EIO');
    const { host, hookCalls } = hostOf(['__consumer_offsets-0'], new Map([['__consumer_offsets-0', p]]));
    const answers = await applyTxnMarkers(host, [marker([['__consumer_offsets', 0]])]);
    expect(answers[0]?.partitions[0]?.errorCode).toBe(ErrorCode.KAFKA_STORAGE_ERROR);
    expect(hookCalls).toEqual([]);
  });
});
