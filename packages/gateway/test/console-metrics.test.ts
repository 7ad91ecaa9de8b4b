import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/console/prometheus-text.ts';
import { type CounterSample, ratesBetween, topicCountersFromMetrics } from '../src/console/rate-math.ts';

const brokerText = `# HELP kafka_server_brokertopicmetrics_messagesin_total Records appended by producers, by topic
# TYPE kafka_server_brokertopicmetrics_messagesin_total counter
kafka_server_brokertopicmetrics_messagesin_total{topic="orders"} 1200
kafka_server_brokertopicmetrics_messagesin_total{topic="a \\"quoted\\" \\\\ name"} 7
kafka_server_brokertopicmetrics_bytesin_total{topic="orders"} 2.5e4 1700000000000
kafka_network_requests_total{request="Produce"} 99
process_cpu_seconds_total 1.5
this line is not a sample
kafka_server_brokertopicmetrics_messagesout_total{topic="orders",} 300
`;

describe('Prometheus text', () => {
  it('reads names, labels with escapes, values in any float form and skips comments and bad lines', () => {
    const samples = parsePrometheusText(brokerText);
    expect(samples).toContainEqual({
      name: 'kafka_server_brokertopicmetrics_messagesin_total',
      labels: { topic: 'a "quoted" \\ name' },
      value: 7,
    });
    expect(samples).toContainEqual({
      name: 'kafka_server_brokertopicmetrics_bytesin_total',
      labels: { topic: 'orders' },
      value: 25_000,
    });
    expect(samples).toContainEqual({
      name: 'kafka_server_brokertopicmetrics_messagesout_total',
      labels: { topic: 'orders' },
      value: 300,
    });
    expect(samples).toContainEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 1.5 });
    expect(samples.some((s) => s.name === 'this')).toBe(false);
  });

  it('keeps only the wanted metric names when asked', () => {
    const samples = parsePrometheusText(brokerText, new Set(['kafka_network_requests_total']));
    expect(samples).toEqual([{ name: 'kafka_network_requests_total', labels: { request: 'Produce' }, value: 99 }]);
  });
});

function sample(atMs: number, sources: Record<string, Record<string, Record<string, number>>>): CounterSample {
  return {
    atMs,
    sources: new Map(
      Object.entries(sources).map(([source, topics]) => [source, new Map(Object.entries(topics))] as const),
    ),
  };
}

describe('rates between two samples', () => {
  it("sums each broker's per-topic counter increase over the seconds between the samples", () => {
    const before = sample(1000, {
      b1: { orders: { messagesIn: 100, messagesOut: 0 } },
      b2: { orders: { messagesIn: 50 } },
    });
    const after = sample(3000, {
      b1: { orders: { messagesIn: 300, messagesOut: 40 } },
      b2: { orders: { messagesIn: 150 }, audit: { messagesIn: 10 } },
    });
    const { total, topics } = ratesBetween(before, after);
    expect(topics.orders?.messagesInPerSec).toBe(150);
    expect(topics.orders?.messagesOutPerSec).toBe(20);
    expect(topics.audit?.messagesInPerSec).toBe(5);
    expect(total.messagesInPerSec).toBe(155);
    expect(total.bytesInPerSec).toBeNull();
  });

  it('reads a counter that went down as restarted (a broker restart), not as a negative rate', () => {
    const { total } = ratesBetween(
      sample(0, { b1: { orders: { messagesIn: 1000 } } }),
      sample(1000, { b1: { orders: { messagesIn: 40 } } }),
    );
    expect(total.messagesInPerSec).toBe(40);
  });

  it('leaves out a broker missing from the earlier sample instead of counting its whole counter', () => {
    const { total } = ratesBetween(
      sample(0, { b1: { orders: { messagesIn: 10 } } }),
      sample(1000, { b1: { orders: { messagesIn: 20 } }, b2: { orders: { messagesIn: 1_000_000 } } }),
    );
    expect(total.messagesInPerSec).toBe(10);
  });

  it('turns broker metrics into per-topic counters, summing label sets of one topic', () => {
    const counters = topicCountersFromMetrics(parsePrometheusText(brokerText));
    expect(counters.get('orders')).toEqual({ messagesIn: 1200, bytesIn: 25_000, messagesOut: 300 });
  });
});
