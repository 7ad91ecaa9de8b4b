/**
 * `runnel broker`: one broker process of a cluster. It follows the
 * metadata of the controller quorum (given by their ControllerService
 * addresses), registers, heartbeats, and on SIGTERM moves its leadership
 * away before it exits (controlled shutdown).
 */
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { createLogger, type LogFormat, logFormats } from '@runnel/common';
import { ControllerClient, GrpcControllerChannel } from '@runnel/rpc';
import { Command, Option } from 'commander';
import { addBrokerLimitOptions, type BrokerLimitOptions, brokerLimitConfig } from '../broker-limit-flags.ts';
import { parseIntOption, parsePositiveInt, parseTransactionVersion } from '../options.ts';

export interface BrokerCommandOptions extends BrokerLimitOptions {
  nodeId: number;
  controllers: string;
  dataDir: string;
  host: string;
  port: number;
  advertisedHost?: string;
  httpPort: number;
  httpHost: string;
  rack?: string;
  heartbeatIntervalMs: number;
  replicationPort: number;
  advertisedReplicationHost?: string;
  advertisedReplicationPort?: number;
  replicaLagTimeMaxMs: number;
  replicaSocketTimeoutMs: number;
  followerReplicationThrottledRate: number;
  minInsyncReplicas?: number;
  groupInitialRebalanceDelayMs: number;
  groupMinSessionTimeoutMs: number;
  quotaWindowNum: number;
  quotaWindowSizeSeconds: number;
  autoCreateTopics: boolean;
  /** transaction.partition.verification.enable (commander's --no- flag: true unless given). */
  transactionPartitionVerification: boolean;
  transactionVersion: number;
  numPartitions: number;
  defaultReplicationFactor: number;
  flushMessages: number;
  logLevel: string;
  /** Absent: chosen by where stdout goes (createLogger's default). */
  logFormat?: LogFormat;
}

export async function startBrokerProcess(
  options: BrokerCommandOptions,
): Promise<{ broker: Broker; stop(controlled: boolean): Promise<void> }> {
  const logger = createLogger({
    level: options.logLevel,
    name: 'runnel',
    ...(options.logFormat === undefined ? {} : { format: options.logFormat }),
  }).child({ role: 'broker' });
  const addresses = options.controllers
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  if (addresses.length === 0 || addresses.some((a) => !/^[^:\s]+:\d+$/.test(a))) {
    throw new Error(
      `--controllers must be host:port[,host:port...] (ControllerService addresses), not "${options.controllers}"`,
    );
  }
  const client = new ControllerClient({ addresses, logger });
  const channel = new GrpcControllerChannel(client, { logger });
  try {
    const broker = await Broker.start({
      config: {
        ...defaultBrokerConfig,
        nodeId: options.nodeId,
        host: options.host,
        port: options.port,
        advertisedHost: options.advertisedHost ?? null,
        dataDir: join(options.dataDir),
        httpPort: options.httpPort,
        httpHost: options.httpHost,
        rack: options.rack ?? null,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        replicationPort: options.replicationPort,
        advertisedReplicationHost: options.advertisedReplicationHost ?? null,
        advertisedReplicationPort: options.advertisedReplicationPort ?? null,
        replicaLagTimeMaxMs: options.replicaLagTimeMaxMs,
        replicaSocketTimeoutMs: options.replicaSocketTimeoutMs,
        followerReplicationThrottledRate: options.followerReplicationThrottledRate,
        groupInitialRebalanceDelayMs: options.groupInitialRebalanceDelayMs,
        groupMinSessionTimeoutMs: options.groupMinSessionTimeoutMs,
        quotaWindowNum: options.quotaWindowNum,
        quotaWindowSizeSeconds: options.quotaWindowSizeSeconds,
        autoCreateTopics: options.autoCreateTopics,
        transactionPartitionVerificationEnable: options.transactionPartitionVerification,
        transactionVersion: options.transactionVersion,
        numPartitions: options.numPartitions,
        defaultReplicationFactor: options.defaultReplicationFactor,
        logFlushIntervalMessages: options.flushMessages,
        ...(options.minInsyncReplicas === undefined ? {} : { minInsyncReplicas: options.minInsyncReplicas }),
        ...brokerLimitConfig(options),
      },
      controller: channel,
      logger,
      processMetrics: true,
    });
    return {
      broker,
      async stop(controlled: boolean) {
        await broker.stop({ controlled });
        channel.close();
        client.close();
      },
    };
  } catch (error) {
    channel.close();
    client.close();
    throw error;
  }
}

