/**
 * Metrics of the broker's listeners (the Kafka port and the HTTP endpoint):
 * connections open, closed by a limit (by reason) and delayed by the
 * creation rate. Owned by Broker; the listeners only count.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

/** Why a listener closed (or refused) a connection itself. */
export type ConnectionLimitReason = 'idle' | 'deadline' | 'per_ip' | 'max_connections';

export class ConnectionMetrics {
  readonly #closed: Counter<'listener' | 'reason'>;
  readonly #throttled: Counter<'listener'>;
  readonly #throttleSeconds: Counter<'listener'>;
  readonly #openCounts = new Map<string, () => number>();

  constructor(registry: Registry) {
    const registers = [registry];
    const openCounts = this.#openCounts;
    new Gauge({
      name: 'runnel_listener_connections',
      help: 'Open connections, by listener (PLAINTEXT: the Kafka port; http: /metrics and the probes)',
      labelNames: ['listener'],
      registers,
      collect() {
        for (const [listener, count] of openCounts) this.set({ listener }, count());
      },
    });
    this.#closed = new Counter({
      name: 'runnel_listener_connections_closed_total',
      help: 'Connections a listener closed or refused itself, by listener and reason (idle, deadline, per_ip, max_connections)',
      labelNames: ['listener', 'reason'],
      registers,
    });
    this.#throttled = new Counter({
      name: 'runnel_listener_connections_throttled_total',
      help: 'New connections held back by max.connection.creation.rate, by listener',
      labelNames: ['listener'],
      registers,
    });
    this.#throttleSeconds = new Counter({
      name: 'runnel_listener_connection_accept_throttle_seconds_total',
      help: 'Time new connections were held back by max.connection.creation.rate, by listener',
      labelNames: ['listener'],
      registers,
    });
  }

  /** Reports `count()` as the open connections of `listener` at every scrape. */
  trackOpen(listener: string, count: () => number): void {
    this.#openCounts.set(listener, count);
  }

  closed(listener: string, reason: ConnectionLimitReason): void {
    this.#closed.inc({ listener, reason });
  }

  throttled(listener: string, delayMs: number): void {
    this.#throttled.inc({ listener });
    this.#throttleSeconds.inc({ listener }, delayMs / 1000);
  }
}
