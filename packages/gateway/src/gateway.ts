/**
 * The gateway process: a stateless HTTP server in front of the cluster, of
 * which it is a plain Kafka client (it never touches storage). Today it
 * serves the registry root and the operational endpoints; the Schema
 * Registry API lands under registry/. It starts serving at once, not ready,
 * and becomes ready when the cluster answers Metadata (ClusterLink).
 * Owned by whoever started it, who must stop() it; stop() closes the HTTP
 * listeners (letting requests in flight finish) and then the cluster client.
 */
import { hostname } from 'node:os';
import { KafkaClient, parseBootstrap } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { RegistryClient } from '@runnel/schema-serde';
import type { FastifyInstance } from 'fastify';
import { ClusterLink } from './cluster-link.ts';
import { GatewayMetrics } from './gateway-metrics.ts';
import { buildHttpApp } from './http-app.ts';
import { RegistryHost } from './registry/registry-host.ts';
import { EmbeddedFormats } from './rest/formats/embedded-formats.ts';
import { buildRestApp } from './rest/rest-app.ts';
import { defaultRestLimits, type RestContext, type RestLimits } from './rest/rest-context.ts';
import { RestError, restErrorCodes } from './rest/rest-error.ts';

/** Confluent REST Proxy's usual port: REST Proxy v2 and v3, the console at /ui, /openapi.json. */
export const defaultRestPort = 8082;

/** The gateway's version, as the OpenAPI description states it. */
const gatewayVersion = '0.1.0';

/** The Schema Registry's usual port, which Confluent's clients and tools assume. */
export const defaultRegistryPort = 8081;

export interface GatewayOptions {
  /** The cluster: "host:port[,host:port...]". */
  bootstrap: string;
  /** Interface the HTTP listeners bind. */
  host: string;
  /** Schema Registry port (also serves /healthz, /readyz, /metrics); 0 picks a free one. Default 8081. */
  registryPort?: number;
  /** REST Proxy port (also serves /ui, /openapi.json, /healthz, /readyz, /metrics); 0 picks a free one; null: none. Default 8082. */
  restPort?: number | null;
  /** The REST URL as clients and other gateways reach it. Default http://<host>:<rest port>, as advertisedUrl. */
  restAdvertisedUrl?: string;
  /** The REST Proxy's limits; unset ones keep defaultRestLimits. */
  restLimits?: Partial<RestLimits>;
  /** A separate port for /healthz, /readyz and /metrics only, like the other roles' HTTP port; absent: none. */
  httpPort?: number;
  /**
   * Interface the separate port binds; default `host`. Another one lets a scraper reach the metrics on an
   * address where the registry is not served (docker-compose: the registry on the host's loopback, the
   * metrics on the Docker bridge's host address for Prometheus).
   */
  httpHost?: string;
  logger: Logger;
  /**
   * The registry's URL as other gateways reach it (they forward writes to the elected writer there). Default
   * http://<host>:<registry port>, with the machine's hostname when `host` is a wildcard.
   */
  advertisedUrl?: string;
  /** The registry's topic (Confluent's `kafkastore.topic`). Default `_schemas`. */
  registryTopic?: string;
  /** Whether this gateway may be elected the registry's writer. Default true. */
  writerEligible?: boolean;
  /** The writer election's session timeout: how long a killed writer goes unnoticed. Default 10000. */
  electionSessionTimeoutMs?: number;
  /** Whether /metrics includes the process's default metrics; false when the process already exports them elsewhere. Default true. */
  processMetrics?: boolean;
  /** The brokers' Prometheus /metrics URLs, for the console's live rates; default none (rates from log-end offsets). */
  metricsUrls?: readonly string[];
}

/** The bootstrap list does not parse; nothing was started. */
export class InvalidBootstrapError extends Error {
  override name = 'InvalidBootstrapError';
}

export class Gateway {
  readonly #link: ClusterLink;
  readonly #registry: RegistryHost;
  readonly #apps: FastifyInstance[];
  readonly #logger: Logger;
  readonly #ports: { registry: number; http: number | null; rest: number | null };
  readonly #restClosers: (() => Promise<void>)[];
  #stopping: Promise<void> | null = null;

