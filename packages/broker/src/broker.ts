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
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, createLogger, type Logger, systemClock } from '@runnel/common';
import { type ControllerChannel, MetadataImage, replayBatch } from '@runnel/metadata';
import { type BrokerConfig, kafkaConfigMap } from './config.ts';
import { ControllerSession } from './controller-session.ts';
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
import { apiVersionsHandler } from './handlers/api-versions.ts';
import { describeClusterHandler } from './handlers/describe-cluster.ts';
import { describeConfigsHandler } from './handlers/describe-configs.ts';
import { fetchHandler } from './handlers/fetch.ts';
import { findCoordinatorHandler } from './handlers/find-coordinator.ts';
import { type BrokerContext, type Handler, register } from './handlers/handler.ts';
import { listOffsetsHandler } from './handlers/list-offsets.ts';
import { metadataHandler } from './handlers/metadata.ts';
import { produceHandler } from './handlers/produce.ts';
import { HttpServer } from './http-server.ts';
import { topicLimits } from './log-config.ts';
import { BrokerMetrics } from './metrics.ts';
import { KafkaServer } from './network/kafka-server.ts';
import { PartitionManager } from './partition-manager.ts';
import { ReplicaManager, replicationListenerName } from './replication/replica-manager.ts';
import { RequestProcessor } from './request-processor.ts';
import { readCleanShutdownMarker, writeCleanShutdownMarker } from './shutdown-marker.ts';

export interface BrokerOptions {
  config: BrokerConfig;
  controller: ControllerChannel;
  logger?: Logger;
  clock?: Clock;
  /** Also export Node process metrics (off when several brokers share a process). */
  processMetrics?: boolean;
}

export class Broker {
  readonly config: BrokerConfig;
  readonly clusterId: string;
  readonly metrics: BrokerMetrics;
  readonly #logger: Logger;
  readonly #partitions: PartitionManager;
  readonly #clock: Clock;
  #unsubscribe: () => void = () => {};
  #replication: ReplicaManager | null = null;
  #checkpointTimer: NodeJS.Timeout | null = null;
  #image: MetadataImage;
  #server: KafkaServer | null = null;
  #http: HttpServer | null = null;
  #retentionTimer: NodeJS.Timeout | null = null;
  readonly #offsets: OffsetsStore;
  readonly #groups: GroupCoordinator;
  #ready = false;
  #session: ControllerSession | null = null;
  /** Set while start() waits for this broker to appear live in the image; called after each replayed batch. */
  #onImage: (() => void) | null = null;

