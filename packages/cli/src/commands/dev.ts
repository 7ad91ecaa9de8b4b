/**
 * `runnel dev`: a whole cluster in one process for a laptop — one
 * controller and one broker, data under ./data, Kafka on 127.0.0.1:9092,
 * metrics on 127.0.0.1:9644. What `npm start` runs.
 */
import { join } from 'node:path';
import { Broker, defaultBrokerConfig } from '@runnel/broker';
import { createLogger, type LogFormat, logFormats } from '@runnel/common';
import { Controller } from '@runnel/controller';
import { Command, Option } from 'commander';
import { runDevCluster } from '../dev-cluster.ts';
import { parseIntOption } from '../options.ts';

export interface DevOptions {
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
  flushMessages: number;
  /** Multi-process mode (the command only); startDev always runs one controller and one broker in-process. */
  controllers?: number;
  brokers?: number;
}

export async function startDev(
  options: DevOptions,
): Promise<{ broker: Broker; controller: Controller; stop(): Promise<void> }> {
  const logger = createLogger({
    level: options.logLevel,
    name: 'runnel',
    ...(options.logFormat === undefined ? {} : { format: options.logFormat }),
  });
  const controller = await Controller.open({
    dir: join(options.dataDir, 'controller'),
    logger: logger.child({ role: 'controller' }),
    brokerDefaults: { numPartitions: options.partitions, defaultReplicationFactor: 1 },
  });
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
        dataDir: join(options.dataDir, 'broker-1'),
        httpPort: options.httpPort,
        numPartitions: options.partitions,
        autoCreateTopics: options.autoCreateTopics,
        logFlushIntervalMessages: options.flushMessages,
      },
      controller: controller.channel(),
      logger: logger.child({ role: 'broker' }),
      processMetrics: true,
    });
  } catch (error) {
    await controller.close();
    throw error;
  }
  return {
    broker,
    controller,
    async stop() {
      await broker.stop();
      await controller.close();
    },
  };
}

export function devCommand(): Command {
  return new Command('dev')
    .description('Run a single-node cluster (controller + broker) in this process, for development')
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
    .action(async (options: DevOptions) => {
      const controllers = options.controllers ?? 1;
      const brokers = options.brokers ?? 1;
      if (controllers > 1 || brokers > 1) {
        await runDevCluster({
          controllers,
          brokers,
          dataDir: options.dataDir,
          basePort: options.port,
          partitions: options.partitions,
          logLevel: options.logLevel,
          ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
        });
        return;
      }
      const cluster = await startDev(options);
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
}
