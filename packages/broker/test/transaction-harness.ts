/**
 * Drives one TransactionMachine the way the coordinator runtime will, with
 * time, writes and markers under the test's control: writes resolve at
 * once (ok, or a set failure) unless `holdWrites` keeps them for
 * `resolveWrites`; markers wait for `writeMarkers`. Every committed record
 * is kept as the bytes Kafka's format gives it (`log`), so a failover test
 * can load a new machine from exactly what the partition would hold.
 */
import { err, ok } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { expect } from 'vitest';
import { TransactionLogState } from '../src/transactions/transaction-log-state.ts';
import { TransactionMachine } from '../src/transactions/transaction-machine.ts';
import {
  decodeTransactionLogRecord,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  type TransactionLogValue,
} from '../src/transactions/transaction-records.ts';
import {
  defaultTransactionCoordinatorConfig,
  type InitProducerIdInput,
  type StoreError,
  type TopicPartition,
  type TransactionCoordinatorConfig,
} from '../src/transactions/txn-api.ts';
import type {
  Effects,
  MarkerRequest,
  Reply,
  ReplyByKind,
  ReplyKind,
  WriteRequest,
} from '../src/transactions/txn-core.ts';

export const testConfig: TransactionCoordinatorConfig = defaultTransactionCoordinatorConfig;
export const timeoutMs = 60_000;
export const firstProducerId = 1000n;

export interface Producer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

export interface HarnessOptions {
  readonly config?: TransactionCoordinatorConfig;
  readonly loaded?: ReadonlyMap<string, TransactionLogValue>;
  readonly coordinatorEpoch?: number;
  readonly nowMs?: number;
  readonly nextProducerId?: bigint;
}

export class TxnHarness {
  readonly machine: TransactionMachine;
  readonly coordinatorEpoch: number;
  nowMs: number;
  holdWrites = false;
  failWrites: StoreError | null = null;
  /** While true the producer id source has no block at hand. */
  idsUnavailable = false;
  producerIdsTaken = 0;
  /** Every write the machine asked for, in order. */
  readonly writes: WriteRequest[] = [];
  readonly held: WriteRequest[] = [];
  /** Every marker request sent, and those not yet reported written. */
  readonly markers: MarkerRequest[] = [];
  readonly pendingMarkers: MarkerRequest[] = [];
  /** The committed records of the `__transaction_state` partition, as bytes. */
  readonly log: { readonly key: Buffer; readonly value: Buffer | null }[] = [];
  readonly #replies = new Map<number, Reply>();
  #nextTicket = 1;
  #nextId: bigint;

  constructor(options: HarnessOptions = {}) {
    this.nowMs = options.nowMs ?? 1_700_000_000_000;
    this.coordinatorEpoch = options.coordinatorEpoch ?? 5;
    this.#nextId = options.nextProducerId ?? firstProducerId;
    this.machine = new TransactionMachine({
      config: options.config ?? testConfig,
      coordinatorEpoch: this.coordinatorEpoch,
      nextProducerId: () => {
        if (this.idsUnavailable) return err('unavailable');
        this.producerIdsTaken++;
        return ok(this.#nextId++);
      },
      ...(options.loaded === undefined ? {} : { loaded: options.loaded }),
    });
  }

  /** A new coordinator for the same partition, loaded from the bytes this one committed (leader epoch + 1). */
  failover(config: TransactionCoordinatorConfig = testConfig): TxnHarness {
    const state = new TransactionLogState();
    for (const record of this.log) {
      const decoded = decodeTransactionLogRecord(record.key, record.value);
      if (!decoded.ok) throw new Error(`unreadable record: ${decoded.error}`);
      state.apply(decoded.value);
    }
    return new TxnHarness({
      config,
      loaded: state.snapshot(),
      coordinatorEpoch: this.coordinatorEpoch + 1,
      nowMs: this.nowMs,
      nextProducerId: this.#nextId + 100n,
    });
  }

  apply(effects: Effects): void {
    for (const r of effects.replies) {
      if (this.#replies.has(r.ticket)) throw new Error(`ticket ${r.ticket} answered twice`);
      this.#replies.set(r.ticket, r);
    }
    this.markers.push(...effects.markers);
    this.pendingMarkers.push(...effects.markers);
    for (const w of effects.writes) {
      this.writes.push(w);
      if (this.holdWrites) this.held.push(w);
      else this.#resolve(w, this.failWrites);
    }
  }

  resolveWrites(failure: StoreError | null = null): void {
    for (const w of this.held.splice(0)) this.#resolve(w, failure);
  }

  /** Reports every pending marker request written, as the runtime does once each partition has its marker. */
  writeMarkers(): void {
    for (const m of this.pendingMarkers.splice(0)) this.apply(this.machine.markersWritten(m.markersId, this.nowMs));
  }

  resume(): void {
    this.apply(this.machine.resume(this.nowMs));
  }

  advance(ms: number): void {
    this.nowMs += ms;
    this.apply(this.machine.tick(this.nowMs));
  }

  expire(): void {
    this.apply(this.machine.expire(this.nowMs));
  }

  init(transactionalId: string, overrides: Partial<InitProducerIdInput> = {}): number {
    const ticket = this.#nextTicket++;
    const input = { transactionalId, transactionTimeoutMs: timeoutMs, current: null, ...overrides };
    this.apply(this.machine.initProducerId(ticket, input, this.nowMs));
    return ticket;
  }

  add(transactionalId: string, p: Producer, partitions: readonly TopicPartition[]): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.addPartitions(ticket, { transactionalId, ...p, partitions }, this.nowMs));
    return ticket;
  }