  private constructor(options: BrokerOptions, clusterId: string) {
    this.config = options.config;
    this.clusterId = clusterId;
    const clock = options.clock ?? systemClock;
    this.#clock = clock;
    this.#logger = (options.logger ?? createLogger({ name: 'broker' })).child({ nodeId: options.config.nodeId });
    this.#partitions = new PartitionManager({
      config: options.config,
      logger: this.#logger,
      clock,
      onRoleChange: (p, before, after) => this.#offsets.onRoleChange(p, before, after),
    });
    // Consumer groups: the coordinator keeps group state; the store persists it in __consumer_offsets and
    // tells the coordinator which of that topic's partitions this broker leads (and so coordinates).
    const offsetsLimits = () => topicLimits(this.#image.configOverrides('topic', consumerOffsetsTopic), options.config);
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
      },
      { defaultMetrics: options.processMetrics ?? false },
    );
    const committedOffsets = () => this.#groups.committedOffsets();
    registerGroupMetrics(this.metrics.registry, { committedOffsets, replica: (t, p) => this.#partitions.get(t, p) });
    this.#image = MetadataImage.empty;
    const context: BrokerContext = {
      config: options.config,
      clusterId,
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
    };
    const handlers: Handler[] = [
      register(produceHandler(context)),
      register(fetchHandler(context)),
      register(listOffsetsHandler(context)),
      register(metadataHandler(context)),
      register(findCoordinatorHandler(context)),
      register(createTopicsHandler(context)),
      register(deleteTopicsHandler(context)),
      register(describeConfigsHandler(context)),
      register(alterConfigsHandler(context)),
      register(createPartitionsHandler(context)),
      register(incrementalAlterConfigsHandler(context)),
      register(describeClusterHandler(context)),
      register(alterPartitionReassignmentsHandler(context)),
      register(listPartitionReassignmentsHandler(context)),
      register(electLeadersHandler(context)),
      ...this.#groups.handlers({ image: () => this.#image }),
    ];
    this.#processor = new RequestProcessor(handlers, this.#logger, this.metrics);
    this.#processor.addHandler(register(apiVersionsHandler(new Set([...this.#processor.servedApiKeys, 18]))));
    this.#controller = options.controller;
  }

  readonly #processor: RequestProcessor;
  readonly #controller: ControllerChannel;

  static async start(options: BrokerOptions): Promise<Broker> {
    await mkdir(options.config.dataDir, { recursive: true });
    const clusterId = await loadOrCreateClusterId(options.config.dataDir, options.config.nodeId);
    const broker = new Broker(options, clusterId);
    try {
      await broker.#start();
    } catch (error) {
      await broker.stop();
      throw error;
    }
    return broker;
  }

  async #start(): Promise<void> {
    const config = this.config;
    const previousShutdownClean = await readCleanShutdownMarker(config.dataDir);
    if (!previousShutdownClean) this.#logger.info('previous run did not stop cleanly; telling the controller');
    await this.#partitions.loadCheckpoint();
    this.#replication = await ReplicaManager.start({
      config: {
        nodeId: config.nodeId,
        host: config.host,
        port: config.replicationPort,
        lagTimeMaxMs: config.replicaLagTimeMaxMs,
        fetchWaitMaxMs: config.replicaFetchWaitMaxMs,
        fetchResponseBytesMax: config.replicaFetchResponseBytesMax,
        fetchBackoffMs: config.replicaFetchBackoffMs,
        fetchTimeoutMs: config.replicaSocketTimeoutMs,
        throttledRateBytesPerSec: config.followerReplicationThrottledRate,
      },
      channel: this.#controller,
      logger: this.#logger,
      clock: this.#clock,
      registry: this.metrics.registry,
      partitions: () => this.#partitions.all(),
      lookup: (topicId, index) => this.#partitions.byTopicId(topicId, index),
      image: () => this.#image,
      brokerEpoch: () => this.#session?.brokerEpoch ?? -1n,
      minInsyncReplicas: (topic) => topicLimits(this.#image.configOverrides('topic', topic), config).minInsyncReplicas,
    });
    this.#partitions.setReplication(this.#replication);
    this.#unsubscribe = this.#controller.subscribe((batch) => {
      // A reset batch is a whole image: this broker fell behind the controller's log.
      const base = batch.reset === true ? MetadataImage.empty : this.#image;
      this.#image =
        batch.records.length === 0 && batch.reset !== true ? base : replayBatch(base, batch.records, batch.lastOffset);
      this.#partitions.apply(this.#image);
      this.#onImage?.();
    });
    await this.#partitions.settled();
    // Probes first: /healthz answers while the broker registers and catches up; /readyz says 503 until it serves.
    if (config.httpPort !== null) {
      this.#http = await HttpServer.listen({
        host: config.httpHost,
        port: config.httpPort,
        registry: this.metrics.registry,
        ready: () => this.#ready && this.#session?.fenced === false,
        logger: this.#logger,
      });
    }
    // Bound now (the registration carries the port), served only once this broker is live in its own metadata.
    this.#server = await KafkaServer.bind({
      host: config.host,
      port: config.port,
      connectionsMax: config.connectionsMax,
      frameBytesMax: config.requestBytesMax,
      inflightMax: config.inflightRequestsPerConnectionMax,
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
      },
      heartbeatIntervalMs: config.heartbeatIntervalMs,
      metadataOffset: () => this.#image.lastOffset,
      onUnfenced: () => this.#partitions.allowStraySweep(),
      logger: this.#logger,
    });
    await this.#session.register();
    this.#session.start();
    // Without heartbeats (the in-process channel) the backlog came whole at subscribe: the image is complete.
    if (!this.#session.fenced) this.#partitions.allowStraySweep();
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
      void this.#partitions.saveCheckpoint();
    }, config.highWatermarkCheckpointIntervalMs);
    this.#checkpointTimer.unref();
    this.#server.serve();
    this.#ready = true;
    this.#logger.info(
      { host: config.host, port: this.#server.port, httpPort: this.#http?.port ?? null, dataDir: config.dataDir },
      'broker started',
    );
  }

  /**
   * Resolves once the image holds this broker's registration of this session's
   * epoch, unfenced: from then on a Metadata answer lists this broker, so it
   * may serve. Whatever the controller: an in-process one delivers the record
   * before registration resolves, a quorum once heartbeats have unfenced it.
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
    await this.#server?.close();
    await this.#http?.close();
    this.#groups.close();
    this.#offsets.close();
    await this.#replication?.close();
    await this.#partitions.close();
    // Last: only a stop that got here flushed and closed every log.
    await writeCleanShutdownMarker(this.config.dataDir);
    this.#logger.info('broker stopped');
  }
}

function sum<T>(items: Iterable<T>, f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}

/** meta.properties, as Kafka keeps it: the cluster this log directory belongs to. */
async function loadOrCreateClusterId(dataDir: string, nodeId: number): Promise<string> {
  const path = join(dataDir, 'meta.properties');
  try {
    const text = await readFile(path, 'utf8');
    const match = /^cluster\.id=(\S+)$/m.exec(text);
    if (match?.[1] !== undefined) return match[1];
  } catch {
    // First start: fall through and create it.
  }
  const clusterId = randomUUID().replaceAll('-', '').slice(0, 22);
  await writeFile(path, `version=1\ncluster.id=${clusterId}\nnode.id=${nodeId}\n`);
  return clusterId;
}
