/**
 * `runnel dev`: a whole cluster in one process for a laptop — a one-voter
 * controller quorum and one broker (combined mode, Kafka's
 * process.roles=broker,controller), data under ./data, Kafka on
 * 127.0.0.1:9092, metrics (broker and controller) on 127.0.0.1:9644. What
 * `npm start` runs. The gateway (Schema Registry on 127.0.0.1:8081) runs in
 * the same process as a Kafka client of that broker unless --no-gateway.
 * With --controllers/--brokers above 1 it starts separate processes instead
 * (dev-cluster.ts), without a gateway: `runnel gateway` joins such a cluster.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Broker, ClusterMismatchError, defaultBrokerConfig } from '@runnel/broker';
import { createLogger, type LogFormat, logFormats } from '@runnel/common';
import { ControllerMetrics, LocalQuorum, NodeIdentityError, RaftStoreOpenError } from '@runnel/controller';
import { defaultRegistryPort, defaultRestPort, Gateway } from '@runnel/gateway';
import { Command, InvalidArgumentError, Option } from 'commander';
import { addBrokerLimitOptions, type BrokerLimitOptions, brokerLimitConfig } from '../broker-limit-flags.ts';
import { runDevCluster } from '../dev-cluster.ts';
import { parseIntOption, parseTransactionVersion } from '../options.ts';

export interface DevOptions extends BrokerLimitOptions {
  dataDir: string;
  host: string;
  port: number;
  httpPort: number;
  advertisedHost?: string;
  logLevel: string;
  /** Absent: chosen by where stdout goes (createLogger's default). */
  logFormat?: LogFormat;
  partitions: number;
  autoCreateTopics: boolean;
  /** transaction.partition.verification.enable; default true. */
  transactionPartitionVerification?: boolean;
  transactionVersion?: number;
  flushMessages: number;
  /** group.initial.rebalance.delay.ms; absent: the broker's default (3 s). */
  groupInitialRebalanceDelayMs?: number;
  /** Run a gateway in-process against the broker. Absent: none (programmatic callers opt in; the command defaults to true). */
  gateway?: boolean;
  /** The gateway's Schema Registry port; default 8081, 0 picks a free one. */
  registryPort?: number;
  /** The gateway's REST Proxy port (also the console at /ui); default 8082, 0 picks a free one. */
  restPort?: number;
  /** Multi-process mode (the command only); startDev always runs one controller and one broker in-process. */
  controllers?: number;
  brokers?: number;
  /** Multi-process mode: the first broker's node id. */
  firstBrokerId?: number;
}

/** The data directory was written by an older Runnel whose layout this one cannot read. */
export class OldDataLayoutError extends Error {
  override name = 'OldDataLayoutError';
}

/** The in-process gateway could not start (its port is taken, most often); the broker and quorum were stopped. */
export class GatewayStartError extends Error {
  override name = 'GatewayStartError';
}

/** Where the combined node keeps its controller (Raft store) and broker (logs) data under the dev data dir. */
export function devLayout(dataDir: string): { controllerDir: string; brokerDir: string } {
  return { controllerDir: join(dataDir, 'controller-1'), brokerDir: join(dataDir, 'broker-1') };
}

/**
 * Before the quorum ran in dev mode, the single-node controller kept its
 * metadata in <data dir>/controller (a log this version does not read).
 * Starting on top of it would silently forget every topic, so refuse.
 */
async function refuseOldLayout(dataDir: string): Promise<void> {
  const old = join(dataDir, 'controller');
  const exists = await access(old).then(
    () => true,
    () => false,
  );
  if (exists) {
    throw new OldDataLayoutError(
      `${old} holds metadata from an older Runnel (single-node controller) that this version cannot read; ` +
        `move ${dataDir} aside or delete it to start a fresh cluster`,
    );
  }
}

