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
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

type RequestLabels = 'route' | 'method' | 'status';

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<RequestLabels>;
  readonly requestSeconds: Histogram<RequestLabels>;

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
  }

  observe(route: string, method: string, status: number, seconds: number): void {
    const labels = { route, method, status: String(status) };
    this.requests.inc(labels);
    this.requestSeconds.observe(labels, seconds);
  }
}
