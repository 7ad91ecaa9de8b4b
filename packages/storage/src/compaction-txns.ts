/**
 * Transactions in a compaction pass, as Kafka's cleaner treats them (its
 * CleanedTransactionMetadata and the producer rule of Cleaner.cleanInto):
 *
 * - records of an aborted transaction are all removed (the aborted
 *   transaction index says which producer's batches from which offset up
 *   to its abort marker); committed transactional data is compacted by key
 *   like any other, and only committed records enter the key map;
 * - a marker (control batch) is kept while any batch of its transaction
 *   was met earlier in the same pass, which reads the log from its start;
 *   once none is, it may go, but only after delete.retention.ms: the pass
 *   that first finds it removable stamps it with a delete horizon (as a
 *   tombstone's batch), and a pass at or after the horizon drops it, so a
 *   consumer that read the transaction's records also gets to read its
 *   marker;
 * - a transaction still open is never seen: the pass stops below the
 *   first unstable offset (log-cleaner.ts);
 * - a producer's last batch (the one holding its last data offset, or its
 *   last marker when it has no data batch) is kept, emptied when its
 *   records go, so producer state rebuilt from the log keeps the
 *   producer's sequence and epoch.
 *
 * An abort marker that may go no longer needs its aborted-transaction
 * index entry (no record of the transaction is left): the pass lists those
 * entries in `unneededAborts` for PartitionLog to drop. Dropping is safe
 * before the cleaned segments are swapped in, because the pass found no
 * batch of the transaction in the original segments either.
 *
 * Pure and stateful for one pass over batches in offset order; one
 * instance per pass (another for the key map's own walk).
 */
import type { AbortedTxn } from './aborted-txn-index.ts';
import type { ProducerEntry } from './producer-state/producer-entry.ts';

/** What cleaning needs of a producer the log holds state for. */
export interface ProducerLastRecord {
  /** Last offset of its newest data batch; null when it has none (e.g. after an epoch bump by a marker). */
  readonly lastDataOffset: bigint | null;
  readonly epoch: number;
}

/** What compaction keeps of each producer in the log's producer table: its last data batch, or its last marker when it has none. */
export function lastRecordsOf(entries: Iterable<ProducerEntry>): Map<bigint, ProducerLastRecord> {
  const out = new Map<bigint, ProducerLastRecord>();
  for (const entry of entries) {
    out.set(entry.producerId, { lastDataOffset: entry.batches.at(-1)?.lastOffset ?? null, epoch: entry.epoch });
  }
  return out;
}

/** The header fields the rules look at. */
export interface TxnBatchHeader {
  readonly producerId: bigint;
  readonly producerEpoch: number;
  readonly lastOffset: bigint;
  readonly transactional: boolean;
  readonly control: boolean;
}

export type MarkerKind = 'commit' | 'abort' | 'other' | 'emptied';

interface OngoingAbort {
  readonly txn: AbortedTxn;
  batchSeen: boolean;
}

export class TxnCleaning {
  /** Aborted transactions not yet begun at the current offset, by first offset. */
  readonly #pending: AbortedTxn[];
  #next = 0;
  readonly #ongoingAborts = new Map<bigint, OngoingAbort>();
  /** Producers with a batch of a (committed) transaction met since their last marker. */
  readonly #ongoingCommits = new Set<bigint>();
  readonly #lastRecords: ReadonlyMap<bigint, ProducerLastRecord>;
  readonly unneededAborts: AbortedTxn[] = [];

  constructor(aborted: readonly AbortedTxn[], lastRecords: ReadonlyMap<bigint, ProducerLastRecord>) {
    this.#pending = [...aborted].sort((a, b) =>
      a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0,
    );
    this.#lastRecords = lastRecords;
  }

  /** A data batch: true when it belongs to an aborted transaction, so every record of it goes. */
  dataBatch(batch: TxnBatchHeader): boolean {
    this.#beginAbortsUpTo(batch.lastOffset);
    if (!batch.transactional) return false;
    const abort = this.#ongoingAborts.get(batch.producerId);
    if (abort !== undefined) {
      abort.batchSeen = true;
      return true;
    }
    this.#ongoingCommits.add(batch.producerId);
    return false;
  }

  /**
   * A control batch: true when no batch of the transaction it ends was met
   * in this pass, so it may go once its delete horizon has passed.
   */
  controlBatch(batch: TxnBatchHeader, kind: MarkerKind): boolean {
    this.#beginAbortsUpTo(batch.lastOffset);
    switch (kind) {
      case 'abort': {
        const abort = this.#ongoingAborts.get(batch.producerId);
        this.#ongoingAborts.delete(batch.producerId);
        if (abort?.batchSeen === true) return false;
        if (abort !== undefined) this.unneededAborts.push(abort.txn);
        return true;
      }
      case 'commit':
        return !this.#ongoingCommits.delete(batch.producerId);
      case 'emptied':
        // Already cleaned to an empty batch (kept as a producer's last): it says nothing any more.
        return true;
      case 'other':
        return false;
    }
  }

  /** Whether the batch holds its producer's last state, so it stays (emptied when its records go). */
  isProducersLast(batch: TxnBatchHeader): boolean {
    if (batch.producerId < 0n) return false;
    const last = this.#lastRecords.get(batch.producerId);
    if (last === undefined) return false;
    if (last.lastDataOffset !== null) return batch.lastOffset === last.lastDataOffset;
    return batch.control && batch.producerEpoch === last.epoch;
  }

  #beginAbortsUpTo(offset: bigint): void {
    for (let txn = this.#pending[this.#next]; txn !== undefined && txn.firstOffset <= offset; ) {
      this.#ongoingAborts.set(txn.producerId, { txn, batchSeen: false });
      this.#next++;
      txn = this.#pending[this.#next];
    }
  }
}
