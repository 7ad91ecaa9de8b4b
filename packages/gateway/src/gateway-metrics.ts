/**
 * The gateway's Prometheus metrics: the process's default metrics and one
 * counter and one histogram of HTTP requests by route, method and status.
 * The route label is the route's template (`/subjects/:subject/versions`),
 * never the raw path, so a client probing arbitrary paths cannot grow the
 * label set: anything no route matched is counted as `unmatched`. Owned by
 * Gateway; the HTTP app only observes. Each gateway has its own registry
 * (several may share a process in tests, and `runnel dev` runs one next to
 * a broker).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

type RequestLabels = 'route' | 'method' | 'status';

/** What the registry reports: counts it keeps, read at scrape time. */
export interface RegistryStats {
  /** Whether this gateway is the elected writer. */
  readonly writer: boolean;
  readonly schemas: number;
  readonly subjects: number;
}

/** The registry's events the metrics count. */
export interface RegistryCounters {
  forwarded(): void;
  appended(records: number): void;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<RequestLabels>;
  readonly requestSeconds: Histogram<RequestLabels>;
  readonly #forwarded: Counter;
  readonly #appends: Counter;
  readonly #appendedRecords: Counter;
  readonly #connectionsClosed: Counter<'listener' | 'reason'>;
  readonly #restBytes: Counter<'direction'>;
  #consumerInstances: (() => number) | null = null;
  #registryStats: (() => RegistryStats | null) | null = null;

  /** defaultMetrics: false when another registry in the same process already collects them (`runnel dev`). */
  constructor(options: { defaultMetrics: boolean }) {
    const registers = [this.registry];
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'runnel_gateway_http_requests_total',
      help: 'HTTP requests answered by the gateway, by route template, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'runnel_gateway_http_request_duration_seconds',
      help: 'Time from an HTTP request arriving to its response being sent, by route template, method and status code',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#forwarded = new Counter({
      name: 'runnel_gateway_registry_forwarded_writes_total',
      help: 'Registry writes this gateway forwarded to the elected writer',
      registers,
    });
    this.#appends = new Counter({
      name: 'runnel_gateway_registry_appends_total',
      help: 'Appends to the registry topic made by this gateway as the writer (group commit: one per batch)',
      registers,
    });
    this.#connectionsClosed = new Counter({
      name: 'runnel_listener_connections_closed_total',
      help: 'Connections an HTTP server closed or refused itself, by listener (registry, http) and reason (idle, per_ip, max_connections)',
      labelNames: ['listener', 'reason'],
      registers,
    });
    this.#appendedRecords = new Counter({
      name: 'runnel_gateway_registry_appended_records_total',
      help: 'Records this gateway appended to the registry topic as the writer',
      registers,
    });
    this.#restBytes = new Counter({
      name: 'runnel_gateway_rest_bytes_total',
      help: 'Bytes of REST request bodies read (direction "in") and response bodies sent ("out") on the REST port',
      labelNames: ['direction'],
      registers,
    });
    const instances = () => this.#consumerInstances?.() ?? 0;
    new Gauge({
      name: 'runnel_gateway_rest_consumer_instances',
      help: 'REST Proxy v2 consumer instances this gateway holds',
      registers,
      collect() {
        this.set(instances());
      },
    });
    // Read at scrape time from the registry, so they cost nothing per request.
    const stats = () => this.#registryStats?.() ?? null;
    new Gauge({
      name: 'runnel_gateway_registry_writer',
      help: '1 when this gateway is the elected registry writer, else 0',
      registers,
      collect() {
        this.set(stats()?.writer === true ? 1 : 0);
      },
    });
    new Gauge({
      name: 'runnel_gateway_registry_schemas',
      help: 'Schema ids the registry holds (deleted ones included until permanently deleted)',
      registers,
      collect() {
        this.set(stats()?.schemas ?? 0);
      },
    });
    new Gauge({
      name: 'runnel_gateway_registry_subjects',
      help: 'Subjects the registry holds (soft-deleted ones included)',
      registers,
      collect() {
        this.set(stats()?.subjects ?? 0);
      },
    });
  }

  /** Where the registry gauges read from (null until the registry serves). */
  watchRegistry(stats: () => RegistryStats | null): void {
    this.#registryStats = stats;
  }

  /** Where the consumer-instance gauge reads from. */
  watchConsumerInstances(count: () => number): void {
    this.#consumerInstances = count;
  }

  /** Body bytes read from or sent to a REST client. */
  restBytes(direction: 'in' | 'out', bytes: number): void {
    this.#restBytes.inc({ direction }, bytes);
  }

  /** The counters the registry increments. */
  get registryCounters(): RegistryCounters {
    return {
      forwarded: () => this.#forwarded.inc(),
      appended: (records) => {
        this.#appends.inc();
        this.#appendedRecords.inc(records);
      },
    };
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }

  /** A connection `listener`'s limits closed (gatewayHttpLimits). */
  connectionClosed(listener: string, reason: string): void {
    this.#connectionsClosed.inc({ listener, reason });
  }
}
