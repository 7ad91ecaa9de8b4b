/**
 * Transactions and producer state per partition led here, as Prometheus
 * gauges computed when /metrics is scraped:
 *
 *   kafka_partition_open_transactions{topic,partition}              producers with an open transaction
 *   kafka_partition_last_stable_offset_lag{topic,partition}         high watermark - last stable offset
 *   kafka_partition_last_stable_offset_lag_seconds{topic,partition} age of the oldest open transaction
 *   kafka_partition_producer_state_producers{topic,partition}       producers the partition tracks
 *
 * Only leaders export them, so summing over brokers counts each partition
 * once (followers hold the same producer state). The age of a transaction
 * is measured from the timestamp of its first batch when the producer
 * still retains it (its last five), otherwise from its oldest retained
 * batch: a lower bound, exact for the hanging transactions the alert is
 * for, whose producers stopped writing early. Timestamps are the batches'
 * own (CreateTime unless the topic appends its time), as
 * `runnel transactions find-hanging` reads them.
 */
import type { ProducerEntry } from '@runnel/storage';
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';

/** What the metrics read of a hosted partition. */
export interface TxnPartitionSource {
  readonly topic: string;
  readonly index: number;
  readonly role: 'leader' | 'follower' | 'none';
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  readonly log: { producers(): IterableIterator<ProducerEntry> };
}

export interface PartitionTxnSample {
  readonly topic: string;
  readonly partition: number;
  readonly openTransactions: number;
  readonly lsoLagOffsets: bigint;
  /** 0 with no open transaction. */
  readonly lsoLagMs: number;
  readonly producers: number;
}

/** One sample per partition led here. */
export function partitionTxnSamples(partitions: Iterable<TxnPartitionSource>, nowMs: number): PartitionTxnSample[] {
  const samples: PartitionTxnSample[] = [];
  for (const p of partitions) {
    if (p.role !== 'leader') continue;
    let producers = 0;
    let openTransactions = 0;
    let oldest: ProducerEntry | null = null;
    for (const entry of p.log.producers()) {
      producers++;
      if (entry.currentTxnFirstOffset === null) continue;
      openTransactions++;
      if (oldest === null || entry.currentTxnFirstOffset < (oldest.currentTxnFirstOffset ?? 0n)) oldest = entry;
    }
    const lag = p.highWatermark - p.lastStableOffset;
    samples.push({
      topic: p.topic,
      partition: p.index,
      openTransactions,
      lsoLagOffsets: lag > 0n ? lag : 0n,
      lsoLagMs: oldest === null ? 0 : Math.max(0, nowMs - Number(transactionStartMs(oldest))),
      producers,
    });
  }
  return samples;
}

/** The open transaction's first batch's timestamp if retained, else its oldest retained batch's (see header). */
export function transactionStartMs(entry: ProducerEntry): bigint {
  const first = entry.currentTxnFirstOffset;
  const exact = entry.batches.find((b) => b.firstOffset === first);
  return exact?.timestampMs ?? entry.batches[0]?.timestampMs ?? entry.lastTimestampMs;
}

/** Registers the four gauges on `registry`; they read `partitions` on every scrape. */
export function registerProducerStateMetrics(
  registry: Registry,
  sources: { partitions(): Iterable<TxnPartitionSource>; nowMs(): number },
): void {
  const gauge = (name: string, help: string, value: (s: PartitionTxnSample) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['topic', 'partition'] as const,
      registers: [registry],
      collect() {
        // Each gauge computes its own samples: a scrape may read one gauge alone.
        this.reset();
        for (const s of partitionTxnSamples(sources.partitions(), sources.nowMs()))
          this.set({ topic: s.topic, partition: String(s.partition) }, value(s));
      },
    });
  gauge(
    'kafka_partition_open_transactions',
    'Transactions open on the partition (first batch written, no marker yet); exported by the leader',
    (s) => s.openTransactions,
  );
  gauge(
    'kafka_partition_last_stable_offset_lag',
    'High watermark - last stable offset: offsets read_committed consumers cannot read yet; exported by the leader',
    (s) => Number(s.lsoLagOffsets),
  );
  gauge(
    'kafka_partition_last_stable_offset_lag_seconds',
    'Age of the oldest open transaction, which holds the last stable offset; 0 with none; exported by the leader',
    (s) => s.lsoLagMs / 1000,
  );
  gauge(
    'kafka_partition_producer_state_producers',
    'Producer ids the partition keeps state for (idempotent and transactional); exported by the leader',
    (s) => s.producers,
  );
}
