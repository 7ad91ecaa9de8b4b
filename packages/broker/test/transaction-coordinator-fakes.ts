/**
 * Test doubles for the transaction coordinator runtime: a store that keeps
 * the latest value per transactional id (what a reload would find) and can
 * fail or hold writes, and a MarkerWriter whose requests wait until the
 * test releases them, with the `cancelled` callback the runtime passed.
 */
import { err, ManualClock, ok } from '@runnel/common';
import { TransactionCoordinator } from '../src/transactions/transaction-coordinator.ts';
import type { TransactionLogValue } from '../src/transactions/transaction-records.ts';
import type { TransactionStore } from '../src/transactions/transaction-state-store.ts';
import type { StoreError, StoreResult, TransactionCoordinatorConfig } from '../src/transactions/txn-api.ts';
import type { MarkerRequest } from '../src/transactions/txn-core.ts';
import type { MarkerWriter } from '../src/transactions/txn-ports.ts';
import { ManualTimers } from './groups-fakes.ts';

export class FakeTxnStore implements TransactionStore {
  /** Committed values, latest per id (a tombstone deletes). */
  readonly values = new Map<string, TransactionLogValue>();
  readonly writes: { transactionalId: string; value: TransactionLogValue | null }[] = [];
  failWith: StoreError | null = null;
  hold = false;
  readonly held: (() => void)[] = [];

  write(transactionalId: string, value: TransactionLogValue | null): Promise<StoreResult> {
    this.writes.push({ transactionalId, value });
    const finish = (): StoreResult => {
      if (this.failWith !== null) return err(this.failWith);
      if (value === null) this.values.delete(transactionalId);
      else this.values.set(transactionalId, value);
      return ok(undefined);
    };
    if (!this.hold) return Promise.resolve(finish());
    return new Promise((resolve) => this.held.push(() => resolve(finish())));
  }

  /** The states written, in order, for one id ('tombstone' for a deletion). */
  statesOf(transactionalId: string): string[] {
    return this.writes
      .filter((w) => w.transactionalId === transactionalId)
      .map((w) => (w.value === null ? 'tombstone' : w.value.state));
  }
}

export interface PendingMarkers {
  readonly request: MarkerRequest;
  readonly cancelled: () => boolean;
  readonly finish: (outcome: 'written' | 'cancelled') => void;
}

export class FakeMarkers implements MarkerWriter {
  readonly pending: PendingMarkers[] = [];
  readonly sent: MarkerRequest[] = [];

  write(request: MarkerRequest, cancelled: () => boolean): Promise<'written' | 'cancelled'> {
    this.sent.push(request);
    return new Promise((resolve) => this.pending.push({ request, cancelled, finish: resolve }));
  }

  /** Reports every pending request written, oldest first. */
  writeAll(): void {
    for (const p of this.pending.splice(0)) p.finish('written');
  }
}

export interface RuntimeSetup {
  readonly coordinator: TransactionCoordinator;
  readonly store: FakeTxnStore;
  readonly markers: FakeMarkers;
  readonly clock: ManualClock;
  readonly timers: ManualTimers;
  /** Set false to make the producer id source answer 'unavailable'. */
  ids: { available: boolean; next: bigint };
}

export function runtime(
  options: {
    config?: Partial<TransactionCoordinatorConfig>;
    expirationCheckIntervalMs?: number;
    partitions?: number;
  } = {},
): RuntimeSetup {
  const clock = new ManualClock();
  const timers = new ManualTimers(clock);
  const store = new FakeTxnStore();
  const markers = new FakeMarkers();
  const ids = { available: true, next: 4000n };
  const coordinator = new TransactionCoordinator({
    store,
    markers,
    nextProducerId: () => {
      if (!ids.available) return err('unavailable');
      const id = ids.next;
      ids.next += 1n;
      return ok(id);
    },
    partitionCount: () => options.partitions ?? 1,
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.expirationCheckIntervalMs === undefined
      ? {}
      : { expirationCheckIntervalMs: options.expirationCheckIntervalMs }),
    clock,
    timers,
  });
  return { coordinator, store, markers, clock, timers, ids };
}
