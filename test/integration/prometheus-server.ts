/**
 * A real Prometheus server (Debian package `prometheus`) for integration
 * tests: started on a free loopback port with a temp config and TSDB dir,
 * asked through its HTTP API, killed by stop().
 *
 * Owned by the test that started it, which must stop() it (afterAll). A
 * query the server rejects (bad PromQL) throws with Prometheus's error; a
 * process that exits early makes start() throw with what it printed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../harness/cluster.ts';
import { waitFor } from '../harness/wait.ts';

/** Fails with an install hint when a Prometheus tool is not on PATH; `.ci/run` installs it, tests never do. */
export function requireTool(tool: 'prometheus' | 'promtool'): void {
  const probe = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `${tool} is not installed: install the Debian package \`prometheus\` (apt-get install -y prometheus), which .ci/run does`,
    );
  }
}

export interface ScrapeJob {
  job: string;
  targets: readonly string[];
}

export interface PrometheusTarget {
  labels: Record<string, string>;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
}

export interface PrometheusSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusRule {
  name: string;
  query: string;
  health: string;
  lastError?: string;
  type: string;
}

export interface PrometheusAlert {
  labels: Record<string, string>;
  state: string;
}

interface ApiReply {
  status: 'success' | 'error';
  error?: string;
  data?: unknown;
}

export class PrometheusServer {
  readonly url: string;
  readonly #child: ChildProcess;
  #output = '';
  #exited = false;

  private constructor(url: string, child: ChildProcess) {
    this.url = url;
    this.#child = child;
    child.stdout?.on('data', (c: Buffer) => this.#collect(c));
    child.stderr?.on('data', (c: Buffer) => this.#collect(c));
    child.on('exit', () => {
      this.#exited = true;
    });
  }

  /** Scrapes `jobs` every second and evaluates `ruleFiles` every second; resolves once the API answers. */
  static async start(jobs: readonly ScrapeJob[], ruleFiles: readonly string[] = []): Promise<PrometheusServer> {
    requireTool('prometheus');
    const dir = await mkdtemp(join(tmpdir(), 'runnel-prometheus-'));
    const config = join(dir, 'prometheus.yml');
    await writeFile(config, scrapeConfig(jobs, ruleFiles));
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    const child = spawn(
      'prometheus',
      [
        ...['--config.file', config, '--storage.tsdb.path', join(dir, 'data')],
        ...['--web.listen-address', `127.0.0.1:${port}`, '--log.level', 'warn'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child);
    try {
      await waitFor(
        async () => {
          if (server.#exited) throw new Error(`prometheus exited early:\n${server.#output}`);
          const ready = await fetch(`${server.url}/-/ready`).catch(() => null);
          return ready?.status === 200;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: 'prometheus to be ready' },
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  get output(): string {
    return this.#output;
  }

  async targets(): Promise<PrometheusTarget[]> {
    const data = (await this.#api('/api/v1/targets?state=active')) as { activeTargets: PrometheusTarget[] };
    return data.activeTargets;
  }

  /** An instant query; each sample's value as a number (NaN and Inf included). */
  async query(promql: string): Promise<PrometheusSample[]> {
    const data = (await this.#api(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
      resultType: string;
      result: { metric: Record<string, string>; value: [number, string] }[];
    };
    if (data.resultType !== 'vector') throw new Error(`expected a vector from ${promql}, got ${data.resultType}`);
    return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  async rules(): Promise<PrometheusRule[]> {
    const data = (await this.#api('/api/v1/rules')) as { groups: { rules: PrometheusRule[] }[] };
    return data.groups.flatMap((g) => g.rules);
  }

  async alerts(): Promise<PrometheusAlert[]> {
    const data = (await this.#api('/api/v1/alerts')) as { alerts: PrometheusAlert[] };
    return data.alerts;
  }

  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.kill('SIGKILL');
    await exited;
  }

  async #api(path: string): Promise<unknown> {
    const response = await fetch(`${this.url}${path}`);
    const reply = (await response.json()) as ApiReply;
    if (reply.status !== 'success') throw new Error(`prometheus ${path}: ${reply.error ?? response.status}`);
    return reply.data;
  }

  #collect(chunk: Buffer): void {
    // Keep the tail only: it is for error messages.
    this.#output = (this.#output + chunk.toString('utf8')).slice(-20_000);
  }
}

/** A Prometheus config scraping and evaluating every second, so a test sees changes within a few seconds. */
function scrapeConfig(jobs: readonly ScrapeJob[], ruleFiles: readonly string[]): string {
  const lines = ['global:', '  scrape_interval: 1s', '  scrape_timeout: 1s', '  evaluation_interval: 1s'];
  lines.push(`rule_files: ${JSON.stringify(ruleFiles)}`, 'scrape_configs:');
  for (const job of jobs) {
    lines.push(`  - job_name: ${JSON.stringify(job.job)}`, '    static_configs:');
    lines.push(`      - targets: ${JSON.stringify(job.targets)}`);
  }
  return `${lines.join('\n')}\n`;
}
