/**
 * The observability kit against a real Prometheus: a cluster of real
 * processes (1 controller, 2 brokers) scraped every second by the Debian
 * `prometheus` binary with deploy/prometheus/alerts.yml loaded. Records go
 * in through the brokers and a group commits an offset; the test then reads
 * controller and broker metrics back through PromQL, checks every alert
 * rule evaluates, and checks that every metric name the alert rules and the
 * Grafana dashboard use is exported by some process.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';
import {
  type Dashboard,
  dashboardQueries,
  dashboardVariableMetrics,
  exposedMetricNames,
  metricNamesIn,
  withGrafanaVariables,
} from './metric-names.ts';
import { type PrometheusSample, PrometheusServer, requireTool } from './prometheus-server.ts';

const deploy = join(resolve(import.meta.dirname, '..', '..'), 'deploy');
const alertsFile = join(deploy, 'prometheus', 'alerts.yml');
const dashboardFile = join(deploy, 'grafana', 'dashboards', 'runnel-cluster.json');
const topic = 'observed';
const group = 'observer';
const brokers = [1, 2];

let cluster: TestCluster;
let prometheus: PrometheusServer;

beforeAll(async () => {
  // Before starting a cluster: a missing binary should fail fast with the install hint.
  requireTool('prometheus');
  cluster = await TestCluster.start({ controllers: 1, brokers: brokers.length });
  prometheus = await PrometheusServer.start(
    [
      { job: 'runnel-controller', targets: [`127.0.0.1:${cluster.ports('controller', 1).http}`] },
      { job: 'runnel-broker', targets: brokers.map((id) => `127.0.0.1:${cluster.ports('broker', id).http}`) },
    ],
    [alertsFile],
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.stop();
});

/** Polls an instant query until `accept` likes its samples; returns them. */
function waitForQuery(
  promql: string,
  accept: (samples: PrometheusSample[]) => boolean,
  timeoutMs = 15_000,
): Promise<PrometheusSample[]> {
  let last: PrometheusSample[] = [];
  return waitFor(
    async () => {
      last = await prometheus.query(promql);
      return accept(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 250, what: promql },
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)}; last result ${JSON.stringify(last)}`);
  });
}

const onlyValue = (samples: PrometheusSample[]): number | undefined =>
  samples.length === 1 ? samples[0]?.value : undefined;

async function processMetricNames(): Promise<Set<string>> {
  const ports = [cluster.ports('controller', 1).http, ...brokers.map((id) => cluster.ports('broker', id).http)];
  const names = new Set<string>(['up']); // `up` is Prometheus's own, per target
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const name of exposedMetricNames(text)) names.add(name);
  }
  return names;
}

describe('Prometheus scraping a multi-process cluster', () => {
  it('every controller and broker target is up within a few scrapes', async () => {
    const targets = await waitFor(
      async () => {
        const all = await prometheus.targets();
        return all.length === 3 && all.every((t) => t.health === 'up') ? all : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'all three targets up' },
    );
    expect(targets.map((t) => t.labels.job).sort()).toEqual(['runnel-broker', 'runnel-broker', 'runnel-controller']);
  });

  it('controller and broker metrics read back through PromQL match what the cluster did', async () => {
    const kafka = new Kafka({
      brokers: cluster.bootstrap().split(','),
      clientId: 'observer',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
      const produced = await cluster.produce(topic, ['a', 'b', 'c', 'd', 'e']);
      expect(produced.code, produced.stderr).toBe(0);
      // A commit at offset 2 of 5 records: the coordinator reports a lag of 3.
      await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '2' }] });
    } finally {
      await admin.disconnect();
    }

    // Controller process.
    const active = await waitForQuery(
      'kafka_controller_kafkacontroller_activecontrollercount{job="runnel-controller"}',
      (s) => onlyValue(s) === 1,
    );
    expect(active[0]?.metric.instance).toBe(`127.0.0.1:${cluster.ports('controller', 1).http}`);
    await waitForQuery('kafka_controller_kafkacontroller_activebrokercount', (s) => onlyValue(s) === 2);
    await waitForQuery('kafka_controller_kafkacontroller_fencedbrokercount', (s) => onlyValue(s) === 0);
    await waitForQuery('kafka_controller_kafkacontroller_offlinepartitionscount', (s) => onlyValue(s) === 0);

    // Broker processes: the leader counted the records, and both brokers export their logs.
    await waitForQuery(
      `sum(kafka_server_brokertopicmetrics_messagesin_total{job="runnel-broker", topic="${topic}"})`,
      (s) => onlyValue(s) === 5,
    );
    const bytesIn = await waitForQuery(
      `sum(kafka_server_brokertopicmetrics_bytesin_total{topic="${topic}"})`,
      (s) => (onlyValue(s) ?? 0) > 0,
    );
    expect(bytesIn[0]?.value).toBeGreaterThan(5);
    const partitions = await waitForQuery(
      'kafka_server_replicamanager_partitioncount{job="runnel-broker"} >= 1',
      (s) => s.length === 2,
    );
    expect(partitions.map((s) => s.metric.instance).sort()).toEqual(
      brokers.map((id) => `127.0.0.1:${cluster.ports('broker', id).http}`).sort(),
    );
    await waitForQuery(`sum(kafka_server_brokertopicmetrics_replicationbytesin_total)`, (s) => (onlyValue(s) ?? 0) > 0);
    await waitForQuery(
      `sum by (group, topic) (kafka_consumergroup_lag{group="${group}", topic="${topic}"})`,
      (s) => onlyValue(s) === 3,
    );
    await waitForQuery('sum(kafka_network_requests_total{request="Produce"})', (s) => (onlyValue(s) ?? 0) >= 1);
  });

  it('every alert rule loads and evaluates, and no availability alert is active in a healthy cluster', async () => {
    const rules = await waitFor(
      async () => {
        const all = await prometheus.rules();
        return all.length > 0 && all.every((r) => r.health !== 'unknown') ? all : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250, what: 'every rule evaluated once' },
    );
    expect(rules.filter((r) => r.health !== 'ok')).toEqual([]);
    expect(rules.map((r) => r.name)).toContain('RunnelOfflinePartitions');
    const availability = new Set([
      'RunnelBrokerDown',
      'RunnelControllerDown',
      'RunnelNoActiveController',
      'RunnelSeveralActiveControllers',
      'RunnelOfflinePartitions',
      'RunnelUnderMinIsrPartitions',
    ]);
    const active = (await prometheus.alerts()).filter((a) => availability.has(a.labels.alertname ?? ''));
    expect(active).toEqual([]);
  });

  it('every metric name used by the alert rules and the dashboard is exported by a controller or a broker', async () => {
    const exported = await processMetricNames();
    const dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as Dashboard;
    const used = new Map<string, string>();
    for (const rule of await prometheus.rules()) {
      for (const name of metricNamesIn(rule.query)) used.set(name, `alert ${rule.name}`);
    }
    for (const { title, expr } of dashboardQueries(dashboard)) {
      for (const name of metricNamesIn(expr)) used.set(name, `panel "${title}"`);
    }
    for (const name of dashboardVariableMetrics(dashboard)) used.set(name, 'dashboard variable');
    // Guards the extraction itself: the kit uses far more than a handful of names.
    expect(used.size).toBeGreaterThan(30);
    const missing = [...used].filter(([name]) => !exported.has(name)).map(([name, where]) => `${name} (${where})`);
    expect(missing).toEqual([]);
  });

  it('every dashboard query is valid PromQL, and the key panels show data', async () => {
    // rate() ignores a counter's first sample, so the throughput panels need traffic after the first scrape.
    const produced = await cluster.produce(topic, ['f', 'g', 'h', 'i', 'j']);
    expect(produced.code, produced.stderr).toBe(0);
    const dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as Dashboard;
    const queries = dashboardQueries(dashboard);
    const failures: string[] = [];
    for (const { title, expr } of queries) {
      await prometheus.query(withGrafanaVariables(expr)).catch((error: unknown) => {
        failures.push(`${title}: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    expect(failures).toEqual([]);
    const panel = (title: string): string => {
      const q = queries.find((x) => x.title === title);
      if (q === undefined) throw new Error(`no panel "${title}"`);
      return withGrafanaVariables(q.expr);
    };
    await waitForQuery(panel('Active controllers'), (s) => onlyValue(s) === 1);
    await waitForQuery(panel('Active brokers'), (s) => onlyValue(s) === 2);
    await waitForQuery(panel('Messages in by topic'), (s) => s.some((x) => x.metric.topic === topic && x.value > 0));
    // 10 records, committed up to 2.
    await waitForQuery(panel('Lag by group and topic'), (s) =>
      s.some((x) => x.metric.group === group && x.value === 8),
    );
    await waitForQuery(panel('p99 latency by API'), (s) =>
      s.some((x) => x.metric.request === 'Produce' && Number.isFinite(x.value)),
    );
  });
});
