/**
 * The transaction coordinator of one broker: a TransactionMachine per
 * `__transaction_state` partition this broker leads (its coordinator epoch
 * is the partition's leader epoch), driven by real requests, a timer per
 * partition at the machine's next deadline (timeouts, queued requests,
 * write retries), the periodic transactional-id expiry, the store that
 * persists its records and the MarkerWriter that puts commit/abort markers
 * on the transactions' partitions. The store drives which partitions are
 * hosted (PartitionLifecycle); a new partition's machine is resumed, so
 * transactions its previous coordinator prepared are completed here.
 *
 * Owned by the Broker, which forwards InitProducerId (with a transactional
 * id), AddPartitionsToTxn, AddOffsetsToTxn and EndTxn to it, and reads it
 * as the TransactionsView. Store failures are answers to clients; a store
 * or marker writer that throws is a bug and the rejection is left unhandled.
 */
import { assert, type Clock, type Logger, silentLogger, systemClock } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { PartitionLifecycle } from '../coordinator-partitions.ts';
import { type GroupTimers, realGroupTimers } from '../groups/group-timers.ts';
import { TransactionMachine } from './transaction-machine.ts';
import type { LoadedTransactions, TransactionStore } from './transaction-state-store.ts';
import {
  type AddOffsetsInput,
  type AddPartitionsInput,
  defaultTransactionCoordinatorConfig,
  type EndTxnInput,
  type InitProducerIdInput,
  type InitProducerIdResult,
  partitionForTransactionalId,
  type TransactionCoordinatorConfig,
  type TransactionDescription,
} from './txn-api.ts';
import {
  type Effects,
  initError,
  type MarkerRequest,
  type NextProducerId,
  type ReplyByKind,
  type ReplyKind,
  type WriteRequest,
} from './txn-core.ts';
import type { MarkerWriter, TransactionsView } from './txn-ports.ts';

/** transactions.remove.expired.transaction.cleanup.interval.ms */
export const transactionalIdExpirationCheckIntervalMsDefault = 60 * 60 * 1000;

export interface TransactionCoordinatorOptions {
  readonly store: TransactionStore;
  readonly markers: MarkerWriter;
  /** A producer id without waiting (ProducerIdManager.tryNext). */
  readonly nextProducerId: NextProducerId;
  /** `__transaction_state`'s partition count: the existing topic's, else transaction.state.log.num.partitions. */
  readonly partitionCount: () => number;
  readonly config?: Partial<TransactionCoordinatorConfig>;
  /** How often idle transactional ids are expired. */
  readonly expirationCheckIntervalMs?: number;
  readonly clock?: Clock;
  readonly timers?: GroupTimers;
  readonly logger?: Logger;
}

type LoadedSlot = { readonly kind: 'loaded'; readonly machine: TransactionMachine; cancel: () => void };
type Slot = { readonly kind: 'loading' } | LoadedSlot;

interface Parked {
  readonly kind: ReplyKind;
  readonly resolve: (result: never) => void;
}

const noTimer = (): void => {};

export class TransactionCoordinator implements PartitionLifecycle<LoadedTransactions>, TransactionsView {
  readonly config: TransactionCoordinatorConfig;
  readonly #options: TransactionCoordinatorOptions;
  readonly #clock: Clock;
  readonly #timers: GroupTimers;
  readonly #logger: Logger;
  readonly #slots = new Map<number, Slot>();
  readonly #parked = new Map<number, Parked>();
  #nextTicket = 1;
  #cancelExpiry: () => void = noTimer;
  #closed = false;

