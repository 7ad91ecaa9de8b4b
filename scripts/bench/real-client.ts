/**
 * `npm run bench -- --real-client`: Runnel driven by librdkafka, next to
 * librdkafka's in-memory mock cluster driven by the same generator in the
 * same run (issue 12). Each party is its own process: the broker(s), the
 * mock, and one rdkafka-tool process per measured run. Runs alternate
 * between the targets (ABBA) so neither always goes first on a warmer or
 * busier machine; the table shows medians and every run. Method and
 * recorded results: BENCHMARKS.md. Options: real-client-options.ts.
 *
 * Order: ceilings, then RF=1 (one `runnel dev`, one single-broker mock),
 * then RF=3 (1 controller + 3 brokers, a 3-broker mock). Any failed run ends
 * the whole bench with a non-zero exit: a partial table would be misread.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { serverNodeFlags } from '../../packages/cli/src/server-node-flags.ts';
import { BenchCluster } from '../bench-replication/cluster.ts';
import { createTopicAndWait, ensureTopics, startBroker } from './broker-process.ts';
import { measureDisk, measureLoopbackTcp } from './ceilings.ts';
import { type ThreadCpuMs, threadCpuMs } from './process-cpu.ts';
import { buildRdkafkaTool, runToolJson, startMockCluster } from './rdkafka-tool.ts';
import {
  parseRealClientOptions,
  type RealClientOptions,
  realClientHelp,
  type Workload,
} from './real-client-options.ts';
import {
  type Ceilings,
  formatRealClientReport,
  type LatencyRun,
  type RealClientResults,
  type Target,
} from './real-client-report.ts';

const loopbackMs = 3000;
const loopbackChunkBytes = 1024 * 1024;
const diskChunkBytes = 1024 * 1024;
const topicRf1 = 'real-rf1';
const topicRf3 = 'real-rf3';

function log(message: string): void {
  process.stderr.write(`bench --real-client: ${message}\n`);
}

/** `runs` rounds of `once(target)`, runnel first in even rounds and the mock first in odd ones. */
async function abba(runs: number, once: (target: Target, round: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < runs; i++) {
    const order: readonly Target[] = i % 2 === 0 ? ['runnel', 'mock'] : ['mock', 'runnel'];
    for (const target of order) await once(target, i);
  }
}

const zeroCpu: ThreadCpuMs = { main: 0, gcHelpers: 0, libuvPool: 0, other: 0 };

/** CPU ms of the server processes by thread kind, summed (Linux /proc; zero elsewhere). */
function serversCpuMs(pids: readonly (number | undefined)[]): ThreadCpuMs {
  const sum = { ...zeroCpu };
  for (const pid of pids) {
    const cpu = pid === undefined ? null : threadCpuMs(pid);
    if (cpu === null) continue;
    sum.main += cpu.main;
    sum.gcHelpers += cpu.gcHelpers;
    sum.libuvPool += cpu.libuvPool;
    sum.other += cpu.other;
  }
  return sum;
}

/** Runs `work` and returns its value with the servers' CPU over it. */
async function withServerCpu<T>(
  pids: readonly (number | undefined)[],
  work: () => Promise<T>,
): Promise<{ value: T; cpu: ThreadCpuMs; wallMs: number }> {
  const before = serversCpuMs(pids);
  const start = performance.now();
  const value = await work();
  const wallMs = performance.now() - start;
  const after = serversCpuMs(pids);
  const cpu: ThreadCpuMs = {
    main: after.main - before.main,
    gcHelpers: after.gcHelpers - before.gcHelpers,
    libuvPool: after.libuvPool - before.libuvPool,
    other: after.other - before.other,
  };
  return { value, cpu, wallMs };
}

interface Phase {
  rf: 1 | 3;
  acks: '1' | 'all';
  topic: string;
  produce: Workload;
  consume: Workload;
  bootstrap: Record<Target, string>;
  /** Runnel's broker processes, and the mock's one process. */
  serverPids: Record<Target, readonly (number | undefined)[]>;
}

