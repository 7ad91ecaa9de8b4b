/**
 * Broker configuration, with Kafka's property names where Kafka has one
 * (`kafkaConfigMap` is what DescribeConfigs reports for the broker).
 * Owned by the process that starts the broker; read-only afterwards.
 */
export interface BrokerConfig {
  /** node.id / broker.id */
  nodeId: number;
  /** Interface the Kafka listener binds to. */
  host: string;
  /** Port of the Kafka listener; 0 picks a free port (tests). */
  port: number;
  /** Host and port clients are told to connect to (advertised.listeners); defaults to the bound address. */
  advertisedHost: string | null;
  advertisedPort: number | null;
  /** log.dirs: partition data lives under `<dataDir>/<topic>-<partition>`. */
  dataDir: string;
  /** socket.request.max.bytes */
  requestBytesMax: number;
  /**
   * queued.max.request.bytes: request bytes read and not yet handled, on all
   * connections together; reading pauses while it is spent. <= 0: unbounded
   * (Kafka's default, -1). See docs/resource-limits.md.
   */
  queuedRequestBytesMax: number;
  /** fetch.max.bytes: the most record bytes one Fetch response carries (but for one first batch, KIP-74). */
  fetchBytesMax: number;
  /** max.connections */
  connectionsMax: number;
  /** max.connections.per.ip (dynamic; network/connection-limits in @runnel/common decide with it). */
  connectionsPerIpMax: number;
  /** max.connections.per.ip.overrides: `host:count,host:count`, matched against the peer address. */
  connectionsPerIpOverrides: string;
  /** max.connection.creation.rate: new connections per second served; more wait. Kafka's Int.MaxValue: unlimited. */
  connectionCreationRateMax: number;
  /** connections.max.idle.ms: a connection with nothing in flight and no bytes this long is closed; -1 never. */
  connectionsMaxIdleMs: number;
  /** runnel.request.read.timeout.ms: a request frame not complete this long after its first byte closes the connection; -1 never. */
  requestReadTimeoutMs: number;
  /** Requests handled (or with a response waiting to be written) at once on one connection; reading pauses at this many. */
  inflightRequestsPerConnectionMax: number;
  /** auto.create.topics.enable */
  autoCreateTopics: boolean;
  /** num.partitions */
  numPartitions: number;
  /** default.replication.factor */
  defaultReplicationFactor: number;
  /** min.insync.replicas */
  minInsyncReplicas: number;
  /** message.max.bytes */
  messageBytesMax: number;
  /** log.segment.bytes */
  logSegmentBytes: number;
  /** log.roll.ms */
  logRollMs: number;
  /** log.retention.ms (-1 = forever) */
  logRetentionMs: number;
  /** log.retention.bytes (-1 = unlimited) */
  logRetentionBytes: number;
  /** log.index.interval.bytes */
  logIndexIntervalBytes: number;
  /** log.flush.interval.messages: fsync after this many records (1 = fsync every append). */
  logFlushIntervalMessages: number;
  /** log.flush.interval.ms */
  logFlushIntervalMs: number;
  /** log.retention.check.interval.ms */
  logRetentionCheckIntervalMs: number;
  /**
   * log.open.files.max (Runnel's): segment files (logs and indexes) kept
   * open at once across all partitions; -1 = half the process's soft
   * RLIMIT_NOFILE (open-files-budget.ts).
   */
  logOpenFilesMax: number;
  /** producer.id.expiration.ms: a partition forgets an idempotent producer idle this long (no open transaction). */
  producerIdExpirationMs: number;
  /** producer.id.expiration.check.interval.ms */
  producerIdExpirationCheckIntervalMs: number;
  /** broker.rack: spreads replicas across racks. */
  rack: string | null;
  /** broker.heartbeat.interval.ms: how often the broker reports to the controller quorum. */
  heartbeatIntervalMs: number;
  /** controlled.shutdown timeout: how long a stopping broker waits for leadership to move away. */
  controlledShutdownTimeoutMs: number;
  /** Port of the replication (ReplicaFetch gRPC) listener on `host`; 0 picks a free port. */
  replicationPort: number;
  /** Host and port other brokers dial for replication; default the bound address. */
  advertisedReplicationHost: string | null;
  advertisedReplicationPort: number | null;
  /** replica.lag.time.max.ms: a follower not caught up for this long leaves the ISR. */
  replicaLagTimeMaxMs: number;
  /** replica.fetch.wait.max.ms: how long a leader holds a follower fetch that has nothing to return. */
  replicaFetchWaitMaxMs: number;
  /** replica.fetch.response.max.bytes */
  replicaFetchResponseBytesMax: number;
  /** replica.fetch.backoff.ms: pause after a failed fetch. */
  replicaFetchBackoffMs: number;
  /** replica.socket.timeout.ms: a fetch unanswered this long past its max wait is retried on a new stream. */
  replicaSocketTimeoutMs: number;
  /** follower.replication.throttled.rate: bytes/s for reassignment catch-up; 0 = unlimited. */
  followerReplicationThrottledRate: number;
  /** replica.high.watermark.checkpoint.interval.ms */
  highWatermarkCheckpointIntervalMs: number;
  /** group.initial.rebalance.delay.ms: how long the first join of an empty group waits for more members. */
  groupInitialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms: JoinGroups asking for a shorter session get INVALID_SESSION_TIMEOUT. */
  groupMinSessionTimeoutMs: number;
  /** transaction.max.timeout.ms: InitProducerId asking for a longer transaction timeout gets INVALID_TRANSACTION_TIMEOUT. */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: a transactional id idle (no transaction open) this long is forgotten. */
  transactionalIdExpirationMs: number;
  /** transactions.remove.expired.transaction.cleanup.interval.ms: how often idle transactional ids are looked for. */
  transactionalIdExpirationCheckIntervalMs: number;
  /** transaction.state.log.num.partitions: partitions `__transaction_state` is created with. */
  transactionStateLogPartitions: number;
  /** transaction.state.log.replication.factor: capped at the registered brokers when the topic is created. */
  transactionStateLogReplicationFactor: number;
  /** transaction.state.log.min.isr: the topic's min.insync.replicas, capped at its replication factor. */
  transactionStateLogMinIsr: number;
  /** transaction.state.log.segment.bytes */
  transactionStateLogSegmentBytes: number;
  /**
   * transaction.partition.verification.enable (KIP-890 part 1): a
   * transactional batch opening its producer's transaction on a partition is
   * stored only once the producer's coordinator says the partition is in
   * the ongoing transaction.
   */
  transactionPartitionVerificationEnable: boolean;
  /**
   * The finalized `transaction.version` feature level this broker
   * advertises in ApiVersions (0-2; handlers/api-versions.ts). At 2,
   * clients that read it use transaction version 2 (KIP-890 part 2); the
   * coordinator serves both versions whatever the level. Give every broker
   * the same level.
   */
  transactionVersion: number;
  /** quota.window.num: samples a client quota's rate is measured over. */
  quotaWindowNum: number;
  /** quota.window.size.seconds: the length of one such sample. */
  quotaWindowSizeSeconds: number;
  /** Host and port of the HTTP server for /metrics, /healthz, /readyz; port 0 picks one, null disables. */
  httpHost: string;
  httpPort: number | null;
  /**
   * While the log directory is offline (a storage fault), how often it is
   * probed (write and fsync a small file) to bring it back without a
   * restart. Runnel's own: Kafka needs a restart. docs/storage-faults.md.
   */
  logDirProbeIntervalMs: number;
}

