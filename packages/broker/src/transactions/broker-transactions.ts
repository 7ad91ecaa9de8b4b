/**
 * The transaction coordinator as a Broker part: the `__transaction_state`
 * store (fed PartitionManager's role changes), the runtime coordinator on
 * top of it and its metrics; markers go through the Broker's MarkerWriter
 * (BrokerMarkerWriter: partition leaders here and over gRPC).
 *
 * Owned by Broker; `close()` when it stops.
 */
import type { Clock, Logger } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import type { Registry } from 'prom-client';
import type { BrokerConfig } from '../config.ts';
import { consumerOffsetsPartitionsDefault } from '../groups/types.ts';
import { topicLimits } from '../log-config.ts';
import type { ProducerIdManager } from '../producers/producer-id-manager.ts';
import type { Partition } from '../replication/partition.ts';
import type { PartitionRole } from '../replication/partition-api.ts';
import { TransactionCoordinator } from './transaction-coordinator.ts';
import { TransactionStateStore } from './transaction-state-store.ts';
import { transactionStateTopic } from './txn-api.ts';
import { registerTransactionMetrics } from './txn-metrics.ts';
import type { MarkerWriter } from './txn-ports.ts';

export interface BrokerTransactionsOptions {
  readonly config: BrokerConfig;
  readonly image: () => MetadataImage;
  /** This broker's replica of a partition, if it hosts one. */
  readonly partition: (topic: string, index: number) => Partition | undefined;
  readonly producerIds: ProducerIdManager;
  readonly markerWriter: MarkerWriter;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
}

export class BrokerTransactions {
  readonly coordinator: TransactionCoordinator;
  readonly #store: TransactionStateStore;

  constructor(options: BrokerTransactionsOptions) {
    const { config, image, logger, clock } = options;
    // The existing topic's count wins, as in FindCoordinator, so both hash ids to the same partition.
    const partitionCount = () =>
      image().topic(transactionStateTopic)?.partitions.length ?? config.transactionStateLogPartitions;
    const limits = () => topicLimits(image().configOverrides('topic', transactionStateTopic), config);
    this.#store = new TransactionStateStore({
      partition: (i) => options.partition(transactionStateTopic, i),
      partitionCount,
      lifecycle: {
        loading: (p) => this.coordinator.loading(p),
        loaded: (p, state, leaderEpoch) => this.coordinator.loaded(p, state, leaderEpoch),
        unloaded: (p) => this.coordinator.unloaded(p),
      },
      minInsyncReplicas: () => limits().minInsyncReplicas,
      messageBytesMax: () => limits().messageBytesMax,
      logger: logger.child({ component: 'transaction-state-store' }),
      clock,
    });
    const markers = options.markerWriter;
    this.coordinator = new TransactionCoordinator({
      store: this.#store,
      markers,
      nextProducerId: () => options.producerIds.tryNext(),
      partitionCount,
      config: {
        transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
        transactionalIdExpirationMs: config.transactionalIdExpirationMs,
        // As the group coordinator, which hashes groups over the same count.
        offsetsTopicPartitions: consumerOffsetsPartitionsDefault,
      },
      expirationCheckIntervalMs: config.transactionalIdExpirationCheckIntervalMs,
      clock,
      logger: logger.child({ component: 'transaction-coordinator' }),
    });
    registerTransactionMetrics(options.registry, this.coordinator);
  }

  /** PartitionManager's hook, for `__transaction_state` partitions. */
  onRoleChange(partition: Partition, before: PartitionRole, after: PartitionRole): void {
    this.#store.onRoleChange(partition, before, after);
  }

  close(): void {
    this.coordinator.close();
    this.#store.close();
  }
}