  /** A partition leader's implicit add for a transaction version 2 client (Produce v12, TxnOffsetCommit v5). */
  addV2(transactionalId: string, p: Producer, partitions: readonly TopicPartition[]): number {
    const ticket = this.#nextTicket++;
    const input = { transactionalId, ...p, partitions, transactionVersion: 2 };
    this.apply(this.machine.addPartitions(ticket, input, this.nowMs));
    return ticket;
  }

  addOffsets(transactionalId: string, p: Producer, groupId: string): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.addOffsets(ticket, { transactionalId, ...p, groupId }, this.nowMs));
    return ticket;
  }

  /** EndTxn at transaction version 1 (EndTxn v0-4), or 2 (v5+). */
  end(transactionalId: string, p: Producer, commit: boolean, transactionVersion = 1): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.endTxn(ticket, { transactionalId, ...p, commit, transactionVersion }, this.nowMs));
    return ticket;
  }

  answered(ticket: number): boolean {
    return this.#replies.has(ticket);
  }

  got<K extends ReplyKind>(kind: K, ticket: number): ReplyByKind[K] {
    const reply = this.#replies.get(ticket);
    if (reply === undefined) throw new Error(`ticket ${ticket} not answered`);
    if (reply.kind !== kind) throw new Error(`ticket ${ticket} answered as ${reply.kind}, not ${kind}`);
    return reply.result as ReplyByKind[K];
  }

  /** InitProducerId that must succeed; returns the producer it made. */
  producer(transactionalId: string, overrides: Partial<InitProducerIdInput> = {}): Producer {
    const r = this.got('initProducerId', this.init(transactionalId, overrides));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    return { producerId: r.producerId, producerEpoch: r.producerEpoch };
  }

  /** A producer with a transaction open on `partitions`. */
  open(transactionalId: string, partitions: readonly TopicPartition[] = [tp('t', 0)]): Producer {
    const p = this.producer(transactionalId);
    expect(this.got('addPartitions', this.add(transactionalId, p, partitions))).toBe(ErrorCode.NONE);
    return p;
  }

  /** The value of the last write asked for `transactionalId` (null: a tombstone). */
  lastWrite(transactionalId: string): TransactionLogValue | null | undefined {
    return this.writes.filter((w) => w.transactionalId === transactionalId).at(-1)?.value;
  }

  /** The states of the writes asked for `transactionalId`, in order. */
  writtenStates(transactionalId: string): string[] {
    return this.writes.filter((w) => w.transactionalId === transactionalId).map((w) => w.value?.state ?? 'tombstone');
  }

  state(transactionalId: string): string | undefined {
    return this.machine.describe(transactionalId)?.state;
  }

  #resolve(w: WriteRequest, failure: StoreError | null): void {
    if (failure === null) {
      this.log.push({
        key: encodeTransactionLogKey(w.transactionalId),
        value: w.value === null ? null : encodeTransactionLogValue(w.value),
      });
    }
    this.apply(this.machine.written(w.writeId, failure === null ? ok(undefined) : err(failure), this.nowMs));
  }
}

export function tp(topic: string, partition: number): TopicPartition {
  return { topic, partition };
}
