/**
 * The transaction coordinator runtime over a fake store, a fake marker
 * writer, a manual clock and manual timers: partitions are served only once
 * loaded, requests reach the machine and its effects are carried out
 * (writes → written, markers → markersWritten), a partition that moves is
 * abandoned (waiting requests answered NOT_COORDINATOR, markers cancelled),
 * timers drive transaction timeouts and expiry, and a new coordinator
 * finishes what the previous one prepared.
 */
import { ErrorCode } from '@runnel/protocol';
import { describe, expect, it } from 'vitest';
import type { TransactionCoordinator } from '../src/transactions/transaction-coordinator.ts';
import { settle } from './groups-fakes.ts';
import { runtime } from './transaction-coordinator-fakes.ts';

const tp = (topic: string, partition: number) => ({ topic, partition });

async function begin(coordinator: TransactionCoordinator, transactionalId: string, transactionTimeoutMs = 60_000) {
  const init = await coordinator.initProducerId({ transactionalId, transactionTimeoutMs, current: null });
  expect(init.errorCode).toBe(ErrorCode.NONE);
  const producer = { transactionalId, producerId: init.producerId, producerEpoch: init.producerEpoch };
  expect(await coordinator.addPartitions({ ...producer, partitions: [tp('orders', 0), tp('orders', 1)] })).toBe(
    ErrorCode.NONE,
  );
  return producer;
}