/** The measured runs of one replication factor, into `results`. */
async function measurePhase(
  tool: string,
  o: RealClientOptions,
  phase: Phase,
  results: RealClientResults,
): Promise<void> {
  const common = (target: Target) => [phase.bootstrap[target], phase.topic, String(o.partitions)];
  const produceArgs = (target: Target) => [
    'produce',
    ...common(target),
    String(o.records),
    String(o.seconds ?? 0),
    String(o.recordBytes),
    phase.acks,
  ];
  let consumeCap = o.records;
  const rates = (w: Workload) => {
    const existing = results.rates.get(w);
    if (existing !== undefined) return existing;
    const fresh: Record<Target, number[]> = { runnel: [], mock: [] };
    results.rates.set(w, fresh);
    return fresh;
  };
  /** Runs one rdkafka-tool mode against `target` and keeps its CPU split (server and client) under `w`. */
  const measured = async (w: Workload, target: Target, args: string[]): Promise<Record<string, number>> => {
    const m = await withServerCpu(phase.serverPids[target], () => runToolJson(tool, args));
    const runs = results.cpu.get(w) ?? { runnel: [], mock: [] };
    results.cpu.set(w, runs);
    runs[target].push({
      server: m.cpu,
      clientMs: m.value.clientCpuMs ?? Number.NaN,
      wallMs: m.wallMs,
      records: m.value.sent ?? m.value.records ?? 0,
    });
    return m.value;
  };
  if (o.only.has(phase.produce)) {
    await abba(o.runs, async (target, round) => {
      const m = await measured(phase.produce, target, produceArgs(target));
      if (target === 'runnel' && round === 0) consumeCap = m.records ?? o.records;
      rates(phase.produce)[target].push(m.mbPerSec ?? Number.NaN);
      log(`${phase.produce} ${target} run ${round + 1}: ${m.mbPerSec?.toFixed(1)} MB/s`);
    });
  } else if (o.only.has(phase.consume)) {
    // Something to read: one unmeasured produce into Runnel's topic.
    consumeCap = (await runToolJson(tool, produceArgs('runnel'))).records ?? o.records;
  }
  if (o.only.has(phase.consume)) {
    // Runnel only: the mock keeps just the last few MB of each partition, so it has nothing comparable to read.
    for (let round = 0; round < o.runs; round++) {
      const args = ['consume', ...common('runnel'), String(consumeCap)];
      const m = await measured(phase.consume, 'runnel', args);
      rates(phase.consume).runnel.push(m.mbPerSec ?? Number.NaN);
      log(`${phase.consume} run ${round + 1}: ${m.mbPerSec?.toFixed(1)} MB/s, ${m.records} records`);
    }
  }
  if (phase.rf === 3 && o.only.has('latency-rf3')) {
    await abba(o.runs, async (target, round) => {
      const args = [
        'latency',
        ...common(target),
        String(o.rateMb),
        String(o.latencySeconds),
        String(o.recordBytes),
        phase.acks,
      ];
      const m = await measured('latency-rf3', target, args);
      const run: LatencyRun = {
        achievedMbPerSec: m.achievedMbPerSec ?? Number.NaN,
        p50Ms: m.p50Ms ?? Number.NaN,
        p99Ms: m.p99Ms ?? Number.NaN,
        p999Ms: m.p999Ms ?? Number.NaN,
      };
      results.latency[target].push(run);
      log(`latency-rf3 ${target} run ${round + 1}: p50 ${run.p50Ms} p99 ${run.p99Ms} p99.9 ${run.p999Ms} ms`);
    });
  }
}

async function measureCeilings(o: RealClientOptions, dir: string): Promise<Ceilings> {
  const loopback = await measureLoopbackTcp(loopbackMs, loopbackChunkBytes, join(dir, 'tcp-writer.log'));
  const disk = measureDisk(dir, o.diskMib * 2 ** 20, diskChunkBytes);
  const mbps = (r: { bytes: number; elapsedMs: number }) => r.bytes / 1e6 / (r.elapsedMs / 1000);
  return {
    loopbackMbps: mbps(loopback),
    diskWriteMbps: mbps(disk.write),
    diskWriteFsyncMbps: mbps(disk.writeFsync),
    diskReadMbps: mbps(disk.read),
    diskMib: o.diskMib,
  };
}