  private constructor(
    link: ClusterLink,
    registry: RegistryHost,
    apps: FastifyInstance[],
    ports: { registry: number; http: number | null; rest: number | null },
    logger: Logger,
    restClosers: (() => Promise<void>)[],
  ) {
    this.#restClosers = restClosers;
    this.#link = link;
    this.#registry = registry;
    this.#apps = apps;
    this.#ports = ports;
    this.#logger = logger;
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const parsed = parseBootstrap(options.bootstrap);
    if (!parsed.ok) throw new InvalidBootstrapError(`invalid bootstrap "${options.bootstrap}": ${parsed.message}`);
    const logger = options.logger;
    const metrics = new GatewayMetrics({ defaultMetrics: options.processMetrics ?? true });
    const link = new ClusterLink({ bootstrap: options.bootstrap, logger });
    const registry = new RegistryHost({
      logger,
      counters: metrics.registryCounters,
      kafkaClusterId: () => link.clusterId,
      ...(options.registryTopic === undefined ? {} : { topic: options.registryTopic }),
      ...(options.writerEligible === undefined ? {} : { writerEligible: options.writerEligible }),
      ...(options.electionSessionTimeoutMs === undefined
        ? {}
        : { electionSessionTimeoutMs: options.electionSessionTimeoutMs }),
    });
    metrics.watchRegistry(() => registry.stats());
    // Ready once the cluster has answered and the registry has read `_schemas` to its end.
    const notReadyReason = (): string | null => link.notReadyReason ?? registry.notReadyReason;
    const registryApp = buildHttpApp({ metrics, notReadyReason, logger, registry });
    const apps = [registryApp];
    let httpPort: number | null = null;
    let restPort: number | null = null;
    const restClosers: (() => Promise<void>)[] = [];
    try {
      const registryPort = await listen(registryApp, options.host, options.registryPort ?? defaultRegistryPort);
      const restPortAsked = options.restPort === undefined ? defaultRestPort : options.restPort;
      if (restPortAsked !== null) {
        const registryUrl = `http://${loopbackOf(options.host)}:${registryPort}`;
        // The advertised URL names the port, so it is known only once listening; routes read it per request.
        let restAdvertisedUrl = options.restAdvertisedUrl ?? '';
        const restRegistry = new RegistryClient(registryUrl);
        const context: RestContext = {
          logger: logger.child({ api: 'rest' }),
          metrics,
          limits: { ...defaultRestLimits, ...options.restLimits },
          bootstrap: options.bootstrap,
          get advertisedUrl() {
            return restAdvertisedUrl;
          },
          clusterId: () => link.clusterId,
          client: () => {
            const client = link.client;
            if (client === null) {
              throw new RestError(
                restErrorCodes.kafkaUnavailable,
                `the cluster at ${options.bootstrap} has not answered yet`,
              );
            }
            return client;
          },
          connectClient: (clientOptions) => KafkaClient.connect({ ...clientOptions, bootstrap: options.bootstrap }),
          registry: restRegistry,
          formats: new EmbeddedFormats(restRegistry),
          registryUrl,
          metricsUrls: options.metricsUrls ?? [],
          onClusterReady: (listener) => link.onReady(listener),
          onStop: (close) => {
            restClosers.push(close);
          },
        };
        const restApp = await buildRestApp({ context, metrics, notReadyReason, logger, version: gatewayVersion });
        apps.push(restApp);
        restPort = await listen(restApp, options.host, restPortAsked);
        restAdvertisedUrl ||= defaultAdvertisedUrl(options.host, restPort);
      }
      if (options.httpPort !== undefined) {
        const opsApp = buildHttpApp({ metrics, notReadyReason, logger, registry: null });
        apps.push(opsApp);
        httpPort = await listen(opsApp, options.httpHost ?? options.host, options.httpPort);
      }
      const advertisedUrl = options.advertisedUrl ?? defaultAdvertisedUrl(options.host, registryPort);
      link.onReady((client) => {
        void registry.open(client, options.bootstrap, advertisedUrl);
      });
      link.start();
      logger.info(
        {
          host: options.host,
          registryPort,
          ...(httpPort === null ? {} : { httpHost: options.httpHost ?? options.host }),
          httpPort,
          restPort,
          bootstrap: options.bootstrap,
          advertisedUrl,
        },
        'gateway listening',
      );
      return new Gateway(
        link,
        registry,
        apps,
        { registry: registryPort, http: httpPort, rest: restPort },
        logger,
        restClosers,
      );
    } catch (error) {
      await Promise.all(apps.map((app) => app.close()));
      throw error;
    }
  }

  /** The port the registry listens on (the one chosen when 0 was asked for). */
  get registryPort(): number {
    return this.#ports.registry;
  }

  /** The REST Proxy's port; null when the gateway serves none. */
  get restPort(): number | null {
    return this.#ports.rest;
  }

  get httpPort(): number | null {
    return this.#ports.http;
  }

  get ready(): boolean {
    return this.#link.ready;
  }

  /** Idempotent: a second call waits for the first. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await Promise.all(this.#apps.map((app) => app.close()));
      // Consumer instances and streams the REST Proxy opened: they leave their groups before the link closes.
      await Promise.all(this.#restClosers.map((close) => close()));
      // The store's tail before the link: the link owns the client the store writes through.
      await this.#registry.stop();
      await this.#link.stop();
      this.#logger.info('gateway stopped');
    })();
    return this.#stopping;
  }
}

/** How other gateways reach this one when no URL is configured: a wildcard interface is named by the hostname. */
export function defaultAdvertisedUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' || host === '' ? hostname() : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
}

/** Where this process reaches its own listener bound to `host`: a wildcard interface on loopback. */
function loopbackOf(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function listen(app: FastifyInstance, host: string, port: number): Promise<number> {
  await app.listen({ host, port });
  const address = app.server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}