const hourMs = 60 * 60 * 1000;

export const defaultBrokerConfig: BrokerConfig = {
  nodeId: 1,
  host: '127.0.0.1',
  port: 9092,
  advertisedHost: null,
  advertisedPort: null,
  dataDir: './data/broker',
  requestBytesMax: 104_857_600,
  // Runnel bounds it (Kafka: -1): about 2.5 largest requests at once keeps a broker far below 1 GiB.
  queuedRequestBytesMax: 268_435_456,
  fetchBytesMax: 57_671_680,
  connectionsMax: 10_000,
  connectionsPerIpMax: 1000,
  connectionsPerIpOverrides: '',
  connectionCreationRateMax: 2_147_483_647,
  connectionsMaxIdleMs: 600_000,
  requestReadTimeoutMs: 60_000,
  inflightRequestsPerConnectionMax: 64,
  autoCreateTopics: true,
  numPartitions: 1,
  defaultReplicationFactor: 1,
  minInsyncReplicas: 1,
  messageBytesMax: 1_048_588,
  logSegmentBytes: 1_073_741_824,
  logRollMs: 168 * hourMs,
  logRetentionMs: 168 * hourMs,
  logRetentionBytes: -1,
  logIndexIntervalBytes: 4096,
  logFlushIntervalMessages: Number.MAX_SAFE_INTEGER,
  logFlushIntervalMs: Number.MAX_SAFE_INTEGER,
  logRetentionCheckIntervalMs: 5 * 60 * 1000,
  logOpenFilesMax: -1,
  producerIdExpirationMs: 24 * hourMs,
  producerIdExpirationCheckIntervalMs: 10 * 60 * 1000,
  rack: null,
  heartbeatIntervalMs: 2000,
  controlledShutdownTimeoutMs: 30_000,
  replicationPort: 9192,
  advertisedReplicationHost: null,
  advertisedReplicationPort: null,
  replicaLagTimeMaxMs: 30_000,
  replicaFetchWaitMaxMs: 500,
  replicaFetchResponseBytesMax: 10_485_760,
  replicaFetchBackoffMs: 1000,
  replicaSocketTimeoutMs: 30_000,
  followerReplicationThrottledRate: 0,
  highWatermarkCheckpointIntervalMs: 5000,
  groupInitialRebalanceDelayMs: 3000,
  groupMinSessionTimeoutMs: 6000,
  transactionMaxTimeoutMs: 900_000,
  transactionalIdExpirationMs: 7 * 24 * hourMs,
  transactionalIdExpirationCheckIntervalMs: hourMs,
  transactionStateLogPartitions: 50,
  transactionStateLogReplicationFactor: 3,
  transactionStateLogMinIsr: 2,
  transactionStateLogSegmentBytes: 104_857_600,
  transactionPartitionVerificationEnable: true,
  transactionVersion: 2,
  quotaWindowNum: 11,
  quotaWindowSizeSeconds: 1,
  httpHost: '127.0.0.1',
  httpPort: 9644,
  logDirProbeIntervalMs: 1000,
};

