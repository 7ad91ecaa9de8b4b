/**
 * The console's produce and consume rates. With the brokers' metrics URLs
 * (`--metrics-urls`; `runnel dev` passes its broker's) it scrapes their
 * Prometheus text and reads the per-topic kafka_server_brokertopicmetrics
 * counters, the cluster's own numbers. Without them it falls back, and says
 * so, to sums of each partition's log-end offset, which give a produce rate
 * (records appended, transaction markers included) but no consume rate.
 *
 * Samples are taken only when a page asks, at most once per
 * `sampleIntervalMsMin`, so a gateway nobody looks at does no work;
 * concurrent askers share one sample. Owned by the console routes; it keeps
 * two samples, whatever the cluster's size (one counter set per topic).
 */
import type { KafkaClient } from '@runnel/client';
import type { RatesAnswer, RatesSource } from './console-api-types.ts';
import { parsePrometheusText } from './prometheus-text.ts';
import {
  brokerTopicCounters,
  type CounterSample,
  emptyRates,
  ratesBetween,
  type TopicCounters,
  topicCountersFromMetrics,
} from './rate-math.ts';

export interface RateSamplerOptions {
  metricsUrls: readonly string[];
  client: () => KafkaClient;
  nowMs?: () => number;
  /** Two samples closer than this give the last rates again instead of a new sample. Default 1000. */
  sampleIntervalMsMin?: number;
  /** A scrape not answered in this time counts as failed. Default 2000. */
  scrapeTimeoutMs?: number;
  /** The fallback reads at most this many partitions' end offsets per sample. Default 2000. */
  fallbackPartitionsMax?: number;
}

const wantedMetrics = new Set(Object.keys(brokerTopicCounters));
const fallbackSource = 'log-end-offsets';

export class RateSampler {
  readonly #options: Required<Omit<RateSamplerOptions, 'nowMs'>> & { nowMs: () => number };
  #previous: CounterSample | null = null;
  #latest: CounterSample | null = null;
  #latestErrors: string[] = [];
  #inFlight: Promise<void> | null = null;

  constructor(options: RateSamplerOptions) {
    this.#options = {
      metricsUrls: options.metricsUrls,
      client: options.client,
      nowMs: options.nowMs ?? Date.now,
      sampleIntervalMsMin: options.sampleIntervalMsMin ?? 1000,
      scrapeTimeoutMs: options.scrapeTimeoutMs ?? 2000,
      fallbackPartitionsMax: options.fallbackPartitionsMax ?? 2000,
    };
  }

  get source(): RatesSource {
    return this.#options.metricsUrls.length > 0 ? 'broker-metrics' : 'log-end-offsets';
  }

  /** The rates between the last two samples, sampling first when the newest is old enough. */
  async rates(): Promise<RatesAnswer> {
    const latest = this.#latest;
    if (latest === null || this.#options.nowMs() - latest.atMs >= this.#options.sampleIntervalMsMin) {
      this.#inFlight ??= this.#sample().finally(() => {
        this.#inFlight = null;
      });
      await this.#inFlight;
    }
    const before = this.#previous;
    const after = this.#latest;
    const between = before !== null && after !== null ? ratesBetween(before, after) : null;
    // A broker exports a topic's counter only once it has counted something: with metrics, absent is 0.
    if (between !== null && this.source === 'broker-metrics') {
      for (const rates of [between.total, ...Object.values(between.topics)]) {
        rates.messagesInPerSec ??= 0;
        rates.messagesOutPerSec ??= 0;
        rates.bytesInPerSec ??= 0;
        rates.bytesOutPerSec ??= 0;
      }
    }
    return {
      source: this.source,
      sourceNote:
        this.source === 'broker-metrics'
          ? `From the brokers' own counters (kafka_server_brokertopicmetrics_*) at ${this.#options.metricsUrls.length} metrics URL(s).`
          : 'No broker metrics URL is configured (runnel gateway --metrics-urls): produce rates are derived from ' +
            'log-end offsets sampled by the gateway; consume rates are unknown.',
      atMs: after?.atMs ?? this.#options.nowMs(),
      total: between?.total ?? emptyRates(),
      topics: between?.topics ?? {},
      errors: this.#latestErrors,
    };
  }

  async #sample(): Promise<void> {
    const errors: string[] = [];
    const sources = new Map<string, TopicCounters>();
    if (this.#options.metricsUrls.length > 0) {
      await Promise.all(
        this.#options.metricsUrls.map(async (url) => {
          try {
            sources.set(url, await this.#scrape(url));
          } catch (error) {
            errors.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }),
      );
    } else {
      try {
        for (const [key, counters] of await this.#endOffsets()) sources.set(key, counters);
      } catch (error) {
        errors.push(`log-end offsets: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.#previous = this.#latest;
    this.#latest = { atMs: this.#options.nowMs(), sources };
    this.#latestErrors = errors;
  }

  async #scrape(url: string): Promise<TopicCounters> {
    const response = await fetch(url, { signal: AbortSignal.timeout(this.#options.scrapeTimeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return topicCountersFromMetrics(parsePrometheusText(await response.text(), wantedMetrics));
  }

  /** Each partition's log-end offset as its own source, so a partition that fails one read drops out of that rate only. */
  async #endOffsets(): Promise<Map<string, TopicCounters>> {
    const client = this.#options.client();
    const metadata = await client.metadata(null);
    const partitions = metadata.topics
      .flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })))
      .slice(0, this.#options.fallbackPartitionsMax);
    const sources = new Map<string, TopicCounters>();
    await Promise.all(
      partitions.map(async ({ topic, partition }) => {
        try {
          const end = await client.listOffsets(topic, partition, -1n);
          sources.set(
            `${fallbackSource}:${topic}/${partition}`,
            new Map([[topic, { messagesIn: Number(end.offset) }]]),
          );
        } catch {
          // Left out of this sample.
        }
      }),
    );
    return sources;
  }
}
