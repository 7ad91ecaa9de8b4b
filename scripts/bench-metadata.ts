/**
 * `npm run bench:metadata`: how fast the controller quorum commits metadata.
 * Three real `runnel controller` processes (fresh temp dirs, free ports,
 * default Raft timing), one fake broker registered and unfenced through the
 * ControllerClient, then CreateTopics calls of one topic each (3 partitions,
 * RF 1: 4 metadata records) with 1 and with 8 calls in flight; per-call
 * latency (send to committed answer) and records/s. A last scenario kills
 * the active controller with SIGKILL mid-run and reports the time from the
 * kill to the next successful commit. Method and results: BENCHMARKS.md.
 *
 * Options: --topics <n> (per scenario, default 1000), --concurrency <a,b>
 * (default 1,8), --keep (leave the temp dir), --no-failover (skip the kill,
 * e.g. to CPU-profile every controller with NODE_OPTIONS=--cpu-prof). Any failed call other than
 * around the kill ends the run with exit 1: a partial table would mislead.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { ControllerClient } from '@runnel/rpc';
import { jsonField, NodeChild } from './bench/child-process.ts';

const mainScript = resolve(import.meta.dirname, '../packages/cli/src/main.ts');
const partitionsPerTopic = 3;
const recordsPerTopic = 1 + partitionsPerTopic;
const heartbeatEveryMs = 1000;
const targetP99Ms = 10;
const targetRecordsPerSec = 1000;

interface Options {
  topics: number;
  concurrency: number[];
  keep: boolean;
  failover: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { topics: 1000, concurrency: [1, 8], keep: false, failover: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--keep') options.keep = true;
    else if (arg === '--no-failover') options.failover = false;
    else if (arg === '--topics' && value !== undefined && /^\d+$/.test(value)) {
      options.topics = Number(value);
      i++;
    } else if (arg === '--concurrency' && value !== undefined && /^\d+(,\d+)*$/.test(value)) {
      options.concurrency = value.split(',').map(Number);
      i++;
    } else {
      process.stderr.write(
        'usage: node scripts/bench-metadata.ts [--topics N] [--concurrency 1,8] [--keep] [--no-failover]\n',
      );
      process.exit(2);
    }
  }
  return options;
}

const log = (line: string): void => {
  process.stderr.write(`bench-metadata: ${line}\n`);
};

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

interface Controller {
  readonly nodeId: number;
  readonly servicePort: number;
  readonly child: NodeChild<number>;
}

async function startQuorum(root: string): Promise<Controller[]> {
  const raftPorts = [await freePort(), await freePort(), await freePort()];
  const servicePorts = [await freePort(), await freePort(), await freePort()];
  const voters = raftPorts.map((p, i) => `${i + 1}@127.0.0.1:${p}`).join(',');
  return Promise.all(
    [1, 2, 3].map(async (nodeId) => {
      const servicePort = servicePorts[nodeId - 1] ?? 0;
      const args = [mainScript, 'controller', '--node-id', String(nodeId), '--voters', voters];
      args.push('--data-dir', join(root, `c${nodeId}`), '--service-port', String(servicePort), '--http-port', '0');
      const child = await NodeChild.start(args, {
        logPath: join(root, `c${nodeId}.log`),
        timeoutMs: 30_000,
        isReady: (line) => {
          const port = jsonField(line, 'httpPort');
          return typeof port === 'number' ? port : undefined;
        },
      });
      return { nodeId, servicePort, child };
    }),
  );
}

/** The active controller, read from each node's kafka_controller_kafkacontroller_activecontrollercount. */
async function activeController(controllers: readonly Controller[]): Promise<Controller | undefined> {
  for (const c of controllers) {
    const text = await fetch(`http://127.0.0.1:${c.child.ready}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
    if (text.includes('\nkafka_controller_kafkacontroller_activecontrollercount 1')) return c;
  }
  return undefined;
}

/** The active controller's create_topics commit histogram (sum in seconds, count), from /metrics. */
async function commitHistogram(controllers: readonly Controller[]): Promise<{ sum: number; count: number }> {
  const active = await activeController(controllers);
  if (active === undefined) return { sum: Number.NaN, count: Number.NaN };
  const text = await (await fetch(`http://127.0.0.1:${active.child.ready}/metrics`)).text();
  const value = (name: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{operation="create_topics"} `));
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  return {
    sum: value('runnel_controller_commit_latency_seconds_sum'),
    count: value('runnel_controller_commit_latency_seconds_count'),
  };
}

/** A fake broker: registers, unfences with a caught-up heartbeat, and keeps its session alive. */
async function startBroker(client: ControllerClient): Promise<{ stop(): void }> {
  const registered = await client.call('registerBroker', {
    brokerId: 1,
    incarnationId: crypto.randomUUID(),
    listeners: [{ name: 'PLAINTEXT', host: '127.0.0.1', port: 9092, securityProtocol: 'PLAINTEXT' }],
    rack: null,
    previousShutdownClean: true,
    clusterId: null,
  });
  if (!registered.ok || !registered.value.value.ok) throw new Error(`register failed: ${JSON.stringify(registered)}`);
  const brokerEpoch = registered.value.value.value.brokerEpoch;
  observe(registered.value.committedOffset);
  const beat = async (): Promise<boolean> => {
    const reply = await client.call('brokerHeartbeat', {
      brokerId: 1,
      brokerEpoch,
      metadataOffset: observed.offset,
      wantShutDown: false,
    });
    return reply.ok && reply.value.value.ok && !reply.value.value.value.fenced;
  };
  const deadline = Date.now() + 10_000;
  while (!(await beat())) {
    if (Date.now() > deadline) throw new Error('the broker was not unfenced within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const timer = setInterval(() => void beat(), heartbeatEveryMs);
  return { stop: () => clearInterval(timer) };
}

type CreateOutcome = 'created' | 'exists' | 'failed';

/** The highest committed metadata offset any answer reported: what the fake broker claims to have caught up to. */
const observed = { offset: -1n };

function observe(offset: bigint): void {
  if (offset > observed.offset) observed.offset = offset;
}

async function createTopic(client: ControllerClient, name: string): Promise<{ outcome: CreateOutcome; ms: number }> {
  const started = performance.now();
  const reply = await client.call('createTopics', {
    topics: [{ name, numPartitions: partitionsPerTopic, replicationFactor: 1, assignments: [], configs: {} }],
    validateOnly: false,
  });
  const ms = performance.now() - started;
  if (reply.ok) observe(reply.value.committedOffset);
  const result = reply.ok ? reply.value.value[0]?.result : undefined;
  if (result?.ok === true) return { outcome: 'created', ms };
  // A call retried after a failover may find its first attempt already applied.
  if (result !== undefined && !result.ok && result.error === 'topic_already_exists') return { outcome: 'exists', ms };
  return { outcome: 'failed', ms };
}

interface RunResult {
  label: string;
  /** Mean propose -> committed+applied on the leader, from its histogram. */
  serverCommitMeanMs: number;
  calls: number;
  latenciesMs: number[];
  elapsedMs: number;
}

/** Creates `count` topics named `${prefix}-i` keeping `concurrency` calls in flight. */
async function runCreates(client: ControllerClient, prefix: string, count: number, concurrency: number) {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const { outcome, ms } = await createTopic(client, `${prefix}-${i}`);
      if (outcome !== 'created') throw new Error(`creating ${prefix}-${i}: ${outcome}`);
      latenciesMs.push(ms);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { label: `${concurrency} in flight`, calls: count, latenciesMs, elapsedMs: performance.now() - started };
}

async function measureCreates(
  client: ControllerClient,
  controllers: readonly Controller[],
  concurrency: number,
  count: number,
): Promise<RunResult> {
  const before = await commitHistogram(controllers);
  const run = await runCreates(client, `c${concurrency}`, count, concurrency);
  const after = await commitHistogram(controllers);
  return { ...run, serverCommitMeanMs: (1000 * (after.sum - before.sum)) / (after.count - before.count) };
}

/** Creates topics one at a time; after `killAfter` of them kills the active controller with SIGKILL. */
async function runFailover(client: ControllerClient, controllers: readonly Controller[], count: number) {
  const killAfter = Math.floor(count / 2);
  let killedAt = 0;
  let recoveredMs = -1;
  let victim = -1;
  let failedCalls = 0;
  for (let i = 0; i < count; i++) {
    if (i === killAfter) {
      const active = await activeController(controllers);
      if (active?.child.pid === undefined) throw new Error('no active controller to kill');
      victim = active.nodeId;
      process.kill(active.child.pid, 'SIGKILL');
      killedAt = performance.now();
    }
    const { outcome } = await createTopic(client, `failover-${i}`);
    if (outcome === 'failed') failedCalls++;
    else if (killedAt > 0 && recoveredMs < 0) recoveredMs = performance.now() - killedAt;
  }
  return { victim, recoveredMs, failedCalls };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function row(r: RunResult): string[] {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const recordsPerSec = (r.calls * recordsPerTopic) / (r.elapsedMs / 1000);
  const p99 = percentile(sorted, 99);
  // Latency by position in the run: creates get slower as the image grows.
  const tenth = Math.max(1, Math.floor(r.latenciesMs.length / 10));
  const first = [...r.latenciesMs.slice(0, tenth)].sort((a, b) => a - b);
  const last = [...r.latenciesMs.slice(-tenth)].sort((a, b) => a - b);
  return [
    r.label,
    String(r.calls),
    percentile(sorted, 50).toFixed(2),
    p99.toFixed(2),
    (sorted[sorted.length - 1] ?? Number.NaN).toFixed(2),
    `${percentile(first, 50).toFixed(2)} / ${percentile(last, 50).toFixed(2)}`,
    r.serverCommitMeanMs.toFixed(2),
    recordsPerSec.toFixed(0),
    `${p99 <= targetP99Ms ? 'p99 met' : 'p99 MISSED'}, ${recordsPerSec >= targetRecordsPerSec ? 'rate met' : 'rate MISSED'}`,
  ];
}

function table(rows: string[][]): string {
  const header = [
    'scenario',
    'calls',
    'p50 ms',
    'p99 ms',
    'max ms',
    'p50 ms first/last 10%',
    'leader commit mean ms',
    'records/s',
    `vs targets (p99<=${targetP99Ms} ms, >=${targetRecordsPerSec} rec/s)`,
  ];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** fsync latency of a 4 KiB write in `dir`: the floor under every Raft commit. */
function fsyncLatencyMs(dir: string): { p50: number; p99: number } {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 7);
  const samples: number[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      writeSync(fd, block);
      fsyncSync(fd);
      samples.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
    rmSync(path);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'runnel-bench-metadata-'));
  const fsync = fsyncLatencyMs(root);
  const machine = [
    `cpus: ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node: ${process.version}`,
    `data dir: ${root}; 4 KiB write+fsync p50 ${fsync.p50.toFixed(2)} ms, p99 ${fsync.p99.toFixed(2)} ms`,
  ];
  for (const line of machine) log(line);
  let controllers: Controller[] = [];
  let client: ControllerClient | null = null;
  let broker: { stop(): void } | null = null;
  try {
    controllers = await startQuorum(root);
    client = new ControllerClient({
      addresses: controllers.map((c) => `127.0.0.1:${c.servicePort}`),
      callTimeoutMs: 30_000,
    });
    const waitStart = performance.now();
    while ((await activeController(controllers)) === undefined) {
      if (performance.now() - waitStart > 30_000) throw new Error('no leader within 30 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    log(`leader elected ${(performance.now() - waitStart).toFixed(0)} ms after the processes were up`);
    broker = await startBroker(client);
    // Warm-up: connections, JIT, level's first compactions are not what we measure.
    await runCreates(client, 'warmup', 50, 1);
    const rows: string[][] = [];
    for (const concurrency of options.concurrency) {
      const result = await measureCreates(client, controllers, concurrency, options.topics);
      rows.push(row(result));
      log(`${result.label}: done in ${result.elapsedMs.toFixed(0)} ms`);
    }
    const failover = options.failover ? await runFailover(client, controllers, Math.min(options.topics, 200)) : null;
    const out = [
      `Runnel metadata bench, ${new Date().toISOString()}`,
      ...machine,
      `3 controllers (separate processes, default timing: tick 100 ms, election 10-20 ticks), ` +
        `CreateTopics of 1 topic x ${partitionsPerTopic} partitions, RF 1 (${recordsPerTopic} records/call), ` +
        `${options.topics} topics per scenario, broker heartbeat every ${heartbeatEveryMs} ms`,
      '',
      table(rows),
      '',
      failover === null
        ? 'failover: skipped'
        : `failover: SIGKILL of the active controller (node ${failover.victim}) -> next successful commit: ` +
          `${failover.recoveredMs.toFixed(0)} ms (${failover.failedCalls} calls failed outright)`,
      '',
    ];
    process.stdout.write(out.join('\n'));
  } finally {
    broker?.stop();
    client?.close();
    await Promise.all(controllers.map((c) => c.child.stop()));
    if (options.keep) log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

await main();
