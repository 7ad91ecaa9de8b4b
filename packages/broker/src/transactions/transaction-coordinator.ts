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
import { type Clock, type Logger, silentLogger, systemClock } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { PartitionLifecycle } from '../coordinator-partitions.ts';
import { CoordinatorRuntime, type LoadedSlot } from '../coordinator-runtime.ts';
import { type GroupTimers, realGroupTimers } from '../groups/group-timers.ts';
import { TransactionMachine } from './transaction-machine.ts';
import type { LoadedTransactions, TransactionStore } from './transaction-state-store.ts';
import {
  type AddOffsetsInput,
  type AddPartitionsInput,
  defaultTransactionCoordinatorConfig,
  type EndTxnInput,
  type EndTxnResult,
  type InitProducerIdInput,
  type InitProducerIdResult,
  partitionForTransactionalId,
  type TransactionCoordinatorConfig,
  type TransactionDescription,
} from './txn-api.ts';
import {
  type Effects,
  endError,
  initError,
  type MarkerRequest,
  type NextProducerId,
  type ReplyByKind,
  type ReplyKind,
  type WriteRequest,
} from './txn-core.ts';
import type { MarkerWriter, TransactionsView } from './txn-ports.ts';
import type { PartitionVerdict, VerifyInput } from './txn-verify.ts';

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

export class TransactionCoordinator implements PartitionLifecycle<LoadedTransactions>, TransactionsView {
  readonly config: TransactionCoordinatorConfig;
  readonly #options: TransactionCoordinatorOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #runtime: CoordinatorRuntime<Effects, TransactionMachine>;

  constructor(options: TransactionCoordinatorOptions) {
    this.config = { ...defaultTransactionCoordinatorConfig, ...options.config };
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger();
    this.#runtime = new CoordinatorRuntime<Effects, TransactionMachine>({
      clock: this.#clock,
      timers: options.timers ?? realGroupTimers,
      logger: this.#logger,
      name: 'transaction coordinator',
      expireIntervalMs: options.expirationCheckIntervalMs ?? transactionalIdExpirationCheckIntervalMsDefault,
      carryOut: (partition, slot, effects) => {
        for (const write of effects.writes) void this.#write(partition, slot, write);
        for (const request of effects.markers) void this.#writeMarkers(partition, slot, request);
      },
    });
  }

  partitionFor(transactionalId: string): number {
    return partitionForTransactionalId(transactionalId, this.#options.partitionCount());
  }

  loading(partition: number): void {
    this.#runtime.loading(partition);
  }

  loaded(partition: number, state: LoadedTransactions, leaderEpoch: number): void {
    const machine = new TransactionMachine({
      config: this.config,
      coordinatorEpoch: leaderEpoch,
      nextProducerId: this.#options.nextProducerId,
      loaded: state,
    });
    this.#logger.info({ partition, leaderEpoch, transactionalIds: state.size }, 'transaction coordinator loaded');
    // Resumed at once: transactions the previous coordinator prepared get their markers again.
    this.#runtime.loaded(partition, machine, machine.resume(this.#clock.nowMs()));
  }

  unloaded(partition: number): void {
    this.#runtime.drop(partition);
  }

  /** Stops the timers; parked requests are answered NOT_COORDINATOR; markers in flight are cancelled. */
  close(): void {
    this.#runtime.close();
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

  endTxn(input: EndTxnInput): Promise<EndTxnResult> {
    return this.#call('endTxn', input.transactionalId, endError, (m, t, now) => m.endTxn(t, input, now));
  }

  describe(transactionalId: string): { errorCode: number; transaction: TransactionDescription | null } {
    const slot = this.#runtime.route(this.partitionFor(transactionalId));
    if (typeof slot === 'number') return { errorCode: slot, transaction: null };
    const transaction = slot.machine.describe(transactionalId);
    const errorCode = transaction === null ? ErrorCode.TRANSACTIONAL_ID_NOT_FOUND : ErrorCode.NONE;
    return { errorCode, transaction };
  }

  /**
   * KIP-890 part 1: whether each partition is in the producer's ongoing
   * transaction (txn-verify.ts); the routing error for every partition
   * when this broker does not serve the id's partition (yet).
   */
  verify(input: VerifyInput): PartitionVerdict[] {
    const slot = this.#runtime.route(this.partitionFor(input.transactionalId));
    if (typeof slot === 'number') return input.partitions.map((p) => ({ ...p, errorCode: slot }));
    return slot.machine.verify(input);
  }

  list(): { errorCode: number; transactions: TransactionDescription[] } {
    const errorCode = this.#runtime.counts().loading > 0 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
    const transactions: TransactionDescription[] = [];
    for (const [, slot] of this.#runtime.loadedSlots()) transactions.push(...slot.machine.list());
    return { errorCode, transactions };
  }

  /** For metrics: hosted partitions by status. */
  partitionCounts(): { loading: number; loaded: number } {
    return this.#runtime.counts();
  }

  /** Runs the transactional-id expiry now (it also runs every expirationCheckIntervalMs). */
  expire(): void {
    this.#runtime.expire();
  }

  #call<K extends ReplyKind>(
    kind: K,
    transactionalId: string,
    fail: (errorCode: number) => ReplyByKind[K],
    step: (machine: TransactionMachine, ticket: number, nowMs: number) => Effects,
  ): Promise<ReplyByKind[K]> {
    return this.#runtime.call(kind, this.partitionFor(transactionalId), fail, step);
  }

  async #write(partition: number, slot: LoadedSlot<TransactionMachine>, write: WriteRequest): Promise<void> {
    const result = await this.#options.store.write(write.transactionalId, write.value);
    if (!result.ok) {
      this.#logger.warn(
        { partition, transactionalId: write.transactionalId, error: result.error },
        'transaction state write failed',
      );
    }
    // The partition moved meanwhile: abandon() already answered everyone waiting on this write.
    if (!this.#runtime.current(partition, slot)) return;
    this.#runtime.apply(partition, slot, slot.machine.written(write.writeId, result, this.#clock.nowMs()));
  }

  async #writeMarkers(partition: number, slot: LoadedSlot<TransactionMachine>, request: MarkerRequest): Promise<void> {
    // Once the partition moves its new coordinator sends these markers again, with its own epoch.
    const cancelled = (): boolean => !this.#runtime.current(partition, slot);
    const outcome = await this.#options.markers.write(request, cancelled);
    if (outcome === 'cancelled' || cancelled()) return;
    this.#runtime.apply(partition, slot, slot.machine.markersWritten(request.markersId, this.#clock.nowMs()));
  }
}

function code(errorCode: number): number {
  return errorCode;
}
