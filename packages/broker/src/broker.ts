/**
 * A broker process's Kafka side: the listener, the request handlers, the
 * partitions it hosts, and its HTTP endpoint for metrics and probes.
 *
 * The broker learns metadata only by replaying committed records from the
 * ControllerChannel into its own MetadataImage; it never reads controller
 * internals. Owned by whoever started it (the CLI, a test); `stop()` closes
 * the listener, the HTTP server and every log, after which the object is
 * dead. A failure while starting rejects `start()` after cleaning up.
 * `start()` resolves once the broker serves Kafka requests, which it does
 * only once it is live in its own metadata (see README, "Start order").
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Clock, createLogger, type Logger, systemClock } from '@runnel/common';
import { brokerLayersOf, MetadataImage, replayBatch } from '@runnel/metadata';
import type { ControllerChannel } from '@runnel/rpc';
import { type FileSystem, nodeFileSystem } from '@runnel/storage';
import { Registry } from 'prom-client';
import { type BrokerConfig, kafkaConfigMap } from './config.ts';
import { ControllerSession } from './controller-session.ts';
import {
  listenerAdmission,
  type RuntimeBrokerSettings,
  runtimeBrokerSettings,
  sameRuntimeSettings,
} from './dynamic-config.ts';
import { GroupCoordinator } from './groups/group-coordinator.ts';
import { registerGroupMetrics } from './groups/group-metrics.ts';
import { OffsetsStore } from './groups/offsets-store.ts';
import { consumerOffsetsPartitionsDefault, consumerOffsetsTopic } from './groups/types.ts';
import { alterConfigsHandler, incrementalAlterConfigsHandler } from './handlers/admin-configs.ts';
import { electLeadersHandler } from './handlers/admin-elect-leaders.ts';
import { createPartitionsHandler } from './handlers/admin-partitions.ts';
import {
  alterPartitionReassignmentsHandler,
  listPartitionReassignmentsHandler,
} from './handlers/admin-reassignments.ts';
import { createTopicsHandler, deleteTopicsHandler } from './handlers/admin-topics.ts';
import { advertisedFeatures, apiVersionsHandler } from './handlers/api-versions.ts';
import { alterClientQuotasHandler, describeClientQuotasHandler } from './handlers/client-quotas.ts';
import { deleteRecordsHandler } from './handlers/delete-records.ts';
import { describeClusterHandler } from './handlers/describe-cluster.ts';
import { describeConfigsHandler } from './handlers/describe-configs.ts';
import { describeLogDirsHandler } from './handlers/describe-log-dirs.ts';
import { describeQuorumHandler } from './handlers/describe-quorum.ts';
import { describeTopicPartitionsHandler } from './handlers/describe-topic-partitions.ts';
import { fetchHandler } from './handlers/fetch.ts';
import { findCoordinatorHandler } from './handlers/find-coordinator.ts';
import { groupHandlers } from './handlers/group-handlers.ts';
import { type BrokerContext, type Handler, register } from './handlers/handler.ts';
import { listOffsetsHandler } from './handlers/list-offsets.ts';
import { metadataHandler } from './handlers/metadata.ts';
import { offsetForLeaderEpochHandler } from './handlers/offset-for-leader-epoch.ts';
import { produceHandler } from './handlers/produce.ts';
import { updateFeaturesHandler } from './handlers/update-features.ts';
import { HttpServer } from './http-server.ts';
import { brokerLayers, topicLimits } from './log-config.ts';
import { LoggerLevels } from './logger-levels.ts';
import { metaPropertiesFileName, readMetaProperties, writeMetaProperties } from './meta-properties.ts';
import { BrokerMetrics } from './metrics.ts';
import { ConnectionMetrics } from './network/connection-metrics.ts';
import { FramePool } from './network/frame-pool.ts';
import { KafkaServer } from './network/kafka-server.ts';
import { connectionsWithinLimit, readOpenFilesLimit } from './open-files-budget.ts';
import { PartitionManager } from './partition-manager.ts';
import { ProducerIdManager } from './producers/producer-id-manager.ts';
import { registerProducerStateMetrics } from './producers/producer-state-metrics.ts';
import { ClientQuotaManager } from './quotas/client-quota-manager.ts';
import { ControllerMutationQuotas } from './quotas/mutation-quota.ts';
import type { Partition } from './replication/partition.ts';
import { ReplicaManager, replicationListenerName } from './replication/replica-manager.ts';
import { RequestProcessor } from './request-processor.ts';
import { readCleanShutdownMarker, writeCleanShutdownMarker } from './shutdown-marker.ts';
import { BrokerTransactions } from './transactions/broker-transactions.ts';
import type { ConsumerOffsetsMarkerHook } from './transactions/txn-marker-apply.ts';
import type { MarkerWriter, TransactionsView } from './transactions/txn-ports.ts';

export interface BrokerOptions {
  config: BrokerConfig;
  controller: ControllerChannel;
  logger?: Logger;
  clock?: Clock;
  /** Also export Node process metrics (off when several brokers share a process). */
  processMetrics?: boolean;
  /** More registries served on this broker's /metrics (combined mode: the in-process controller's). */
  extraMetrics?: readonly Registry[];
  /** Every file the broker touches goes through it; the real disk unless a test injects faults. */
  fs?: FileSystem;
  /** How the transaction coordinator writes markers; default: this broker's partitions and gRPC to other leaders. */
  markerWriter?: MarkerWriter;
  /** Told when a transaction marker is committed on a `__consumer_offsets` partition led here. */
  onConsumerOffsetsMarker?: ConsumerOffsetsMarkerHook;
  /** What DescribeTransactions / ListTransactions answer from; default: this broker's transaction coordinator. */
  transactions?: TransactionsView;
  /**
   * Overwrite recycled request frames the moment they are released (see
   * FramePool), so a test catches any early release; default: on when the
   * environment sets RUNNEL_POISON_RELEASED_FRAMES=1.
   */
  poisonReleasedFrames?: boolean;
}