export async function startDev(
  options: DevOptions,
): Promise<{ broker: Broker; quorum: LocalQuorum; gateway: Gateway | null; stop(): Promise<void> }> {
  const logger = createLogger({
    level: options.logLevel,
    name: 'runnel',
    ...(options.logFormat === undefined ? {} : { format: options.logFormat }),
  });
  await refuseOldLayout(options.dataDir);
  const layout = devLayout(options.dataDir);
  const metrics = new ControllerMetrics({ defaultMetrics: false });
  let quorum: LocalQuorum;
  try {
    quorum = await LocalQuorum.start({
      dataDir: layout.controllerDir,
      logger: logger.child({ role: 'controller' }),
      observer: metrics,
      brokerDefaults: { numPartitions: options.partitions, defaultReplicationFactor: 1 },
    });
  } catch (error) {
    if (error instanceof RaftStoreOpenError || error instanceof NodeIdentityError) {
      // The caller prints the message and exits 2; logged too, at error level, for log collectors.
      const file = error instanceof RaftStoreOpenError ? error.file : null;
      logger.error({ role: 'controller', ...(file === null ? {} : { file }) }, error.message);
    }
    throw error;
  }
  metrics.attach(quorum.controller);
  const brokerLogger = logger.child({ role: 'broker' });
  const { channel } = quorum.channel({ logger: brokerLogger });
  let broker: Broker;
  try {
    broker = await Broker.start({
      config: {
        ...defaultBrokerConfig,
        replicationPort: 0,
        nodeId: 1,
        host: options.host,
        port: options.port,
        advertisedHost: options.advertisedHost ?? null,
        dataDir: layout.brokerDir,
        httpPort: options.httpPort,
        numPartitions: options.partitions,
        autoCreateTopics: options.autoCreateTopics,
        transactionPartitionVerificationEnable: options.transactionPartitionVerification ?? true,
        transactionVersion: options.transactionVersion ?? defaultBrokerConfig.transactionVersion,
        logFlushIntervalMessages: options.flushMessages,
        groupInitialRebalanceDelayMs:
          options.groupInitialRebalanceDelayMs ?? defaultBrokerConfig.groupInitialRebalanceDelayMs,
        ...brokerLimitConfig(options),
      },
      controller: channel,
      logger: brokerLogger,
      processMetrics: true,
      extraMetrics: [metrics.registry],
    });
  } catch (error) {
    await quorum.stop();
    throw error;
  }
  let gateway: Gateway | null = null;
  if (options.gateway === true) {
    try {
      gateway = await Gateway.start({
        bootstrap: `${loopbackFor(options.host)}:${broker.port}`,
        host: options.host,
        registryPort: options.registryPort ?? defaultRegistryPort,
        restPort: options.restPort ?? defaultRestPort,
        logger: logger.child({ role: 'gateway' }),
        // The broker's /metrics already carries the process's metrics.
        processMetrics: false,
        // The console's live rates come from the broker's own counters.
        metricsUrls: broker.httpPort === null ? [] : [`http://${loopbackFor(options.host)}:${broker.httpPort}/metrics`],
      });
    } catch (error) {
      await broker.stop({ controlled: true });
      await quorum.stop();
      throw new GatewayStartError(
        `the gateway could not start on ${options.host}:${options.registryPort ?? defaultRegistryPort} ` +
          `(REST ${options.restPort ?? defaultRestPort}) (${error instanceof Error ? error.message : String(error)}); ` +
          'move it with --registry-port and --rest-port or leave it out with --no-gateway',
        { cause: error },
      );
    }
  }
  return {
    broker,
    quorum,
    gateway,
    async stop() {
      // First, so no registry request is left waiting on a broker that is going away.
      await gateway?.stop();
      // Controlled, though with the only broker there is no leadership to move: it ends the broker's session
      // (fenced, told to exit), so the next start registers at once instead of waiting out
      // broker.session.timeout.ms behind a session the restarted controller would otherwise keep for it.
      await broker.stop({ controlled: true });
      await quorum.stop();
    },
  };
}

