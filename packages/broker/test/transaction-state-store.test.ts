/**
 * TransactionStateStore over one real `__transaction_state` Partition in a
 * temp dir (no network): a write is one record in Kafka's key/value format,
 * committed before it resolves; leadership drives loading → loaded →
 * unloaded with the leader epoch handed on (the coordinator epoch); a load
 * after a leadership change replays the latest value per id, tombstones
 * deleting, and waits for the high watermark.
 */
import { silentLogger, systemClock } from '@runnel/common';
import { decodeRecordBatchesSync } from '@runnel/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { PartitionLifecycle } from '../src/coordinator-partitions.ts';
import type { Partition } from '../src/replication/partition.ts';
import {
  decodeTransactionLogRecord,
  type TransactionLogValue,
  type TransactionState,
} from '../src/transactions/transaction-records.ts';
import { type LoadedTransactions, TransactionStateStore } from '../src/transactions/transaction-state-store.ts';
import { transactionStateTopic } from '../src/transactions/txn-api.ts';
import {
  applyState,
  closeFixtures,
  followerCatchesUp,
  openPartition,
  state,
  until,
} from './coordinator-partition-fixture.ts';

afterEach(closeFixtures);

class RecordingLifecycle implements PartitionLifecycle<LoadedTransactions> {
  readonly calls: string[] = [];
  readonly states = new Map<number, LoadedTransactions>();
  loading(partition: number): void {
    this.calls.push(`loading ${partition}`);
  }
  loaded(partition: number, loaded: LoadedTransactions, leaderEpoch: number): void {
    this.calls.push(`loaded ${partition} epoch ${leaderEpoch}`);
    this.states.set(partition, loaded);
  }
  unloaded(partition: number): void {
    this.calls.push(`unloaded ${partition}`);
  }
}

function storeFor(p: Partition, lifecycle: RecordingLifecycle, writeTimeoutMs = 5000): TransactionStateStore {
  return new TransactionStateStore({
    partition: (index) => (index === p.index ? p : undefined),
    partitionCount: () => 1,
    lifecycle,
    minInsyncReplicas: () => 1,
    messageBytesMax: () => 1024 * 1024,
    logger: silentLogger(),
    clock: systemClock,
    writeTimeoutMs,
  });
}

const value = (state: TransactionState, producerEpoch = 0): TransactionLogValue => ({
  producerId: 4000n,
  previousProducerId: -1n,
  nextProducerId: -1n,
  producerEpoch,
  nextProducerEpoch: -1,
  transactionTimeoutMs: 60_000,
  state,
  partitions: state === 'Ongoing' ? [{ topic: 'orders', partitionIds: [0, 1] }] : [],
  lastUpdateTimestampMs: 1_000n,
  startTimestampMs: state === 'Ongoing' ? 900n : -1n,
  clientTransactionVersion: 0,
});

describe('TransactionStateStore', () => {
  it('loads on leadership with the leader epoch, refuses writes while loading and when not leader', async () => {
    const p = await openPartition(transactionStateTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle);
    expect(await store.write('tx', value('Empty'))).toMatchObject({ ok: false, error: 'not_coordinator' });
    applyState(store, p, state(1, 4, [1]));
    await until(() => store.status(0) === 'loaded', 'loaded');
    expect(lifecycle.calls).toEqual(['loading 0', 'loaded 0 epoch 4']);
    expect(lifecycle.states.get(0)).toEqual(new Map());
    applyState(store, p, state(2, 5, [1, 2]));
    expect(lifecycle.calls.at(-1)).toBe('unloaded 0');
    expect(await store.write('tx', value('Empty'))).toMatchObject({ ok: false, error: 'not_coordinator' });
  });

  it('writes one committed record per call in Kafka format; a reload keeps the latest value per id', async () => {
    const p = await openPartition(transactionStateTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle);
    applyState(store, p, state(1, 1, [1]));
    await until(() => store.status(0) === 'loaded', 'first load');
    for (const [id, v] of [
      ['a', value('Empty')],
      ['a', value('Ongoing')],
      ['b', value('Empty')],
      ['b', null],
      ['c', value('PrepareCommit', 3)],
    ] as const) {
      expect(await store.write(id, v)).toEqual({ ok: true, value: undefined });
    }
    expect(p.highWatermark).toBe(5n);
    const read = await p.log.read(0n, 1 << 20, p.log.logEndOffset);
    const stored = decodeRecordBatchesSync(read.ok ? Buffer.concat(read.records) : Buffer.alloc(0));
    expect(stored).toHaveLength(5);
    const last = stored[4]?.records[0];
    expect(last !== undefined && decodeTransactionLogRecord(last.key ?? Buffer.alloc(0), last.value)).toEqual({
      ok: true,
      value: { transactionalId: 'c', value: value('PrepareCommit', 3) },
    });

    applyState(store, p, state(1, 2, [1]));
    await until(() => lifecycle.calls.length === 5 && store.status(0) === 'loaded', 'reload');
    expect(lifecycle.calls.slice(2)).toEqual(['unloaded 0', 'loading 0', 'loaded 0 epoch 2']);
    expect(lifecycle.states.get(0)).toEqual(
      new Map([
        ['a', value('Ongoing')],
        ['c', value('PrepareCommit', 3)],
      ]),
    );
  });

  it('a load waits for the high watermark to reach the end of the log it read', async () => {
    const p = await openPartition(transactionStateTopic);
    const lifecycle = new RecordingLifecycle();
    const store = storeFor(p, lifecycle, 20);
    // A follower that never fetches: the write reaches the log, not the high watermark.
    applyState(store, p, state(1, 1, [1, 2]));
    await until(() => store.status(0) === 'loaded', 'first load');
    expect(await store.write('tx', value('Empty'))).toMatchObject({ ok: false, error: 'timed_out' });
    applyState(store, p, state(1, 2, [1, 2]));
    expect(store.status(0)).toBe('loading');
    expect(await store.write('tx', value('Empty'))).toMatchObject({
      ok: false,
      error: 'coordinator_load_in_progress',
    });
    expect(await followerCatchesUp(p, 2, 2)).toBe('none');
    await until(() => store.status(0) === 'loaded', 'second load');
    expect(lifecycle.states.get(0)).toEqual(new Map([['tx', value('Empty')]]));
  });
});