/** Produce frames pooled: above one socket read (smaller ones are rarely assembled), up to 16 MiB. */
const pooledFrameBytesMin = 64 * 1024;
const pooledFrameBytesMax = 16 * 1024 * 1024;
/** Free frame memory a broker keeps for reuse. */
const pooledFreeBytesMax = 32 * 1024 * 1024;

export class Broker {
  readonly config: BrokerConfig;
  readonly metrics: BrokerMetrics;
  readonly #connectionMetrics: ConnectionMetrics;
  readonly #logger: Logger;
  readonly #loggers: LoggerLevels;
  /** The settings dynamic broker configs change, as last applied (see #applyRuntimeSettings). */
  #runtime: RuntimeBrokerSettings;
  readonly #partitions: PartitionManager;
  readonly #clock: Clock;
  readonly #fs: FileSystem;
  #unsubscribe: () => void = () => {};
  #replication: ReplicaManager | null = null;
  #checkpointTimer: NodeJS.Timeout | null = null;
  #producerExpiryTimer: NodeJS.Timeout | null = null;
  #image: MetadataImage;
  #server: KafkaServer | null = null;
  #http: HttpServer | null = null;
  #retentionTimer: NodeJS.Timeout | null = null;
  readonly #offsets: OffsetsStore;
  readonly #groups: GroupCoordinator;
  readonly #transactions: BrokerTransactions;
  #ready = false;
  #session: ControllerSession | null = null;
  /** Set while start() waits for this broker to appear live in the image; called after each replayed batch. */
  #onImage: (() => void) | null = null;

  /** The cluster this broker's data directory belongs to (meta.properties); null before its first registration. */
  #storedClusterId: string | null;
  readonly #extraMetrics: readonly Registry[];
  readonly #framePool: FramePool;

