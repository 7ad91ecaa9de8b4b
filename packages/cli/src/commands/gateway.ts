/**
 * `runnel gateway`: the gateway process (Schema Registry), a stateless
 * Kafka client of the cluster given by --bootstrap. It serves at once and
 * reports ready on /readyz while the cluster answers; until then it keeps
 * retrying, so it can be started before or alongside the brokers. On
 * SIGTERM/SIGINT it stops accepting requests, lets those in flight finish,
 * closes its cluster connections and exits 0.
 */
import { createLogger, type LogFormat, logFormats } from '@runnel/common';
import { defaultRegistryPort, defaultRestPort, Gateway } from '@runnel/gateway';
import { Command, Option } from 'commander';
import { parseIntOption } from '../options.ts';

export interface GatewayCommandOptions {
  bootstrap: string;
  host: string;
  registryPort: number;
  restPort: number;
  restAdvertisedUrl?: string;
  restConsumerInstanceTimeoutMs: number;
  restConsumerInstancesMax: number;
  restConsumerOwnerTimeoutMs: number;
  httpPort?: number;
  httpHost?: string;
  metricsUrls?: string[];
  advertisedUrl?: string;
  registryTopic: string;
  registryWriter: boolean;
  registrySessionTimeoutMs?: number;
  logLevel: string;
  /** Absent: chosen by where stdout goes (createLogger's default). */
  logFormat?: LogFormat;
}

