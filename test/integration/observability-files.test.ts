/**
 * The observability kit's files on their own, no cluster: promtool accepts
 * the scrape config and the alert rules, the rules' unit tests
 * (alerts.test.yml) pass and cover every alert, and the Grafana dashboard
 * and provisioning files are well formed. promtool comes from the Debian
 * package `prometheus`, which .ci/run installs.
 */
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Dashboard, dashboardQueries, metricNamesIn, withGrafanaVariables } from './metric-names.ts';
import { requireTool } from './prometheus-server.ts';

const deploy = join(resolve(import.meta.dirname, '..', '..'), 'deploy');
const prometheusDir = join(deploy, 'prometheus');
const grafanaDir = join(deploy, 'grafana');

function promtool(...args: string[]): { status: number | null; output: string } {
  requireTool('promtool');
  const run = spawnSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('Prometheus files', () => {
  it('promtool check rules accepts alerts.yml', () => {
    const result = promtool('check', 'rules', 'alerts.yml');
    expect(result.status, result.output).toBe(0);
    expect(result.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('promtool check config accepts prometheus.yml and the rule file it loads', () => {
    const result = promtool('check', 'config', 'prometheus.yml');
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain('SUCCESS: 1 rule files found');
  });

  it('promtool test rules: every alert fires in its scenario and stays quiet before its for: duration', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');
    expect(result.status, result.output).toBe(0);
  });

  it('every alert has a severity, a summary, a description and a unit-test scenario', async () => {
    const rules = await readFile(join(prometheusDir, 'alerts.yml'), 'utf8');
    const tests = await readFile(join(prometheusDir, 'alerts.test.yml'), 'utf8');
    const blocks = rules.split(/\n\s+- alert: /).slice(1);
    expect(blocks.length).toBeGreaterThanOrEqual(10);
    for (const block of blocks) {
      const name = block.split('\n')[0]?.trim() ?? '';
      expect(block, name).toMatch(/\n\s+for: \d+[smh]\n/);
      expect(block, name).toMatch(/\n\s+severity: (critical|warning)\n/);
      expect(block, name).toMatch(/\n\s+summary: /);
      expect(block, name).toMatch(/\n\s+description: /);
      expect(tests, `alerts.test.yml has no scenario for ${name}`).toContain(`alertname: ${name}\n`);
    }
  });
});

describe('Grafana files', () => {
  it('the dashboard has a uid, unique panel ids, and every panel queries the selectable Prometheus datasource', async () => {
    const dashboard = JSON.parse(await readFile(join(grafanaDir, 'dashboards', 'runnel-cluster.json'), 'utf8')) as {
      uid: string;
      panels: { id: number; type: string; title: string; datasource?: { uid: string }; targets?: unknown[] }[];
    };
    expect(dashboard.uid).toBe('runnel-cluster');
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    expect(rows).toEqual([
      'Cluster health',
      'Throughput',
      'Request latency',
      'Replication',
      'Consumer lag',
      'Storage and processes',
    ]);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      // Grafana's datasource variable, so the dashboard imports into any Grafana.
      expect(panel.datasource?.uid, panel.title).toBe(`\${datasource}`);
      expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
    }
  });

  it('the provisioning files point Grafana at Prometheus and at the dashboards folder', async () => {
    const datasource = await readFile(join(grafanaDir, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
    expect(datasource).toMatch(/type: prometheus/);
    expect(datasource).toMatch(/url: http:\/\/prometheus:9090/);
    const provider = await readFile(join(grafanaDir, 'provisioning', 'dashboards', 'runnel.yml'), 'utf8');
    expect(provider).toMatch(/type: file/);
    expect(provider).toMatch(/path: \/var\/lib\/grafana\/dashboards\/runnel/);
  });
});

describe('metric name extraction (used to keep the kit honest)', () => {
  it('finds metric names and skips functions, keywords, label lists, strings and durations', () => {
    const expr =
      'histogram_quantile(0.99, sum by (instance, le) (rate(kafka_network_request_duration_seconds_bucket{request="Produce"}[5m]))) > 0.5 and on (instance) up == 1 or vector(0) * 850e9';
    expect(metricNamesIn(expr).sort()).toEqual(['kafka_network_request_duration_seconds_bucket', 'up']);
  });

  it('finds every dashboard query and replaces every Grafana variable', async () => {
    const dashboard = JSON.parse(
      await readFile(join(grafanaDir, 'dashboards', 'runnel-cluster.json'), 'utf8'),
    ) as Dashboard;
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThan(40);
    for (const { title, expr } of queries) expect(withGrafanaVariables(expr), title).not.toContain('$');
  });
});
