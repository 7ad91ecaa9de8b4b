/**
 * What a `__transaction_state` partition says, replayed in offset order:
 * the latest value per transactional id. A tombstone deletes the id; so
 * does a Dead value (Kafka never persists Dead: it is the in-memory state
 * of an id being expired, whose record is a tombstone — a Dead value on
 * disk can only mean the same).
 *
 * Pure: the loader (runtime, next step) feeds it decoded records and hands
 * `snapshot()` to a new TransactionMachine.
 */
import type { TransactionLogRecord, TransactionLogValue } from './transaction-records.ts';

export class TransactionLogState {
  readonly #values = new Map<string, TransactionLogValue>();

  apply(record: TransactionLogRecord): void {
    if (record.value === null || record.value.state === 'Dead') this.#values.delete(record.transactionalId);
    else this.#values.set(record.transactionalId, record.value);
  }

  /** The state so far; the caller must not apply more records after handing it on. */
  snapshot(): ReadonlyMap<string, TransactionLogValue> {
    return this.#values;
  }
}