export function gatewayCommand(): Command {
  return new Command('gateway')
    .description(
      'Run a gateway (Schema Registry, REST Proxy v2/v3, web console) in front of a cluster, as a Kafka client of it',
    )
    .addOption(
      new Option('--bootstrap <host:port>', 'broker(s) of the cluster, comma-separated')
        .makeOptionMandatory()
        .env('RUNNEL_BOOTSTRAP'),
    )
    .addOption(
      new Option('--host <host>', 'interface for the HTTP listeners (0.0.0.0 in containers)')
        .default('127.0.0.1')
        .env('RUNNEL_HOST'),
    )
    .addOption(
      new Option('--registry-port <port>', 'Schema Registry port; also serves /healthz, /readyz, /metrics')
        .default(defaultRegistryPort)
        .argParser(parseIntOption)
        .env('RUNNEL_REGISTRY_PORT'),
    )
    .addOption(
      new Option(
        '--rest-port <port>',
        'REST Proxy (v2, v3), console (/ui) and /openapi.json port; also /healthz, /readyz, /metrics',
      )
        .default(defaultRestPort)
        .argParser(parseIntOption)
        .env('RUNNEL_REST_PORT'),
    )
    .addOption(
      new Option(
        '--rest-advertised-url <url>',
        'the REST URL clients and other gateways use: base_uri of consumer instances (default: http://<host or hostname>:<rest port>)',
      ).env('RUNNEL_REST_ADVERTISED_URL'),
    )
    .addOption(
      new Option(
        '--rest-consumer-instance-timeout-ms <ms>',
        'a v2 consumer instance no request touched for this long leaves its group and is deleted',
      )
        .default(300_000)
        .argParser(parseIntOption)
        .env('RUNNEL_REST_CONSUMER_INSTANCE_TIMEOUT_MS'),
    )
    .addOption(
      new Option(
        '--rest-consumer-instances-max <n>',
        'most v2 consumer instances this gateway holds; creating or taking over one more answers 429 (42901)',
      )
        .default(1000)
        .argParser(parseIntOption)
        .env('RUNNEL_REST_CONSUMER_INSTANCES_MAX'),
    )
    .addOption(
      new Option(
        '--rest-consumer-owner-timeout-ms <ms>',
        "how long a forwarded v2 consumer request waits for the instance's owning gateway (beyond the request's own wait) before this gateway takes the instance over",
      )
        .default(10_000)
        .argParser(parseIntOption)
        .env('RUNNEL_REST_CONSUMER_OWNER_TIMEOUT_MS'),
    )
    .addOption(
      new Option('--http-port <port>', 'an extra port for /metrics, /healthz, /readyz only (default: none)')
        .argParser(parseIntOption)
        .env('RUNNEL_HTTP_PORT'),
    )
    .addOption(new Option('--http-host <host>', 'interface for --http-port (default: --host)').env('RUNNEL_HTTP_HOST'))
    .addOption(
      new Option(
        '--metrics-urls <urls>',
        "the brokers' Prometheus /metrics URLs, comma-separated: the console's live produce/consume rates " +
          '(default: none; the console then derives produce rates from log-end offsets)',
      )
        .argParser((value: string) =>
          value
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        )
        .env('RUNNEL_METRICS_URLS'),
    )
    .addOption(
      new Option(
        '--advertised-url <url>',
        'the registry URL other gateways forward writes to (default: http://<host or hostname>:<registry port>)',
      ).env('RUNNEL_ADVERTISED_URL'),
    )
    .addOption(
      new Option('--registry-topic <name>', "the registry's topic (Confluent's kafkastore.topic)")
        .default('_schemas')
        .env('RUNNEL_REGISTRY_TOPIC'),
    )
    .addOption(
      new Option('--no-registry-writer', 'never be elected the registry writer (forward every write)').env(
        'RUNNEL_NO_REGISTRY_WRITER',
      ),
    )
    .addOption(
      new Option(
        '--registry-session-timeout-ms <ms>',
        "the writer election's session: how long a dead writer goes unnoticed (min 6000)",
      )
        .default(10_000)
        .argParser(parseIntOption)
        .env('RUNNEL_REGISTRY_SESSION_TIMEOUT_MS'),
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
      '\nReadiness: /readyz answers 503 with the reason until the cluster answers Metadata and the\n' +
        'registry has read the _schemas topic (created if missing: 1 partition, compacted), then 200;\n' +
        'it asks the cluster Metadata every second and answers 503 again while that goes unanswered\n' +
        '(3 s) or fails, 200 once the cluster answers again.\n' +
        '\nSeveral gateways: they elect one writer through the Kafka group "runnel-registry.<topic>";\n' +
        'the others forward writes to its --advertised-url and relay the answer. Every gateway reads\n' +
        '_schemas up to its end before answering a read, so a write acknowledged by any of them is seen\n' +
        'by the next read through any of them.\n' +
        '\nExample:\n  runnel gateway --bootstrap 127.0.0.1:9092 --registry-port 8081 --rest-port 8082\n',
    )
    .action(async (options: GatewayCommandOptions) => {
      const logger = createLogger({
        level: options.logLevel,
        name: 'runnel',
        ...(options.logFormat === undefined ? {} : { format: options.logFormat }),
      }).child({ role: 'gateway' });
      let gateway: Gateway;
      try {
        gateway = await Gateway.start({
          bootstrap: options.bootstrap,
          host: options.host,
          registryPort: options.registryPort,
          restPort: options.restPort,
          ...(options.restAdvertisedUrl === undefined ? {} : { restAdvertisedUrl: options.restAdvertisedUrl }),
          restLimits: {
            consumerInstanceTimeoutMs: options.restConsumerInstanceTimeoutMs,
            consumerInstancesMax: options.restConsumerInstancesMax,
            consumerOwnerTimeoutMs: options.restConsumerOwnerTimeoutMs,
          },
          ...(options.httpPort === undefined ? {} : { httpPort: options.httpPort }),
          ...(options.httpHost === undefined ? {} : { httpHost: options.httpHost }),
          ...(options.metricsUrls === undefined ? {} : { metricsUrls: options.metricsUrls }),
          ...(options.advertisedUrl === undefined ? {} : { advertisedUrl: options.advertisedUrl }),
          registryTopic: options.registryTopic,
          writerEligible: options.registryWriter,
          ...(options.registrySessionTimeoutMs === undefined
            ? {}
            : { electionSessionTimeoutMs: options.registrySessionTimeoutMs }),
          logger,
        });
      } catch (error) {
        process.stderr.write(`runnel gateway: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
      }
      let stopping = false;
      const shutdown = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`runnel gateway: ${signal}, stopping\n`);
        gateway.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`runnel gateway: stop failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
