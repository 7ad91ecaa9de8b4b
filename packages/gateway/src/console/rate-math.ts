/**
 * Rates from two samples of monotonically growing per-topic counters: the
 * brokers' kafka_server_brokertopicmetrics_* counters, or the gateway's own
 * sums of log-end offsets. Each source (a broker's metrics URL, or the
 * cluster's offsets) is compared only with its own previous sample, so a
 * broker that missed one scrape drops out of that rate instead of making it
 * jump. A counter that went down was restarted (a broker restart): its
 * increase is its new value, as Prometheus' rate() reads it.
 */
import type { TopicRates } from './console-api-types.ts';
import type { MetricSample } from './prometheus-text.ts';

export type CounterKind = 'messagesIn' | 'messagesOut' | 'bytesIn' | 'bytesOut';

export const brokerTopicCounters: Readonly<Record<string, CounterKind>> = {
  kafka_server_brokertopicmetrics_messagesin_total: 'messagesIn',
  kafka_server_brokertopicmetrics_messagesout_total: 'messagesOut',
  kafka_server_brokertopicmetrics_bytesin_total: 'bytesIn',
  kafka_server_brokertopicmetrics_bytesout_total: 'bytesOut',
};

/** Per topic, the counters one source knows (a source without some kind leaves it out). */
export type TopicCounters = Map<string, Partial<Record<CounterKind, number>>>;

export interface CounterSample {
  atMs: number;
  /** By source: a metrics URL, or 'log-end-offsets'. */
  sources: Map<string, TopicCounters>;
}

/** One broker's per-topic counters from its /metrics samples; samples without a topic label are left out. */
export function topicCountersFromMetrics(samples: readonly MetricSample[]): TopicCounters {
  const counters: TopicCounters = new Map();
  for (const sample of samples) {
    const kind = brokerTopicCounters[sample.name];
    const topic = sample.labels.topic;
    if (kind === undefined || topic === undefined) continue;
    const row = counters.get(topic) ?? {};
    row[kind] = (row[kind] ?? 0) + sample.value;
    counters.set(topic, row);
  }
  return counters;
}

const kinds: readonly CounterKind[] = ['messagesIn', 'messagesOut', 'bytesIn', 'bytesOut'];
const rateField: Readonly<Record<CounterKind, keyof TopicRates>> = {
  messagesIn: 'messagesInPerSec',
  messagesOut: 'messagesOutPerSec',
  bytesIn: 'bytesInPerSec',
  bytesOut: 'bytesOutPerSec',
};

export function emptyRates(): TopicRates {
  return { messagesInPerSec: null, messagesOutPerSec: null, bytesInPerSec: null, bytesOutPerSec: null };
}

/** Per-topic and total rates (per second) between two samples; null where neither sample covers a kind. */
export function ratesBetween(
  before: CounterSample,
  after: CounterSample,
): { total: TopicRates; topics: Record<string, TopicRates> } {
  const seconds = (after.atMs - before.atMs) / 1000;
  const total = emptyRates();
  const topics: Record<string, TopicRates> = {};
  if (seconds <= 0) return { total, topics };
  for (const [source, now] of after.sources) {
    const then = before.sources.get(source);
    if (then === undefined) continue;
    for (const [topic, counters] of now) {
      const previous = then.get(topic) ?? {};
      const rates = topics[topic] ?? emptyRates();
      topics[topic] = rates;
      for (const kind of kinds) {
        const value = counters[kind];
        if (value === undefined) continue;
        const old = previous[kind] ?? 0;
        const increase = value >= old ? value - old : value;
        const perSecond = increase / seconds;
        const field = rateField[kind];
        rates[field] = (rates[field] ?? 0) + perSecond;
        total[field] = (total[field] ?? 0) + perSecond;
      }
    }
  }
  return { total, topics };
}
