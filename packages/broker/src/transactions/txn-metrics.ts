/**
 * The transaction coordinator as Prometheus gauges, computed when /metrics
 * is scraped from the coordinators this broker hosts:
 *
 *   kafka_coordinator_transaction_ids{state}           transactional ids per state (Ongoing = open)
 *   kafka_coordinator_transaction_partitions{status}  `__transaction_state` partitions loading / loaded
 */
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import { transactionStates } from './transaction-records.ts';
import type { TransactionDescription } from './txn-api.ts';

export interface TransactionMetricsSource {
  list(): { readonly transactions: readonly TransactionDescription[] };
  partitionCounts(): { readonly loading: number; readonly loaded: number };
}

export function registerTransactionMetrics(registry: Registry, source: TransactionMetricsSource): void {
  new Gauge({
    name: 'kafka_coordinator_transaction_ids',
    help: 'Transactional ids of the transaction coordinators on this broker, per state (Ongoing: a transaction is open)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const counts = new Map<string, number>(transactionStates.map((s) => [s, 0]));
      for (const t of source.list().transactions) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'kafka_coordinator_transaction_partitions',
    help: '__transaction_state partitions this broker leads, as their coordinator: loading or loaded',
    labelNames: ['status'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const { loading, loaded } = source.partitionCounts();
      this.set({ status: 'loading' }, loading);
      this.set({ status: 'loaded' }, loaded);
    },
  });
}
