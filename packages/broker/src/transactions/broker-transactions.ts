/**
 * Transactions as a Broker part: the `__transaction_state` store (fed
 * PartitionManager's role changes) and the runtime coordinator on top of
 * it with its metrics; the markers' leader side (`applyTxnMarkers` through
 * this broker's partitions) and the MarkerWriter the coordinator uses
 * (default BrokerMarkerWriter: led here directly, else over gRPC); the
 * KIP-890 verifier Produce asks; the transaction calls this broker serves
 * to other brokers (TxnMarkers: Write, Verify); and the transaction APIs'
 * handlers.
 *
 * Owned by Broker; `close()` when it stops.
 */
import type { Clock, Logger } from '@runnel/common';
import type { MetadataImage } from '@runnel/metadata';
import type { Registry } from 'prom-client';
import type { BrokerConfig } from '../config.ts';
import { consumerOffsetsPartitionsDefault } from '../groups/types.ts';
import { type BrokerContext, type Handler, register } from '../handlers/handler.ts';
import { initProducerIdHandler } from '../handlers/init-producer-id.ts';
import { transactionHandlers } from '../handlers/transactions.ts';
import {
  describeProducersHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
} from '../handlers/transactions-admin.ts';
import { writeTxnMarkersHandler } from '../handlers/write-txn-markers.ts';
import { topicLimits } from '../log-config.ts';
import type { ProducerIdManager } from '../producers/producer-id-manager.ts';
import type { Partition } from '../replication/partition.ts';
import type { PartitionRole } from '../replication/partition-api.ts';
import type { TxnServices } from '../replication/replication-transport.ts';
import { type BrokerMarkerWriter, imageRouting, type MarkerTransport } from './broker-marker-writer.ts';
import { brokerMarkerHost, brokerMarkerWriter, grpcMarkerTransport } from './broker-markers.ts';
import { brokerTxnVerifier } from './broker-txn-verifier.ts';
import { TransactionCoordinator } from './transaction-coordinator.ts';
import { TransactionStateStore } from './transaction-state-store.ts';
import { transactionStateTopic } from './txn-api.ts';
import { applyTxnMarkers, type ConsumerOffsetsMarkerHook, type TxnMarkerHost } from './txn-marker-apply.ts';
import { registerTransactionMetrics } from './txn-metrics.ts';
import type { MarkerWriter, TransactionsView, TxnVerifier } from './txn-ports.ts';
import type { PartitionVerdict, VerifyInput } from './txn-verify.ts';

export interface BrokerTransactionsOptions {
  readonly config: BrokerConfig;
  readonly image: () => MetadataImage;
  /** This broker's replica of a partition, if it hosts one. */
  readonly partition: (topic: string, index: number) => Partition | undefined;
  readonly producerIds: ProducerIdManager;
  /** How the coordinator writes markers; default BrokerMarkerWriter (closed with this part). */
  readonly markerWriter: MarkerWriter | undefined;
  /** Told when a marker is committed on a `__consumer_offsets` partition led here (the group coordinator). */
  readonly onConsumerOffsetsMarker: ConsumerOffsetsMarkerHook;
  /** What DescribeTransactions / ListTransactions read; default this broker's coordinator. */
  readonly view: TransactionsView | undefined;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly clock: Clock;
}

export class BrokerTransactions {
  readonly coordinator: TransactionCoordinator;
  readonly markerWriter: MarkerWriter;
  /**
   * How a partition leader asks a producer's coordinator about its
   * partition: KIP-890 part 1 verification (only with
   * `verificationEnabled`) and part 2's implicit adds (always).
   */
  readonly verifier: TxnVerifier;
  /** transaction.partition.verification.enable */
  readonly verificationEnabled: boolean;
  /** What this broker answers other brokers on its replication port. */
  readonly services: TxnServices;
  readonly #options: BrokerTransactionsOptions;
  readonly #store: TransactionStateStore;
  /** Writes markers on the partitions this broker leads (WriteTxnMarkers, TxnMarkers.Write). */
  readonly #markerHost: TxnMarkerHost;
  readonly #transport: MarkerTransport;
  /** The default writer, closed with this part; null when the options gave one. */
  readonly #ownMarkerWriter: BrokerMarkerWriter | null;