async function rf1Phase(tool: string, o: RealClientOptions, dir: string, results: RealClientResults): Promise<void> {
  const mock = await startMockCluster(tool, topicRf1, o.partitions, 1);
  const dev = await startBroker({
    dataDir: join(dir, 'rf1'),
    partitions: o.partitions,
    logPath: join(dir, 'broker-rf1.log'),
    cpuProfileDir: o.profileDir === null ? null : join(o.profileDir, 'dev'),
  });
  try {
    await ensureTopics({ host: '127.0.0.1', port: dev.ready }, [topicRf1], o.partitions);
    const bootstrap = { runnel: `127.0.0.1:${dev.ready}`, mock: mock.bootstrap };
    const phase: Phase = {
      ...{ rf: 1, acks: '1', topic: topicRf1, produce: 'produce-rf1', consume: 'consume-rf1' },
      ...{ bootstrap, serverPids: { runnel: [dev.pid], mock: [mock.pid] } },
    };
    await measurePhase(tool, o, phase, results);
  } finally {
    mock.stop();
    const code = await dev.stop();
    if (code !== 0) log(`runnel dev exited with ${code}; see ${join(dir, 'broker-rf1.log')}`);
  }
}

async function rf3Phase(tool: string, o: RealClientOptions, dir: string, results: RealClientResults): Promise<void> {
  const root = join(dir, 'rf3');
  mkdirSync(root);
  const mock = await startMockCluster(tool, topicRf3, o.partitions, 3);
  const cluster = await BenchCluster.start({
    root,
    brokers: 3,
    profileRoot: o.profileDir,
    logLevel: 'info',
    nodeFlags: serverNodeFlags,
  });
  try {
    await createTopicAndWait(cluster.bootstrap, topicRf3, o.partitions, 3);
    const phase: Phase = {
      ...{ rf: 3, acks: 'all', topic: topicRf3, produce: 'produce-rf3', consume: 'consume-rf3' },
      ...{ bootstrap: { runnel: cluster.bootstrap, mock: mock.bootstrap } },
      serverPids: { runnel: cluster.brokers.map((b) => b.child.pid), mock: [mock.pid] },
    };
    await measurePhase(tool, o, phase, results);
  } finally {
    mock.stop();
    const codes = await cluster.stop();
    if (codes.some((c) => c !== 0)) log(`a cluster process exited with ${codes.join(', ')}; logs in ${root}`);
  }
}

function uptime(): string {
  return loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
}

export async function runRealClient(argv: readonly string[]): Promise<number> {
  const parsed = parseRealClientOptions(argv);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message ?? parsed.error}\n\n${realClientHelp}`);
    return 2;
  }
  const o = parsed.value;
  if (o.help) {
    process.stdout.write(realClientHelp);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'runnel-bench-real-'));
  const loadBefore = uptime();
  try {
    const tool = await buildRdkafkaTool(dir);
    const ceilings = await measureCeilings(o, dir);
    log(`ceilings: loopback ${ceilings.loopbackMbps.toFixed(0)} MB/s, disk write ${ceilings.diskWriteMbps.toFixed(0)}`);
    const results: RealClientResults = { rates: new Map(), cpu: new Map(), latency: { runnel: [], mock: [] } };
    if (o.only.has('produce-rf1') || o.only.has('consume-rf1')) await rf1Phase(tool, o, dir, results);
    if (o.only.has('produce-rf3') || o.only.has('consume-rf3') || o.only.has('latency-rf3')) {
      await rf3Phase(tool, o, dir, results);
    }
    const machine =
      `machine: ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; ` +
      `load average before ${loadBefore}, after ${uptime()}`;
    process.stdout.write(formatRealClientReport(machine, o, results, ceilings));
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