export function brokerCommand(): Command {
  const command = new Command('broker')
    .description('Run one broker of a cluster whose metadata lives in a controller quorum')
    .addOption(
      new Option('--node-id <n>', 'broker id (node.id), unique in the cluster')
        .argParser(parseIntOption)
        .env('RUNNEL_NODE_ID')
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--controllers <addresses>', 'ControllerService addresses of the quorum, host:port,...')
        .env('RUNNEL_CONTROLLERS')
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--data-dir <dir>', 'log.dirs: where partition logs live')
        .default('./data/broker')
        .env('RUNNEL_DATA_DIR'),
    )
    .addOption(new Option('--host <host>', 'interface for the Kafka listener').default('127.0.0.1').env('RUNNEL_HOST'))
    .addOption(
      new Option('--port <port>', 'Kafka listener port (0 = any)')
        .default(9092)
        .argParser(parseIntOption)
        .env('RUNNEL_PORT'),
    )
    .addOption(
      new Option('--advertised-host <host>', 'host clients are told to connect to').env('RUNNEL_ADVERTISED_HOST'),
    )
    .addOption(
      new Option('--http-port <port>', 'port for /metrics, /healthz, /readyz (0 = any)')
        .default(9644)
        .argParser(parseIntOption)
        .env('RUNNEL_HTTP_PORT'),
    )
    .addOption(
      new Option('--http-host <host>', 'interface for /metrics, /healthz, /readyz (0.0.0.0 in containers)')
        .default('127.0.0.1')
        .env('RUNNEL_HTTP_HOST'),
    )
    .addOption(new Option('--rack <rack>', 'broker.rack, used to spread replicas').env('RUNNEL_RACK'))
    .addOption(
      new Option('--heartbeat-interval-ms <ms>', 'broker.heartbeat.interval.ms')
        .default(2000)
        .argParser(parseIntOption)
        .env('RUNNEL_HEARTBEAT_INTERVAL_MS'),
    )
    .addOption(
      new Option('--replication-port <port>', 'port of the replication listener followers fetch from (0 = any)')
        .default(9192)
        .argParser(parseIntOption)
        .env('RUNNEL_REPLICATION_PORT'),
    )
    .addOption(
      new Option('--advertised-replication-host <host>', 'host other brokers dial for replication').env(
        'RUNNEL_ADVERTISED_REPLICATION_HOST',
      ),
    )
    .addOption(
      new Option('--advertised-replication-port <port>', 'port other brokers dial for replication')
        .argParser(parseIntOption)
        .env('RUNNEL_ADVERTISED_REPLICATION_PORT'),
    )
    .addOption(
      new Option('--replica-lag-time-max-ms <ms>', 'replica.lag.time.max.ms: a follower this far behind leaves the ISR')
        .default(30_000)
        .argParser(parseIntOption)
        .env('RUNNEL_REPLICA_LAG_TIME_MAX_MS'),
    )
    .addOption(
      new Option(
        '--replica-socket-timeout-ms <ms>',
        'replica.socket.timeout.ms: a replica fetch unanswered this long past its wait is retried on a new stream',
      )
        .default(30_000)
        .argParser(parseIntOption)
        .env('RUNNEL_REPLICA_SOCKET_TIMEOUT_MS'),
    )
    .addOption(
      new Option(
        '--follower-replication-throttled-rate <bytes>',
        'follower.replication.throttled.rate: bytes/s for reassignment catch-up (0 = unlimited)',
      )
        .default(0)
        .argParser(parseIntOption)
        .env('RUNNEL_FOLLOWER_REPLICATION_THROTTLED_RATE'),
    )
    .addOption(
      new Option('--min-insync-replicas <n>', 'min.insync.replicas default for topics without an override')
        .argParser(parseIntOption)
        .env('RUNNEL_MIN_INSYNC_REPLICAS'),
    )
    .addOption(
      new Option('--quota-window-num <n>', 'quota.window.num: samples a client quota rate is measured over')
        .default(defaultBrokerConfig.quotaWindowNum)
        .argParser(parsePositiveInt)
        .env('RUNNEL_QUOTA_WINDOW_NUM'),
    )
    .addOption(
      new Option('--quota-window-size-seconds <s>', 'quota.window.size.seconds: length of one client quota sample')
        .default(defaultBrokerConfig.quotaWindowSizeSeconds)
        .argParser(parsePositiveInt)
        .env('RUNNEL_QUOTA_WINDOW_SIZE_SECONDS'),
    )
    .addOption(
      new Option(
        '--group-initial-rebalance-delay-ms <ms>',
        'group.initial.rebalance.delay.ms: how long the first join of an empty group waits for more members',
      )
        .default(defaultBrokerConfig.groupInitialRebalanceDelayMs)
        .argParser(parseIntOption)
        .env('RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS'),
    )
    .addOption(
      new Option(
        '--group-min-session-timeout-ms <ms>',
        'group.min.session.timeout.ms: the shortest session a member may ask for',
      )
        .default(defaultBrokerConfig.groupMinSessionTimeoutMs)
        .argParser(parseIntOption)
        .env('RUNNEL_GROUP_MIN_SESSION_TIMEOUT_MS'),
    )
    .addOption(
      new Option('--no-auto-create-topics', 'auto.create.topics.enable=false: Metadata never creates topics').env(
        'RUNNEL_NO_AUTO_CREATE_TOPICS',
      ),
    )
    .addOption(
      new Option(
        '--no-transaction-partition-verification',
        'transaction.partition.verification.enable=false: store transactional batches without asking their coordinator (KIP-890 off)',
      ).env('RUNNEL_NO_TRANSACTION_PARTITION_VERIFICATION'),
    )
    .addOption(
      new Option(
        '--transaction-version <level>',
        'the transaction.version level ApiVersions reports while the metadata log finalizes none (0-2; a new cluster finalizes 2: change it with runnel features)',
      )
        .default(defaultBrokerConfig.transactionVersion)
        .argParser(parseTransactionVersion)
        .env('RUNNEL_TRANSACTION_VERSION'),
    )
    .addOption(
      new Option(
        '--num-partitions <n>',
        'num.partitions this broker reports (give the controllers the same: they create the topics)',
      )
        .default(defaultBrokerConfig.numPartitions)
        .argParser(parseIntOption)
        .env('RUNNEL_NUM_PARTITIONS'),
    )
    .addOption(
      new Option(
        '--default-replication-factor <n>',
        'default.replication.factor this broker reports (give the controllers the same)',
      )
        .default(defaultBrokerConfig.defaultReplicationFactor)
        .argParser(parseIntOption)
        .env('RUNNEL_DEFAULT_REPLICATION_FACTOR'),
    )
    .addOption(
      new Option(
        '--flush-messages <n>',
        'log.flush.interval.messages: fsync after this many records (1 = every append)',
      )
        .default(defaultBrokerConfig.logFlushIntervalMessages)
        .argParser(parseIntOption)
        .env('RUNNEL_FLUSH_MESSAGES'),
    )
    .addOption(
      new Option('--log-level <level>', 'trace, debug, info, warn, error').default('info').env('RUNNEL_LOG_LEVEL'),
    )
    .addOption(
      new Option('--log-format <format>', 'json or pretty (default: pretty when stdout is a terminal, json otherwise)')
        .choices(logFormats)
        .env('RUNNEL_LOG_FORMAT'),
    )
    .addHelpText(
      'after',
      '\nExample (three controllers with services on 19093-19095):\n  runnel broker --node-id 1 --controllers 127.0.0.1:19093,127.0.0.1:19094,127.0.0.1:19095 --port 9092 --data-dir data/b1\n',
    )
    .action(async (options: BrokerCommandOptions) => {
      let running: Awaited<ReturnType<typeof startBrokerProcess>>;
      try {
        running = await startBrokerProcess(options);
      } catch (error) {
        process.stderr.write(`runnel broker: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
      }
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`runnel broker: ${signal}, moving leadership away and stopping\n`);
        running.stop(true).then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`runnel broker: stop failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
  return addBrokerLimitOptions(command);
}