/** Runnel's "never" (the largest exact number) under Kafka's name for it, Long.MAX_VALUE. */
function longOrNever(n: number): string {
  return n >= Number.MAX_SAFE_INTEGER ? '9223372036854775807' : String(n);
}

/** Each BrokerConfig field Kafka has a name for, with that property name and value (exported for tests). */
export function kafkaNamedValues(config: BrokerConfig): [keyof BrokerConfig, string, string][] {
  return [
    ['requestBytesMax', 'socket.request.max.bytes', String(config.requestBytesMax)],
    ['queuedRequestBytesMax', 'queued.max.request.bytes', String(config.queuedRequestBytesMax)],
    ['fetchBytesMax', 'fetch.max.bytes', String(config.fetchBytesMax)],
    ['connectionsMax', 'max.connections', String(config.connectionsMax)],
    ['connectionsPerIpMax', 'max.connections.per.ip', String(config.connectionsPerIpMax)],
    ['connectionsPerIpOverrides', 'max.connections.per.ip.overrides', config.connectionsPerIpOverrides],
    ['connectionCreationRateMax', 'max.connection.creation.rate', String(config.connectionCreationRateMax)],
    ['connectionsMaxIdleMs', 'connections.max.idle.ms', String(config.connectionsMaxIdleMs)],
    ['requestReadTimeoutMs', 'runnel.request.read.timeout.ms', String(config.requestReadTimeoutMs)],
    ['quotaWindowNum', 'quota.window.num', String(config.quotaWindowNum)],
    ['quotaWindowSizeSeconds', 'quota.window.size.seconds', String(config.quotaWindowSizeSeconds)],
    ['autoCreateTopics', 'auto.create.topics.enable', String(config.autoCreateTopics)],
    ['numPartitions', 'num.partitions', String(config.numPartitions)],
    ['defaultReplicationFactor', 'default.replication.factor', String(config.defaultReplicationFactor)],
    ['minInsyncReplicas', 'min.insync.replicas', String(config.minInsyncReplicas)],
    ['messageBytesMax', 'message.max.bytes', String(config.messageBytesMax)],
    ['logSegmentBytes', 'log.segment.bytes', String(config.logSegmentBytes)],
    ['logRollMs', 'log.roll.ms', String(config.logRollMs)],
    ['logRetentionMs', 'log.retention.ms', String(config.logRetentionMs)],
    ['logRetentionBytes', 'log.retention.bytes', String(config.logRetentionBytes)],
    ['logIndexIntervalBytes', 'log.index.interval.bytes', String(config.logIndexIntervalBytes)],
    ['logFlushIntervalMessages', 'log.flush.interval.messages', longOrNever(config.logFlushIntervalMessages)],
    ['logFlushIntervalMs', 'log.flush.interval.ms', longOrNever(config.logFlushIntervalMs)],
    ['logRetentionCheckIntervalMs', 'log.retention.check.interval.ms', String(config.logRetentionCheckIntervalMs)],
    ['logOpenFilesMax', 'log.open.files.max', String(config.logOpenFilesMax)],
    ['producerIdExpirationMs', 'producer.id.expiration.ms', String(config.producerIdExpirationMs)],
    [
      'producerIdExpirationCheckIntervalMs',
      'producer.id.expiration.check.interval.ms',
      String(config.producerIdExpirationCheckIntervalMs),
    ],
    ['heartbeatIntervalMs', 'broker.heartbeat.interval.ms', String(config.heartbeatIntervalMs)],
    ['replicaLagTimeMaxMs', 'replica.lag.time.max.ms', String(config.replicaLagTimeMaxMs)],
    ['replicaFetchWaitMaxMs', 'replica.fetch.wait.max.ms', String(config.replicaFetchWaitMaxMs)],
    ['replicaFetchResponseBytesMax', 'replica.fetch.response.max.bytes', String(config.replicaFetchResponseBytesMax)],
    ['replicaFetchBackoffMs', 'replica.fetch.backoff.ms', String(config.replicaFetchBackoffMs)],
    ['replicaSocketTimeoutMs', 'replica.socket.timeout.ms', String(config.replicaSocketTimeoutMs)],
    [
      'followerReplicationThrottledRate',
      'follower.replication.throttled.rate',
      // 0 is Runnel's "unlimited", Long.MAX_VALUE Kafka's.
      config.followerReplicationThrottledRate === 0
        ? '9223372036854775807'
        : String(config.followerReplicationThrottledRate),
    ],
    [
      'highWatermarkCheckpointIntervalMs',
      'replica.high.watermark.checkpoint.interval.ms',
      String(config.highWatermarkCheckpointIntervalMs),
    ],
    ['transactionMaxTimeoutMs', 'transaction.max.timeout.ms', String(config.transactionMaxTimeoutMs)],
    ['transactionalIdExpirationMs', 'transactional.id.expiration.ms', String(config.transactionalIdExpirationMs)],
    [
      'transactionalIdExpirationCheckIntervalMs',
      'transactions.remove.expired.transaction.cleanup.interval.ms',
      String(config.transactionalIdExpirationCheckIntervalMs),
    ],
    [
      'transactionStateLogPartitions',
      'transaction.state.log.num.partitions',
      String(config.transactionStateLogPartitions),
    ],
    [
      'transactionStateLogReplicationFactor',
      'transaction.state.log.replication.factor',
      String(config.transactionStateLogReplicationFactor),
    ],
    ['transactionStateLogMinIsr', 'transaction.state.log.min.isr', String(config.transactionStateLogMinIsr)],
    [
      'transactionStateLogSegmentBytes',
      'transaction.state.log.segment.bytes',
      String(config.transactionStateLogSegmentBytes),
    ],
    [
      'transactionPartitionVerificationEnable',
      'transaction.partition.verification.enable',
      String(config.transactionPartitionVerificationEnable),
    ],
  ];
}

/**
 * The broker's static configuration under Kafka's property names: the
 * settings its starter gave a value other than Runnel's default (a setting
 * nobody changed is reported as DEFAULT_CONFIG, not as configured), plus
 * node.id, broker.id, log.dirs and broker.rack, which every broker is given.
 * Listeners are left out (see kafkaConfigMap): they need the bound port.
 */
export function staticKafkaConfig(config: BrokerConfig): Record<string, string> {
  const out: Record<string, string> = {
    'node.id': String(config.nodeId),
    'broker.id': String(config.nodeId),
    'log.dirs': config.dataDir,
  };
  for (const [field, name, value] of kafkaNamedValues(config)) {
    if (config[field] !== defaultBrokerConfig[field]) out[name] = value;
  }
  if (config.rack !== null) out['broker.rack'] = config.rack;
  return out;
}

/** staticKafkaConfig with the listeners this broker bound and advertises. */
export function kafkaConfigMap(config: BrokerConfig, boundPort: number): Record<string, string> {
  const host = config.advertisedHost ?? config.host;
  const port = config.advertisedPort ?? boundPort;
  return {
    ...staticKafkaConfig(config),
    listeners: `PLAINTEXT://${config.host}:${boundPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
  };
}