  private constructor(options: BrokerOptions, storedClusterId: string | null) {
    this.config = options.config;
    this.#storedClusterId = storedClusterId;
    this.#extraMetrics = options.extraMetrics ?? [];
    this.#framePool = new FramePool({
      frameBytesMin: pooledFrameBytesMin,
      frameBytesMax: pooledFrameBytesMax,
      freeBytesMax: pooledFreeBytesMax,
      poisonReleased: options.poisonReleasedFrames ?? process.env.RUNNEL_POISON_RELEASED_FRAMES === '1',
    });
    const clock = options.clock ?? systemClock;
    this.#clock = clock;
    this.#fs = options.fs ?? nodeFileSystem;
    this.#logger = (options.logger ?? createLogger({ name: 'broker' })).child({ nodeId: options.config.nodeId });
    this.#loggers = new LoggerLevels(this.#logger);
    this.#runtime = runtimeBrokerSettings(brokerLayers(MetadataImage.empty, options.config));
    this.#partitions = new PartitionManager({
      config: options.config,
      logger: this.#logger,
      clock,
      fs: this.#fs,
      onRoleChange: (p, before, after) => {
        this.#offsets.onRoleChange(p, before, after);
        this.#transactions.onRoleChange(p, before, after);
      },
      // The controller hears of it in the next heartbeat; sent now so leadership moves without waiting for one.
      onLogDirChange: () => this.#session?.beatSoon(),
      onStorageFault: (code) => this.metrics.storageErrors.inc({ code }),
    });
    // Consumer groups: the coordinator keeps group state; the store persists it in __consumer_offsets and
    // tells the coordinator which of that topic's partitions this broker leads (and so coordinates).
    const offsetsLimits = () => topicLimits(this.#image, consumerOffsetsTopic, options.config);
    this.#offsets = new OffsetsStore({
      partition: (i) => this.#partitions.get(consumerOffsetsTopic, i),
      partitionCount: () =>
        this.#image.topic(consumerOffsetsTopic)?.partitions.length ?? consumerOffsetsPartitionsDefault,
      lifecycle: {
        loading: (p) => this.#groups.loading(p),
        loaded: (p, state) => this.#groups.loaded(p, state),
        unloaded: (p) => this.#groups.unloaded(p),
      },
      minInsyncReplicas: () => offsetsLimits().minInsyncReplicas,
      messageBytesMax: () => offsetsLimits().messageBytesMax,
      logger: this.#logger.child({ component: 'offsets-store' }),
      clock,
    });
    this.#groups = new GroupCoordinator({
      store: this.#offsets,
      config: {
        initialRebalanceDelayMs: options.config.groupInitialRebalanceDelayMs,
        sessionTimeoutMsMin: options.config.groupMinSessionTimeoutMs,
      },
      clock,
      logger: this.#logger.child({ component: 'group-coordinator' }),
    });
    this.metrics = new BrokerMetrics(
      {
        partitionCount: () => this.#partitions.count,
        segmentCount: () => sum(this.#partitions.all(), (p) => p.log.segmentCount),
        logSizeBytes: () => sum(this.#partitions.all(), (p) => p.log.sizeBytes),
        connectionCount: () => this.#server?.connectionCount ?? 0,
        producerIdCount: () => sum(this.#partitions.all(), (p) => p.log.producerCount),
        pooledFrames: () => this.#framePool.stats,
        segmentFiles: () => this.#partitions.segmentFiles,
        offlineLogDirCount: () => this.#partitions.offlineLogDirCount,
        requestBudget: () => this.#server?.requestBudget ?? null,
      },
      { defaultMetrics: options.processMetrics ?? false },
    );
    this.#connectionMetrics = new ConnectionMetrics(this.metrics.registry);
    const producerIds = new ProducerIdManager({
      allocate: () =>
        options.controller.call('allocateProducerIds', {
          brokerId: options.config.nodeId,
          brokerEpoch: this.#session?.brokerEpoch ?? -1n,
        }),
      logger: this.#logger.child({ component: 'producer-ids' }),
    });
    const committedOffsets = () => this.#groups.committedOffsets();
    registerGroupMetrics(this.metrics.registry, { committedOffsets, replica: (t, p) => this.#partitions.get(t, p) });
    registerProducerStateMetrics(this.metrics.registry, {
      partitions: () => this.#partitions.all(),
      nowMs: () => clock.nowMs(),
    });
    this.#image = MetadataImage.empty;
    this.#transactions = new BrokerTransactions({
      config: options.config,
      image: () => this.#image,
      partition: (t, i) => this.#partitions.get(t, i),
      producerIds,
      markerWriter: options.markerWriter,
      // A committed marker on __consumer_offsets ends the producer's pending offset commits there.
      onConsumerOffsetsMarker:
        options.onConsumerOffsetsMarker ??
        ((index, producerId, result, markerOffset) =>
          this.#groups.completeTransaction(index, producerId, result, markerOffset)),
      view: options.transactions,
      registry: this.metrics.registry,
      logger: this.#logger,
      clock,
    });
    const quotaWindow = {
      samples: options.config.quotaWindowNum,
      windowMs: options.config.quotaWindowSizeSeconds * 1000,
    };
    const quotas = new ClientQuotaManager({
      window: quotaWindow,
      quotas: () => this.#image.clientQuotas,
      registry: this.metrics.registry,
    });
    const context: BrokerContext = {
      config: options.config,
      clusterId: () => this.clusterId,
      logger: this.#logger,
      clock,
      metrics: this.metrics,
      partitions: this.#partitions,
      controller: options.controller,
      image: () => this.#image,
      advertised: () => ({
        host: options.config.advertisedHost ?? options.config.host,
        port: options.config.advertisedPort ?? this.port,
      }),
      kafkaConfig: () => kafkaConfigMap(options.config, this.port),
      configLayers: () => brokerLayersOf(this.#image, options.config.nodeId, kafkaConfigMap(options.config, this.port)),
      autoCreateTopics: () => this.#runtime.autoCreateTopics,
      loggers: this.#loggers,
      clientQuotas: quotas,
      mutationQuotas: new ControllerMutationQuotas({ window: quotaWindow, quotas: () => this.#image.clientQuotas }),
    };
    const handlers: Handler[] = [
      register(produceHandler(context, this.#transactions.verifier, this.#transactions.verificationEnabled)),
      register(fetchHandler(context)),
      register(listOffsetsHandler(context)),
      register(offsetForLeaderEpochHandler(context)),
      register(metadataHandler(context)),
      register(findCoordinatorHandler(context)),
      register(createTopicsHandler(context)),
      register(deleteTopicsHandler(context)),
      register(describeConfigsHandler(context)),
      register(alterConfigsHandler(context)),
      register(createPartitionsHandler(context)),
      register(incrementalAlterConfigsHandler(context)),
      register(describeClusterHandler(context)),
      register(describeTopicPartitionsHandler(context)),
      register(alterPartitionReassignmentsHandler(context)),
      register(listPartitionReassignmentsHandler(context)),
      register(electLeadersHandler(context)),
      register(deleteRecordsHandler(context)),
      register(describeLogDirsHandler(context)),
      register(describeQuorumHandler(context)),
      register(updateFeaturesHandler(context)),
      register(describeClientQuotasHandler(context)),
      register(alterClientQuotasHandler(context)),
      ...groupHandlers(this.#groups, { image: () => this.#image, txnPartitions: this.#transactions.verifier }),
      ...this.#transactions.handlers(context),
    ];
    this.#processor = new RequestProcessor(handlers, this.#logger, this.metrics, this.#framePool, quotas);
    this.#processor.addHandler(
      register(
        apiVersionsHandler(new Set([...this.#processor.servedApiKeys, 18]), () =>
          advertisedFeatures(this.#image, options.config.transactionVersion),
        ),
      ),
    );
    this.#controller = options.controller;
  }

  readonly #processor: RequestProcessor;
  readonly #controller: ControllerChannel;

  static async start(options: BrokerOptions): Promise<Broker> {
    const fs = options.fs ?? nodeFileSystem;
    await fs.mkdirp(options.config.dataDir);
    const storedClusterId = await readClusterId(fs, options.config.dataDir, options.config.nodeId, options.logger);
    const broker = new Broker(options, storedClusterId);
    try {
      await broker.#start();
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  /** max.connections, capped by what the process's descriptor limit leaves (open-files-budget.ts). */
  #connectionsMax(configured: number): number {
    return connectionsWithinLimit(configured, readOpenFilesLimit(), this.#partitions.segmentFiles.handlesMax);
  }

  /** The listener's admission limits, with max.connections kept within what the open-files limit leaves. */
  #admission(settings: RuntimeBrokerSettings): ReturnType<typeof listenerAdmission> {
    return { ...listenerAdmission(settings), connectionsMax: this.#connectionsMax(settings.connectionsMax) };
  }

  /** Hands changed dynamic broker configs to the parts that use them (partition logs follow on their own). */
  #applyRuntimeSettings(): void {
    const next = runtimeBrokerSettings(brokerLayers(this.#image, this.config));
    if (sameRuntimeSettings(this.#runtime, next)) return;
    this.#runtime = next;
    this.#replication?.reconfigure({
      fetchWaitMaxMs: next.replicaFetchWaitMaxMs,
      fetchResponseBytesMax: next.replicaFetchResponseBytesMax,
      throttledRateBytesPerSec: next.followerThrottleBytesPerSec,
    });
    this.#server?.reconfigure(this.#admission(next));
    this.#logger.info({ ...next }, 'dynamic broker configs applied');
  }

  async #start(): Promise<void> {
    const config = this.config;
    const previousShutdownClean = await readCleanShutdownMarker(this.#fs, config.dataDir);
    // A directory that never joined a cluster had no previous run to speak of.
    if (!previousShutdownClean && this.#storedClusterId !== null)
      this.#logger.info('previous run did not stop cleanly; telling the controller');
    await this.#partitions.loadCheckpoint();
    this.#replication = await ReplicaManager.start({
      config: {
        nodeId: config.nodeId,
        host: config.host,
        port: config.replicationPort,
        lagTimeMaxMs: config.replicaLagTimeMaxMs,
        fetchWaitMaxMs: this.#runtime.replicaFetchWaitMaxMs,
        fetchResponseBytesMax: this.#runtime.replicaFetchResponseBytesMax,
        fetchBackoffMs: config.replicaFetchBackoffMs,
        fetchTimeoutMs: config.replicaSocketTimeoutMs,
        throttledRateBytesPerSec: this.#runtime.followerThrottleBytesPerSec,
      },
      channel: { alterPartition: (request) => this.#controller.call('alterPartition', request) },
      logger: this.#logger,
      clock: this.#clock,
      registry: this.metrics.registry,
      partitions: () => this.#partitions.all(),
      lookup: (topicId, index) => this.#partitions.byTopicId(topicId, index),
      image: () => this.#image,
      brokerEpoch: () => this.#session?.brokerEpoch ?? -1n,
      minInsyncReplicas: (topic) => topicLimits(this.#image, topic, config).minInsyncReplicas,
      txn: this.#transactions.services,
      framePool: this.#framePool,
    });
    this.#partitions.setReplication(this.#replication);
    this.#unsubscribe = this.#controller.subscribe((batch) => {
      // A reset batch is a whole image: this broker fell behind the controller's log.
      const base = batch.reset === true ? MetadataImage.empty : this.#image;
      this.#image =
        batch.records.length === 0 && batch.reset !== true ? base : replayBatch(base, batch.records, batch.lastOffset);
      this.#partitions.apply(this.#image);
      this.#applyRuntimeSettings();
      // Normally done right after registration; this catches a stream that delivered the id late.
      // Only once registered: a broker of another cluster is refused and must keep its own id.
      const registered = (this.#session?.brokerEpoch ?? -1n) >= 0n;
      if (registered && this.#storedClusterId !== this.#image.clusterId) void this.#adoptClusterId();
      this.#onImage?.();
    });
    await this.#partitions.settled();
    // Probes first: /healthz answers while the broker registers and catches up; /readyz says 503 until it serves.
    if (config.httpPort !== null) {
      this.#http = await HttpServer.listen({
        host: config.httpHost,
        port: config.httpPort,
        registry:
          this.#extraMetrics.length === 0
            ? this.metrics.registry
            : Registry.merge([this.metrics.registry, ...this.#extraMetrics]),
        ready: () => this.#ready && this.#session?.fenced === false,
        logger: this.#logger,
        onLimit: (reason) => this.#connectionMetrics.closed('http', reason),
        trackOpen: (count) => this.#connectionMetrics.trackOpen('http', count),
      });
    }
    // Bound now (the registration carries the port), served only once this broker is live in its own metadata.
    this.#server = await KafkaServer.bind({
      host: config.host,
      port: config.port,
      limits: {
        ...this.#admission(this.#runtime),
        idleMsMax: config.connectionsMaxIdleMs,
        frameReadMsMax: config.requestReadTimeoutMs,
      },
      // Real time, not this.#clock: sockets idle in real time, and a test's manual clock must not expire them.
      metrics: this.#connectionMetrics,
      frameBytesMax: config.requestBytesMax,
      framePool: this.#framePool,
      inflightMax: config.inflightRequestsPerConnectionMax,
      queuedRequestBytesMax: config.queuedRequestBytesMax,
      process: this.#processor.process,
      logger: this.#logger,
    });
    this.#session = new ControllerSession({
      channel: this.#controller,
      registration: {
        brokerId: config.nodeId,
        incarnationId: randomUUID(),
        listeners: [
          {
            name: 'PLAINTEXT',
            host: config.advertisedHost ?? config.host,
            port: config.advertisedPort ?? this.#server.port,
            securityProtocol: 'PLAINTEXT',
          },
          {
            name: replicationListenerName,
            host: config.advertisedReplicationHost ?? config.advertisedHost ?? config.host,
            port: config.advertisedReplicationPort ?? this.#replication.port,
            securityProtocol: 'PLAINTEXT',
          },
        ],
        rack: config.rack,
        previousShutdownClean,
        clusterId: this.#storedClusterId,
      },
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      metadataOffset: () => this.#image.lastOffset,
      onUnfenced: () => this.#partitions.allowStraySweep(),
      offlineLogDirs: () => (this.#partitions.logDirOffline ? [config.dataDir] : []),
      logger: this.#logger,
    });
    await this.#session.register();
    // Registration commits after the cluster id record and resolves once this broker's stream has delivered it.
    await this.#adoptClusterId();
    this.#session.start();
    await this.#liveInImage();
    await this.#partitions.settled();
    this.#retentionTimer = setInterval(() => {
      this.#partitions
        .applyRetention()
        .then(async (deleted) => {
          if (deleted > 0) this.#logger.info({ deletedSegments: deleted }, 'retention deleted segments');
          // The log cleaner runs on the same schedule (Kafka's log.cleaner.backoff is separate; one timer is enough here).
          await this.#partitions.compact();
        })
        .catch((error: unknown) => this.#logger.error({ err: String(error) }, 'retention check failed'));
    }, config.logRetentionCheckIntervalMs);
    this.#retentionTimer.unref();
    this.#checkpointTimer = setInterval(() => {
      // A failed save was logged where it failed and left the previous file intact; the next interval retries.
      this.#partitions.saveCheckpoint().catch(() => {});
    }, config.highWatermarkCheckpointIntervalMs);
    this.#checkpointTimer.unref();
    this.#producerExpiryTimer = setInterval(() => {
      this.#partitions
        .expireProducers()
        .then((removed) => {
          if (removed > 0) this.#logger.info({ producers: removed }, 'expired idle producer ids');
        })
        .catch((error: unknown) => this.#logger.error({ err: String(error) }, 'producer expiry failed'));
    }, config.producerIdExpirationCheckIntervalMs);
    this.#producerExpiryTimer.unref();
    this.#server.serve();
    this.#ready = true;
    this.#logger.info(
      { host: config.host, port: this.#server.port, httpPort: this.#http?.port ?? null, dataDir: config.dataDir },
      'broker started',
    );
  }

  /** Keeps the quorum's cluster id in meta.properties once this broker has joined (the controller checked it). */
  async #adoptClusterId(): Promise<void> {
    const clusterId = this.#image.clusterId;
    if (clusterId === null || clusterId === this.#storedClusterId || this.#writingClusterId) return;
    this.#writingClusterId = true;
    try {
      await writeClusterId(this.#fs, this.config.dataDir, this.config.nodeId, clusterId);
      this.#storedClusterId = clusterId;
      this.#logger.info({ clusterId }, 'joined the cluster');
    } catch (error) {
      this.#logger.error({ err: String(error) }, 'cannot write meta.properties; will try again');
    } finally {
      this.#writingClusterId = false;
    }
  }

  #writingClusterId = false;

  /** The cluster id every broker of the cluster reports (Metadata, DescribeCluster): the quorum's. */
  get clusterId(): string {
    return this.#image.clusterId ?? this.#storedClusterId ?? '';
  }

  /**
   * Resolves once the image holds this broker's registration of this session's
   * epoch, unfenced: from then on a Metadata answer lists this broker, so it
   * may serve: once the controller's heartbeats have unfenced it.
   */
  #liveInImage(): Promise<void> {
    const live = (): boolean => {
      const self = this.#image.broker(this.config.nodeId);
      return self !== undefined && !self.fenced && self.brokerEpoch === this.#session?.brokerEpoch;
    };
    if (live()) return Promise.resolve();
    this.#logger.info('registered; holding Kafka connections until this broker is live in its metadata');
    return new Promise((resolve) => {
      this.#onImage = () => {
        if (!live()) return;
        this.#onImage = null;
        resolve();
      };
    });
  }

  /** The bound Kafka port (differs from config.port when that was 0). */
  get port(): number {
    return this.#server?.port ?? this.config.port;
  }

  get httpPort(): number | null {
    return this.#http?.port ?? null;
  }

  get image(): MetadataImage {
    return this.#image;
  }

  /**
   * The replica of a partition this broker hosts, if any: for in-process
   * tests that write transaction markers (the coordinator's marker writer
   * will use the same Partition.writeTxnMarker).
   */
  hostedPartition(topic: string, index: number): Partition | undefined {
    return this.#partitions.get(topic, index);
  }

  /**
   * This broker's group coordinator: where the transaction markers' hook
   * reports a committed COMMIT/ABORT marker on `__consumer_offsets`
   * (`completeTransaction`), and what in-process tests drive directly.
   */
  get groupCoordinator(): GroupCoordinator {
    return this.#groups;
  }

  /**
   * Stops the broker. With `controlled`, first asks the controller quorum to
   * move leadership away (and waits, up to controlledShutdownTimeoutMs), as
   * a SIGTERM does; a plain stop is for tests and crashes of the caller.
   */
  async stop(options: { controlled?: boolean } = {}): Promise<void> {
    if (options.controlled === true) {
      await this.#replication?.stopFollowing();
      await this.#session?.shutDown(this.config.controlledShutdownTimeoutMs);
    }
    this.#session?.stop();
    this.#ready = false;
    this.#unsubscribe();
    if (this.#retentionTimer !== null) clearInterval(this.#retentionTimer);
    if (this.#checkpointTimer !== null) clearInterval(this.#checkpointTimer);
    if (this.#producerExpiryTimer !== null) clearInterval(this.#producerExpiryTimer);
    await this.#server?.close();
    await this.#http?.close();
    this.#groups.close();
    this.#offsets.close();
    this.#transactions.close();
    await this.#replication?.close();
    const abandonedLogs = this.#partitions.logDirOffline;
    await this.#partitions.close();
    // Last: only a stop that got here flushed and closed every log (abandoned logs of a failed directory were not).
    if (abandonedLogs) this.#logger.warn('log directory offline at stop: no clean-shutdown marker');
    else await writeCleanShutdownMarker(this.#fs, this.config.dataDir, this.#clock.nowMs());
    this.#logger.info('broker stopped');
  }
}

function sum<T>(items: Iterable<T>, f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}

/**
 * The cluster id in meta.properties, or null for a new data directory. A
 * file that is there but unusable, or written by another node id, is
 * refused rather than replaced. A file without directory.id was written by
 * Runnel before the quorum owned the cluster id: that id was made up by the
 * broker alone, so it is dropped and the broker adopts the quorum's at
 * registration.
 */
async function readClusterId(
  fs: FileSystem,
  dataDir: string,
  nodeId: number,
  logger: Logger | undefined,
): Promise<string | null> {
  const meta = await readMetaProperties(fs, dataDir);
  if (!meta.ok && meta.error === 'absent') return null;
  const path = join(dataDir, metaPropertiesFileName);
  if (!meta.ok) throw new Error(`${path} is unusable (${meta.message}); fix or remove it`);
  if (meta.value.nodeId !== nodeId) {
    throw new Error(
      `${path} belongs to node ${meta.value.nodeId}, not ${nodeId}: give this broker its own data directory`,
    );
  }
  if (meta.value.directoryId === null) {
    logger?.info(
      { clusterId: meta.value.clusterId },
      "meta.properties predates quorum-assigned cluster ids; adopting the quorum's",
    );
    return null;
  }
  return meta.value.clusterId;
}

async function writeClusterId(fs: FileSystem, dataDir: string, nodeId: number, clusterId: string): Promise<void> {
  await writeMetaProperties(fs, dataDir, { nodeId, clusterId, directoryId: randomBytes(16).toString('base64url') });
}
