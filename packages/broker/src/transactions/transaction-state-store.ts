/**
 * The transaction coordinator's persistence over the `__transaction_state`
 * partitions this broker leads (the shared CoordinatorPartitions, as the
 * group coordinator's OffsetsStore): each write is one record
 * (`encodeTransactionLogKey/Value`, a null value is the id's tombstone)
 * appended as leader to the id's partition and answered once committed
 * (acks=all); each change of leadership drives the coordinator's
 * lifecycle, and a load replays the partition into a TransactionLogState.
 *
 * Owned by Broker, which feeds it PartitionManager's role changes
 * (`onRoleChange`). Writes fail as data (StoreError).
 */
import type { Clock, Logger } from '@runnel/common';
import { loadCoordinatorPartition } from '../coordinator-loader.ts';
import { CoordinatorPartitions, type PartitionLifecycle } from '../coordinator-partitions.ts';
import type { Partition } from '../replication/partition.ts';
import { TransactionLogState } from './transaction-log-state.ts';
import {
  decodeTransactionLogRecord,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  type TransactionLogValue,
} from './transaction-records.ts';
import { partitionForTransactionalId, type StoreResult, transactionStateTopic } from './txn-api.ts';

/** What a loaded partition holds: the latest value per transactional id. */
export type LoadedTransactions = ReadonlyMap<string, TransactionLogValue>;

/** How long a write waits for the ISR before answering timed_out (as offsets.commit.timeout.ms does for groups). */
export const transactionStateWriteTimeoutMsDefault = 5000;

/** Where the coordinator's records go; a fake in unit tests. */
export interface TransactionStore {
  write(transactionalId: string, value: TransactionLogValue | null): Promise<StoreResult>;
}

export interface TransactionStateStoreOptions {
  /** This broker's replica of `__transaction_state` partition `index`, if it hosts one. */
  readonly partition: (index: number) => Partition | undefined;
  /** The topic's partition count (what partitionForTransactionalId divides by). */
  readonly partitionCount: () => number;
  readonly lifecycle: PartitionLifecycle<LoadedTransactions>;
  /** The topic's effective min.insync.replicas. */
  readonly minInsyncReplicas: () => number;
  /** The topic's effective max.message.bytes. */
  readonly messageBytesMax: () => number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly writeTimeoutMs?: number;
}

export class TransactionStateStore extends CoordinatorPartitions<LoadedTransactions> implements TransactionStore {
  readonly #options: TransactionStateStoreOptions;

  constructor(options: TransactionStateStoreOptions) {
    const { logger } = options;
    super({
      topic: transactionStateTopic,
      partition: options.partition,
      lifecycle: options.lifecycle,
      load: async (partition, current) => {
        const state = new TransactionLogState();
        const outcome = await loadCoordinatorPartition({
          partition,
          current,
          logger,
          apply: (key, value) => {
            const decoded = decodeTransactionLogRecord(key, value);
            if (decoded.ok) state.apply(decoded.value);
            return decoded.ok;
          },
        });
        return outcome === 'loaded' ? state.snapshot() : null;
      },
      describeLoaded: (state) => ({ transactionalIds: state.size }),
      minInsyncReplicas: options.minInsyncReplicas,
      messageBytesMax: options.messageBytesMax,
      commitTimeoutMs: options.writeTimeoutMs ?? transactionStateWriteTimeoutMsDefault,
      logger,
      clock: options.clock,
    });
    this.#options = options;
  }

  write(transactionalId: string, value: TransactionLogValue | null): Promise<StoreResult> {
    const index = partitionForTransactionalId(transactionalId, this.#options.partitionCount());
    const record = {
      key: encodeTransactionLogKey(transactionalId),
      value: value === null ? null : encodeTransactionLogValue(value),
    };
    return this.append(index, [record], transactionalId);
  }
}