/** Where the in-process gateway reaches a broker listening on `host`: a wildcard listener is reached on loopback. */
function loopbackFor(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

export function devCommand(): Command {
  const command = new Command('dev')
    .description(
      'Run a single-node cluster (controller + broker) and a gateway (Schema Registry) in this process, for development',
    )
    .addOption(
      new Option('--data-dir <dir>', 'where logs and metadata are kept').default('./data').env('RUNNEL_DATA_DIR'),
    )
    .addOption(new Option('--host <host>', 'interface for the Kafka listener').default('127.0.0.1').env('RUNNEL_HOST'))
    .addOption(
      new Option('--port <port>', 'Kafka listener port').default(9092).argParser(parseIntOption).env('RUNNEL_PORT'),
    )
    .addOption(
      new Option('--http-port <port>', 'port for /metrics, /healthz, /readyz')
        .default(9644)
        .argParser(parseIntOption)
        .env('RUNNEL_HTTP_PORT'),
    )
    .addOption(new Option('--no-gateway', 'do not run the gateway (Schema Registry) in this process'))
    .addOption(
      new Option('--registry-port <port>', "the gateway's Schema Registry port (0: a free port)")
        .default(defaultRegistryPort)
        .argParser(parseIntOption)
        .env('RUNNEL_REGISTRY_PORT'),
    )
    .addOption(
      new Option('--rest-port <port>', "the gateway's REST Proxy and console (/ui) port (0: a free port)")
        .default(defaultRestPort)
        .argParser(parseIntOption)
        .env('RUNNEL_REST_PORT'),
    )
    .addOption(
      new Option('--advertised-host <host>', 'host name clients are told to connect to (advertised.listeners)').env(
        'RUNNEL_ADVERTISED_HOST',
      ),
    )
    .addOption(
      new Option('--partitions <n>', 'num.partitions for auto-created topics')
        .default(1)
        .argParser(parseIntOption)
        .env('RUNNEL_NUM_PARTITIONS'),
    )
    .addOption(new Option('--no-auto-create-topics', 'disable auto.create.topics.enable'))
    .addOption(
      new Option(
        '--group-initial-rebalance-delay-ms <ms>',
        'group.initial.rebalance.delay.ms: how long the first join of an empty group waits for more members (0 suits tests)',
      )
        .default(defaultBrokerConfig.groupInitialRebalanceDelayMs)
        .argParser(parseIntOption)
        .env('RUNNEL_GROUP_INITIAL_REBALANCE_DELAY_MS'),
    )
    .addOption(
      new Option(
        '--no-transaction-partition-verification',
        'disable transaction.partition.verification.enable (KIP-890: brokers store transactional batches unverified)',
      ),
    )
    .addOption(
      new Option(
        '--transaction-version <level>',
        'the transaction.version level brokers report while the metadata log finalizes none (0-2; a new cluster finalizes 2: change it with runnel features)',
      )
        .default(defaultBrokerConfig.transactionVersion)
        .argParser(parseTransactionVersion),
    )
    .addOption(
      new Option(
        '--flush-messages <n>',
        'log.flush.interval.messages: fsync after this many records (1 = every append)',
      )
        .default(Number.MAX_SAFE_INTEGER)
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
    .addOption(
      new Option('--controllers <n>', 'run a controller quorum of n separate processes (with --brokers)')
        .default(1)
        .argParser(parseIntOption),
    )
    .addOption(
      new Option('--brokers <n>', 'run n brokers as separate processes; with --controllers, a multi-process cluster')
        .default(1)
        .argParser(parseIntOption),
    )
    .addOption(
      new Option(
        '--first-broker-id <id>',
        'with --brokers above 1: node id of the first broker, the others following (Kafka test clusters use 0)',
      )
        .default(1)
        .argParser((value: string) => {
          const id = parseIntOption(value);
          if (id < 0) throw new InvalidArgumentError(`a node id is not negative: ${value}`);
          return id;
        }),
    )
    .action(async (options: DevOptions) => {
      const controllers = options.controllers ?? 1;
      const brokers = options.brokers ?? 1;
      if (controllers > 1 || brokers > 1) {
        await runDevCluster({
          controllers,
          brokers,
          firstBrokerId: options.firstBrokerId ?? 1,
          dataDir: options.dataDir,
          host: options.host,
          ...(options.advertisedHost === undefined ? {} : { advertisedHost: options.advertisedHost }),
          basePort: options.port,
          httpBasePort: options.httpPort,
          partitions: options.partitions,
          autoCreateTopics: options.autoCreateTopics,
          transactionPartitionVerification: options.transactionPartitionVerification ?? true,
          transactionVersion: options.transactionVersion ?? defaultBrokerConfig.transactionVersion,
          flushMessages: options.flushMessages,
          groupInitialRebalanceDelayMs:
            options.groupInitialRebalanceDelayMs ?? defaultBrokerConfig.groupInitialRebalanceDelayMs,
          logLevel: options.logLevel,
          ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
          brokerLimits: options,
        });
        return;
      }
      let cluster: Awaited<ReturnType<typeof startDev>>;
      try {
        cluster = await startDev(options);
      } catch (error) {
        if (
          !(error instanceof OldDataLayoutError) &&
          !(error instanceof ClusterMismatchError) &&
          !(error instanceof GatewayStartError) &&
          !(error instanceof RaftStoreOpenError) &&
          !(error instanceof NodeIdentityError)
        ) {
          throw error;
        }
        process.stderr.write(`runnel dev: ${error.message}\n`);
        process.exit(2);
      }
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`runnel: ${signal}, stopping\n`);
        cluster.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`runnel: stop failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
  return addBrokerLimitOptions(command);
}