  constructor(options: BrokerTransactionsOptions) {
    const { config, image, logger, clock } = options;
    this.#options = options;
    this.#markerHost = brokerMarkerHost({
      config,
      image,
      partition: options.partition,
      onConsumerOffsetsMarker: options.onConsumerOffsetsMarker,
      logger,
    });
    // Coordinators and partition leaders talk over the brokers' gRPC (TxnMarkers: Write and Verify).
    this.#transport = grpcMarkerTransport(logger.child({ component: 'txn-rpc' }));
    if (options.markerWriter === undefined) {
      const own = brokerMarkerWriter({
        nodeId: config.nodeId,
        image,
        host: this.#markerHost,
        transport: this.#transport,
        logger,
      });
      this.#ownMarkerWriter = own;
      this.markerWriter = own;
    } else {
      this.#ownMarkerWriter = null;
      this.markerWriter = options.markerWriter;
    }
    // The existing topic's count wins, as in FindCoordinator, so both hash ids to the same partition.
    const partitionCount = () =>
      image().topic(transactionStateTopic)?.partitions.length ?? config.transactionStateLogPartitions;
    const limits = () => topicLimits(image(), transactionStateTopic, config);
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
    this.coordinator = new TransactionCoordinator({
      store: this.#store,
      markers: this.markerWriter,
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
    // KIP-890: a transactional produce opening a transaction here asks (or, at version 2, tells) the producer's coordinator first.
    this.verificationEnabled = config.transactionPartitionVerificationEnable;
    this.verifier = brokerTxnVerifier({
      nodeId: config.nodeId,
      routing: imageRouting(image),
      statePartitions: () => image().topic(transactionStateTopic)?.partitions.length ?? null,
      local: (input) => this.#answerVerify(input),
      transport: this.#transport,
      logger: logger.child({ component: 'txn-verify' }),
    });
    this.services = {
      markers: async (request) => ({ markers: await applyTxnMarkers(this.#markerHost, request.markers) }),
      verify: async (request) => ({ partitions: await this.#answerVerify(request) }),
    };
  }

  /** This broker's coordinator on a leader's question: a check (part 1), or an add (part 2) answered per partition. */
  async #answerVerify(input: VerifyInput): Promise<readonly PartitionVerdict[]> {
    if (input.add !== true) return this.coordinator.verify(input);
    const errorCode = await this.coordinator.addPartitions({
      transactionalId: input.transactionalId,
      producerId: input.producerId,
      producerEpoch: input.producerEpoch,
      partitions: input.partitions,
      transactionVersion: 2,
    });
    return input.partitions.map((p) => ({ ...p, errorCode }));
  }

  /** The transaction APIs' handlers: producer ids, the coordinator's APIs, markers and the operators' APIs. */
  handlers(context: BrokerContext): Handler[] {
    const view = this.#options.view ?? this.coordinator;
    return [
      register(initProducerIdHandler(this.#options.producerIds, this.coordinator)),
      ...transactionHandlers(this.coordinator, { image: this.#options.image }),
      register(writeTxnMarkersHandler(this.#markerHost)),
      register(describeProducersHandler(context)),
      register(describeTransactionsHandler(view)),
      register(listTransactionsHandler(view, () => this.#options.clock.nowMs())),
    ];
  }

  /** PartitionManager's hook, for `__transaction_state` partitions. */
  onRoleChange(partition: Partition, before: PartitionRole, after: PartitionRole): void {
    this.#store.onRoleChange(partition, before, after);
  }

  close(): void {
    this.coordinator.close();
    this.#store.close();
    this.#ownMarkerWriter?.close();
    this.#transport.close();
  }
}