describe('TransactionCoordinator', () => {
  it('answers NOT_COORDINATOR for a partition it does not host and COORDINATOR_LOAD_IN_PROGRESS while loading', async () => {
    const { coordinator } = runtime();
    const input = { transactionalId: 'tx', transactionTimeoutMs: 60_000, current: null };
    expect((await coordinator.initProducerId(input)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(coordinator.describe('tx').errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    coordinator.loading(0);
    expect((await coordinator.initProducerId(input)).errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(
      (
        await coordinator.endTxn({
          transactionalId: 'tx',
          producerId: 1n,
          producerEpoch: 0,
          commit: true,
          transactionVersion: 1,
        })
      ).errorCode,
    ).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(coordinator.list().errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
    expect(coordinator.partitionCounts()).toEqual({ loading: 1, loaded: 0 });
    coordinator.loaded(0, new Map(), 3);
    expect(await coordinator.initProducerId(input)).toEqual({
      errorCode: ErrorCode.NONE,
      producerId: 4000n,
      producerEpoch: 0,
    });
    expect(coordinator.describe('tx')).toMatchObject({ errorCode: ErrorCode.NONE, transaction: { state: 'Empty' } });
    expect(coordinator.describe('other').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
    expect(coordinator.partitionCounts()).toEqual({ loading: 0, loaded: 1 });
  });

  it('routes each id to its own partition: hosting one partition does not answer for the other', async () => {
    const { coordinator } = runtime({ partitions: 2 });
    coordinator.loaded(coordinator.partitionFor('a'), new Map(), 0);
    const other = ['b', 'c', 'd', 'e', 'f'].find(
      (id) => coordinator.partitionFor(id) !== coordinator.partitionFor('a'),
    );
    if (other === undefined) throw new Error('no id hashes to the other partition');
    const init = (transactionalId: string) =>
      coordinator.initProducerId({ transactionalId, transactionTimeoutMs: 1000, current: null });
    expect((await init('a')).errorCode).toBe(ErrorCode.NONE);
    expect((await init(other)).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('commits: Prepare written, markers sent with the leader epoch as coordinator epoch, then Complete written', async () => {
    const { coordinator, store, markers } = runtime();
    coordinator.loaded(0, new Map(), 7);
    const producer = await begin(coordinator, 'tx');
    expect((await coordinator.endTxn({ ...producer, commit: true, transactionVersion: 1 })).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect(markers.sent).toEqual([
      expect.objectContaining({
        transactionalId: 'tx',
        result: 'commit',
        producerId: producer.producerId,
        coordinatorEpoch: 7,
        partitions: [tp('orders', 0), tp('orders', 1)],
      }),
    ]);
    expect(store.statesOf('tx')).toEqual(['Empty', 'Ongoing', 'PrepareCommit']);
    markers.writeAll();
    await settle();
    expect(store.statesOf('tx')).toEqual(['Empty', 'Ongoing', 'PrepareCommit', 'CompleteCommit']);
    expect(coordinator.describe('tx').transaction?.state).toBe('CompleteCommit');
  });

  it('answers a store failure with its Kafka code; the retry gets the first epoch', async () => {
    const { coordinator, store } = runtime();
    coordinator.loaded(0, new Map(), 0);
    store.failWith = 'timed_out';
    const input = { transactionalId: 'tx', transactionTimeoutMs: 1000, current: null };
    expect((await coordinator.initProducerId(input)).errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    store.failWith = null;
    expect(await coordinator.initProducerId(input)).toEqual({
      errorCode: ErrorCode.NONE,
      producerId: 4000n,
      producerEpoch: 0,
    });
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while no producer id is at hand, without waiting', async () => {
    const { coordinator, ids } = runtime();
    coordinator.loaded(0, new Map(), 0);
    ids.available = false;
    const init = await coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 1000, current: null });
    expect(init.errorCode).toBe(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  });

  it('a partition that moves answers the request waiting on its write NOT_COORDINATOR and stops serving', async () => {
    const { coordinator, store } = runtime();
    coordinator.loaded(0, new Map(), 0);
    store.hold = true;
    const waiting = coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 1000, current: null });
    await settle();
    expect(store.held).toHaveLength(1);
    coordinator.unloaded(0);
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    // The write completing afterwards reaches no machine.
    for (const release of store.held.splice(0)) release();
    await settle();
    expect(coordinator.describe('tx').errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    expect(coordinator.partitionCounts()).toEqual({ loading: 0, loaded: 0 });
  });

  it('cancels the markers of a partition that moved and writes no Complete record for them', async () => {
    const { coordinator, store, markers } = runtime();
    coordinator.loaded(0, new Map(), 1);
    const producer = await begin(coordinator, 'tx');
    expect((await coordinator.endTxn({ ...producer, commit: false, transactionVersion: 1 })).errorCode).toBe(
      ErrorCode.NONE,
    );
    const [pending] = markers.pending;
    expect(pending?.cancelled()).toBe(false);
    coordinator.unloaded(0);
    expect(pending?.cancelled()).toBe(true);
    pending?.finish('cancelled');
    await settle();
    expect(store.statesOf('tx')).toEqual(['Empty', 'Ongoing', 'PrepareAbort']);
  });

  it('a new leader resumes a prepared transaction: markers again with its epoch, then Complete', async () => {
    const first = runtime();
    first.coordinator.loaded(0, new Map(), 1);
    const producer = await begin(first.coordinator, 'tx');
    expect((await first.coordinator.endTxn({ ...producer, commit: true, transactionVersion: 1 })).errorCode).toBe(
      ErrorCode.NONE,
    );
    first.coordinator.unloaded(0); // the leader moved before the markers were written
    const second = runtime();
    second.coordinator.loaded(0, new Map(first.store.values), 2);
    expect(second.markers.sent).toEqual([
      expect.objectContaining({ transactionalId: 'tx', result: 'commit', coordinatorEpoch: 2 }),
    ]);
    second.markers.writeAll();
    await settle();
    expect(second.store.statesOf('tx')).toEqual(['CompleteCommit']);
    // The producer carries on with its next transaction at the new coordinator.
    expect(await second.coordinator.addPartitions({ ...producer, partitions: [tp('orders', 2)] })).toBe(ErrorCode.NONE);
  });

  it('aborts a transaction past its timeout when its timer fires and fences the producer', async () => {
    const { coordinator, store, markers, timers } = runtime();
    coordinator.loaded(0, new Map(), 0);
    const producer = await begin(coordinator, 'tx', 5_000);
    timers.advance(4_999);
    await settle();
    expect(markers.sent).toEqual([]);
    timers.advance(1);
    await settle();
    expect(markers.sent).toEqual([
      expect.objectContaining({ result: 'abort', producerEpoch: producer.producerEpoch + 1 }),
    ]);
    markers.writeAll();
    await settle();
    expect(store.statesOf('tx').slice(-2)).toEqual(['PrepareAbort', 'CompleteAbort']);
    expect((await coordinator.endTxn({ ...producer, commit: true, transactionVersion: 1 })).errorCode).toBe(
      ErrorCode.PRODUCER_FENCED,
    );
  });

  it('expires idle transactional ids on the periodic check', async () => {
    const { coordinator, store, timers } = runtime({
      config: { transactionalIdExpirationMs: 10_000 },
      expirationCheckIntervalMs: 6_000,
    });
    coordinator.loaded(0, new Map(), 0);
    await coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 1000, current: null });
    timers.advance(6_000); // idle 6 s: kept
    await settle();
    expect(store.statesOf('tx')).toEqual(['Empty']);
    timers.advance(6_000); // idle 12 s: expired
    await settle();
    expect(store.statesOf('tx')).toEqual(['Empty', 'tombstone']);
    expect(coordinator.describe('tx').errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });

  it('close answers waiting requests NOT_COORDINATOR and refuses new ones', async () => {
    const { coordinator, store } = runtime();
    coordinator.loaded(0, new Map(), 0);
    store.hold = true;
    const waiting = coordinator.initProducerId({ transactionalId: 'tx', transactionTimeoutMs: 1000, current: null });
    coordinator.close();
    expect((await waiting).errorCode).toBe(ErrorCode.NOT_COORDINATOR);
    const after = await coordinator.initProducerId({
      transactionalId: 'tx',
      transactionTimeoutMs: 1000,
      current: null,
    });
    expect(after.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  });
});