  constructor(options: TransactionCoordinatorOptions) {
    this.config = { ...defaultTransactionCoordinatorConfig, ...options.config };
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? realGroupTimers;
    this.#logger = options.logger ?? silentLogger();
    this.#scheduleExpiry();
  }

  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.#options.partitionCount());
  }

  loading(partition: number): void {
    this.#drop(partition);
    this.#slots.set(partition, { kind: 'loading' });
  }

  loaded(partition: number, state: LoadedTransactions, leaderEpoch: number): void {
    this.#drop(partition);
    const machine = new TransactionMachine({
      config: this.config,
      coordinatorEpoch: leaderEpoch,
      nextProducerId: this.#options.nextProducerId,
      loaded: state,
    });
    const slot: LoadedSlot = { kind: 'loaded', machine, cancel: noTimer };
    this.#slots.set(partition, slot);
    this.#logger.info({ partition, leaderEpoch, transactionalIds: state.size }, 'transaction coordinator loaded');
    this.#apply(partition, slot, machine.resume(this.#clock.nowMs()));
  }

  unloaded(partition: number): void {
    this.#drop(partition);
  }

  /** Stops the timers; parked requests are answered NOT_COORDINATOR; markers in flight are cancelled. */
  close(): void {
    this.#closed = true;
    this.#cancelExpiry();
    for (const partition of [...this.#slots.keys()]) this.#drop(partition);
  }

  initProducerId(input: InitProducerIdInput): Promise<InitProducerIdResult> {
    return this.#call('initProducerId', input.transactionalId, initError, (m, t, now) =>
      m.initProducerId(t, input, now),
    );
  }

  addPartitions(input: AddPartitionsInput): Promise<number> {
    return this.#call('addPartitions', input.transactionalId, code, (m, t, now) => m.addPartitions(t, input, now));
  }

  addOffsets(input: AddOffsetsInput): Promise<number> {
    return this.#call('addOffsets', input.transactionalId, code, (m, t, now) => m.addOffsets(t, input, now));
  }

  endTxn(input: EndTxnInput): Promise<number> {
    return this.#call('endTxn', input.transactionalId, code, (m, t, now) => m.endTxn(t, input, now));
  }

  describe(transactionalId: string): { errorCode: number; transaction: TransactionDescription | null } {
    const routed = this.#route(transactionalId);
    if (typeof routed === 'number') return { errorCode: routed, transaction: null };
    const transaction = routed.slot.machine.describe(transactionalId);
    const errorCode = transaction === null ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND : ErrorCode.NONE;
    return { errorCode, transaction };
  }

  list(): { errorCode: number; transactions: TransactionDescription[] } {
    let errorCode: number = ErrorCode.NONE;
    const transactions: TransactionDescription[] = [];
    for (const slot of this.#slots.values()) {
      if (slot.kind === 'loading') errorCode = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      else transactions.push(...slot.machine.list());
    }
    return { errorCode, transactions };
  }

  /** For metrics: hosted partitions by status. */
  partitionCounts(): { loading: number; loaded: number } {
    let loading = 0;
    for (const slot of this.#slots.values()) if (slot.kind === 'loading') loading++;
    return { loading, loaded: this.#slots.size - loading };
  }

  /** Runs the transactional-id expiry now (it also runs every expirationCheckIntervalMs). */
  expire(): void {
    const now = this.#clock.nowMs();
    for (const [partition, slot] of this.#slots) {
      if (slot.kind === 'loaded') this.#apply(partition, slot, slot.machine.expire(now));
    }
  }

  #route(transactionalId: string): { partition: number; slot: LoadedSlot } | number {
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const partition = this.partitionFor(transactionalId);
    const slot = this.#slots.get(partition);
    if (slot === undefined) return ErrorCode.NOT_COORDINATOR;
    if (slot.kind === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return { partition, slot };
  }

  #call<K extends ReplyKind>(
    kind: K,
    transactionalId: string,
    fail: (errorCode: number) => ReplyByKind[K],
    step: (machine: TransactionMachine, ticket: number, nowMs: number) => Effects,
  ): Promise<ReplyByKind[K]> {
    const routed = this.#route(transactionalId);
    if (typeof routed === 'number') return Promise.resolve(fail(routed));
    const ticket = this.#nextTicket++;
    const answer = new Promise<ReplyByKind[K]>((resolve) => {
      this.#parked.set(ticket, { kind, resolve });
    });
    this.#apply(routed.partition, routed.slot, step(routed.slot.machine, ticket, this.#clock.nowMs()));
    return answer;
  }

  #apply(partition: number, slot: LoadedSlot, effects: Effects): void {
    this.#answer(effects, true);
    for (const write of effects.writes) void this.#write(partition, slot, write);
    for (const request of effects.markers) void this.#writeMarkers(partition, slot, request);
    this.#rearm(partition, slot);
  }

  #answer(effects: Effects, strict: boolean): void {
    for (const reply of effects.replies) {
      const parked = this.#parked.get(reply.ticket);
      if (parked === undefined && !strict) continue;
      assert(
        parked !== undefined && parked.kind === reply.kind,
        `reply ${reply.kind} for unknown ticket ${reply.ticket}`,
      );
      this.#parked.delete(reply.ticket);
      (parked.resolve as (result: unknown) => void)(reply.result);
    }
  }

  async #write(partition: number, slot: LoadedSlot, write: WriteRequest): Promise<void> {
    const result = await this.#options.store.write(write.transactionalId, write.value);
    if (!result.ok) {
      this.#logger.warn(
        { partition, transactionalId: write.transactionalId, error: result.error },
        'transaction state write failed',
      );
    }
    // The partition moved meanwhile: abandon() already answered everyone waiting on this write.
    if (this.#slots.get(partition) !== slot) return;
    this.#apply(partition, slot, slot.machine.written(write.writeId, result, this.#clock.nowMs()));
  }

  async #writeMarkers(partition: number, slot: LoadedSlot, request: MarkerRequest): Promise<void> {
    // Once the partition moves its new coordinator sends these markers again, with its own epoch.
    const cancelled = (): boolean => this.#slots.get(partition) !== slot;
    const outcome = await this.#options.markers.write(request, cancelled);
    if (outcome === 'cancelled' || cancelled()) return;
    this.#apply(partition, slot, slot.machine.markersWritten(request.markersId, this.#clock.nowMs()));
  }

  #rearm(partition: number, slot: LoadedSlot): void {
    slot.cancel();
    slot.cancel = noTimer;
    const deadlineMs = slot.machine.nextDeadlineMs();
    if (deadlineMs === null) return;
    slot.cancel = this.#timers.schedule(deadlineMs - this.#clock.nowMs(), () => {
      slot.cancel = noTimer;
      if (this.#slots.get(partition) !== slot) return;
      this.#apply(partition, slot, slot.machine.tick(this.#clock.nowMs()));
    });
  }

  #drop(partition: number): void {
    const slot = this.#slots.get(partition);
    this.#slots.delete(partition);
    if (slot?.kind !== 'loaded') return;
    slot.cancel();
    // Replies only: writes and markers the abandoned machine still wanted are the next coordinator's.
    this.#answer(slot.machine.abandon(this.#clock.nowMs()), false);
    this.#logger.info({ partition }, 'transaction coordinator unloaded');
  }

  #scheduleExpiry(): void {
    const intervalMs = this.#options.expirationCheckIntervalMs ?? transactionalIdExpirationCheckIntervalMsDefault;
    this.#cancelExpiry = this.#timers.schedule(intervalMs, () => {
      if (this.#closed) return;
      this.expire();
      this.#scheduleExpiry();
    });
  }
}

function code(errorCode: number): number {
  return errorCode;
}
