/**
 * `npm run bench:replication`: acks=all produce over RF=3 replication.
 * Starts one `runnel controller` and three `runnel broker` processes (fresh
 * temp dirs, free ports), creates topics with replication factor 3 and
 * min.insync.replicas 2, then measures with @runnel/client:
 *   (a) closed-loop acks=all produce throughput per batch size;
 *   (b) open-loop latency at a fixed offered rate: due time -> ack and
 *       due time -> a consumer holding the batch (coordinated omission
 *       corrected; see bench-replication/load.ts).
 * Method and recorded results: BENCHMARKS.md. Options: --help.
 * Any failed request ends the run with exit 1: a partial table would mislead.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaClient } from '@runnel/client';
import { formatProfileSummary, monotonicUs, summariseCpuProfile, type TimeWindow } from './bench/cpu-profile.ts';
import { prepareBatch } from './bench/record-batch.ts';
import { BenchCluster, profileIn, scrapeCounters } from './bench-replication/cluster.ts';
import { type LatencyStats, runLatency, runThroughput, type ThroughputStats } from './bench-replication/load.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const brokerCount = 3;
const replicationFactor = 3;
const minInsyncReplicas = 2;
const isrTimeoutMs = 60_000;

interface Options {
  batchKib: number[];
  clients: number;
  inflight: number;
  partitions: number;
  durationSec: number;
  rateMBps: number;
  latencyBatchKib: number;
  latencySec: number;
  warmupSec: number;
  profile: boolean;
  keep: boolean;
  throughput: boolean;
  latency: boolean;
}

const help = `usage: node scripts/bench-replication.ts [options]
  --batch-kib <list>        acks=all throughput batch sizes, KiB (default 16,64,256,1024)
  --clients <n>             KafkaClients (each one connection per broker) (default 2)
  --inflight <n>            produces outstanding per client (default 8)
  --partitions <n>          partitions per topic (default 6)
  --duration <s>            seconds per throughput run (default 8)
  --rate <MB/s>             offered load of the latency run (default 20)
  --latency-batch-kib <n>   batch size of the latency run (default 16)
  --latency-duration <s>    measured seconds of the latency run (default 20, after a 3 s warm-up)
  --profile                 brokers under node --cpu-prof; prints a summary per broker
  --no-throughput / --no-latency   skip a part
  --keep                    keep the temp dir (data and logs)
Environment: BENCH_LOG_LEVEL sets the cluster's --log-level (default info).
`;

function parseOptions(argv: readonly string[]): Options | string {
  const o: Options = {
    batchKib: [16, 64, 256, 1024],
    clients: 2,
    inflight: 8,
    partitions: 6,
    durationSec: 8,
    rateMBps: 20,
    latencyBatchKib: 16,
    latencySec: 20,
    warmupSec: 3,
    profile: false,
    keep: false,
    throughput: true,
    latency: true,
  };
  const positive = (v: string | undefined): number | null =>
    v !== undefined && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? Number(v) : null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    const n = positive(value);
    if (arg === '--help') return help;
    if (arg === '--profile') o.profile = true;
    else if (arg === '--keep') o.keep = true;
    else if (arg === '--no-throughput') o.throughput = false;
    else if (arg === '--no-latency') o.latency = false;
    else if (arg === '--batch-kib' && value !== undefined && /^\d+(,\d+)*$/.test(value)) {
      o.batchKib = value.split(',').map(Number);
      i++;
    } else if (n !== null && arg === '--clients') [o.clients, i] = [Math.floor(n), i + 1];
    else if (n !== null && arg === '--inflight') [o.inflight, i] = [Math.floor(n), i + 1];
    else if (n !== null && arg === '--partitions') [o.partitions, i] = [Math.floor(n), i + 1];
    else if (n !== null && arg === '--duration') [o.durationSec, i] = [n, i + 1];
    else if (n !== null && arg === '--rate') [o.rateMBps, i] = [n, i + 1];
    else if (n !== null && arg === '--latency-batch-kib') [o.latencyBatchKib, i] = [Math.floor(n), i + 1];
    else if (n !== null && arg === '--latency-duration') [o.latencySec, i] = [n, i + 1];
    else return `unknown or bad option ${arg}\n\n${help}`;
  }
  return o;
}

function log(message: string): void {
  process.stderr.write(`bench-replication: ${message}\n`);
}

/** user + system CPU ms of `pid` (all threads), from /proc; 0 where /proc cannot say. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime in clock ticks; Linux uses 100 per second.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** Creates `topic` (RF 3, min ISR 2) and waits until every partition has a leader and a full ISR. */
async function createTopic(client: KafkaClient, topic: string, partitions: number): Promise<void> {
  const [created] = await client.createTopics([
    {
      name: topic,
      numPartitions: partitions,
      replicationFactor,
      configs: { 'min.insync.replicas': String(minInsyncReplicas) },
    },
  ]);
  if (created === undefined || created.errorCode !== 0) throw new Error(`create ${topic}: ${created?.errorName}`);
  const deadline = performance.now() + isrTimeoutMs;
  for (;;) {
    const metadata = await client.metadata([topic]);
    const t = metadata.topics.find((x) => x.name === topic);
    const full =
      t !== undefined &&
      t.partitions.length === partitions &&
      t.partitions.every((p) => p.errorCode === 0 && p.leader >= 0 && p.isr.length === replicationFactor);
    if (full) return;
    if (performance.now() > deadline) throw new Error(`${topic}: ISR not full after ${isrTimeoutMs} ms`);
    await sleep(100);
  }
}

interface Measured<T> {
  value: T;
  /** Percent of one core, summed over the three brokers, and the bench process. */
  brokersCpu: number;
  benchCpu: number;
}

async function measured<T>(cluster: BenchCluster, windows: TimeWindow[], work: () => Promise<T>): Promise<Measured<T>> {
  const pids = cluster.brokers.map((b) => b.child.pid);
  const brokersBefore = pids.reduce<number>((sum, pid) => sum + cpuMs(pid), 0);
  const selfBefore = process.cpuUsage();
  const startUs = monotonicUs();
  const start = performance.now();
  const value = await work();
  const wall = performance.now() - start;
  windows.push({ startUs, endUs: monotonicUs() });
  const brokersAfter = pids.reduce<number>((sum, pid) => sum + cpuMs(pid), 0);
  const self = process.cpuUsage(selfBefore);
  return {
    value,
    brokersCpu: (100 * (brokersAfter - brokersBefore)) / wall,
    benchCpu: (100 * (self.user + self.system)) / 1000 / wall,
  };
}

const ms = (v: number): string => v.toFixed(2);

function throughputTable(rows: { kib: number; m: Measured<ThroughputStats> }[]): string {
  const lines = [
    '| acks=all produce, RF 3 | MB/s | records/s | requests/s | p50 ms | p99 ms | p99.9 ms | brokers CPU | bench CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { kib, m } of rows) {
    const s = m.value;
    const perSec = (n: number): string => Math.round((n * 1000) / s.elapsedMs).toLocaleString('en-US');
    lines.push(
      `| ${kib} KiB batches | ${((s.bytes / 1e6) * (1000 / s.elapsedMs)).toFixed(1)} | ${perSec(s.records)} | ` +
        `${perSec(s.requests)} | ${ms(s.latency.p50)} | ${ms(s.latency.p99)} | ${ms(s.latency.p999)} | ` +
        `${m.brokersCpu.toFixed(0)}% | ${m.benchCpu.toFixed(0)}% |`,
    );
  }
  return lines.join('\n');
}

function latencyTable(kib: number, m: Measured<LatencyStats>): string {
  const s = m.value;
  const row = (what: string, q: LatencyStats['ack']): string =>
    `| ${what} | ${ms(q.p50)} | ${ms(q.p99)} | ${ms(q.p999)} | ${ms(q.max)} |`;
  return [
    `Open loop, ${s.offeredMBps} MB/s offered in ${kib} KiB batches (${s.achievedMBps.toFixed(1)} MB/s achieved, ` +
      `${s.batches} batches measured; brokers CPU ${m.brokersCpu.toFixed(0)}%, bench CPU ${m.benchCpu.toFixed(0)}%)`,
    '',
    '| latency from due time | p50 ms | p99 ms | p99.9 ms | max ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    row('produce ack (acks=all)', s.ack),
    row('end to end (consumer has it)', s.endToEnd),
    row('send lag (generator behind schedule)', s.sendLag),
  ].join('\n');
}

function describeMachine(): string[] {
  return [
    `cpus: ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node: ${process.version}`,
    `data dir: ${tmpdir()}`,
  ];
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stderr.write(parsed);
    return parsed === help ? 0 : 2;
  }
  const o = parsed;
  const runDir = join(repoRoot, '.bench', `replication-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  const root = mkdtempSync(join(tmpdir(), 'runnel-bench-rf3-'));
  const machine = describeMachine();
  for (const line of machine) log(line);
  const cluster = await BenchCluster.start({
    root,
    brokers: brokerCount,
    profileRoot: o.profile ? join(runDir, 'profiles') : null,
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
  });
  log(`cluster up: ${cluster.bootstrap}; logs in ${root}`);
  const windows: TimeWindow[] = [];
  const out: string[] = [];
  const clients = await Promise.all(
    Array.from({ length: Math.max(2, o.clients) }, () =>
      KafkaClient.connect({ bootstrap: cluster.bootstrap, clientId: 'runnel-bench-replication' }),
    ),
  );
  try {
    const admin = clients[0] as KafkaClient;
    if (o.throughput) {
      const rows: { kib: number; m: Measured<ThroughputStats> }[] = [];
      for (const kib of o.batchKib) {
        const topic = `bench-rf3-${kib}k`;
        await createTopic(admin, topic, o.partitions);
        const batch = prepareBatch(kib * 1024, 1024);
        const spec = { topic, partitions: o.partitions, batch, inflight: o.inflight, durationMs: o.durationSec * 1000 };
        const m = await measured(cluster, windows, () => runThroughput(clients.slice(0, o.clients), spec));
        rows.push({ kib, m });
        log(`throughput ${kib} KiB: ${((m.value.bytes / 1e6) * (1000 / m.value.elapsedMs)).toFixed(1)} MB/s`);
      }
      out.push(throughputTable(rows), '');
    }
    if (o.latency) {
      const topic = 'bench-rf3-latency';
      await createTopic(admin, topic, o.partitions);
      const batch = prepareBatch(o.latencyBatchKib * 1024, 1024);
      const [producer, consumer] = clients as [KafkaClient, KafkaClient];
      const m = await measured(cluster, windows, () =>
        runLatency(producer, consumer, {
          topic,
          partitions: o.partitions,
          batch,
          bytesPerSec: o.rateMBps * 1e6,
          warmupMs: o.warmupSec * 1000,
          durationMs: o.latencySec * 1000,
        }),
      );
      out.push(latencyTable(o.latencyBatchKib, m), '');
    }
    const counters = await scrapeCounters(cluster.brokers, 'runnel_replication_');
    out.push(`replication counters, all brokers: ${[...counters].map(([k, v]) => `${k}=${v}`).join(' ')}`, '');
  } finally {
    for (const c of clients) c.close();
    const codes = await cluster.stop();
    if (codes.some((c) => c !== 0)) log(`a process exited with ${codes.join(', ')}; see the logs in ${root}`);
  }
  for (const b of cluster.brokers) {
    const path = b.profileDir === null ? null : profileIn(b.profileDir);
    if (path !== null) {
      out.push(
        formatProfileSummary(`broker ${b.id} CPU profile (${path})`, summariseCpuProfile(path, 25, windows)),
        '',
      );
    }
  }
  const settings =
    `${brokerCount} brokers + 1 controller, RF ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}, ` +
    `${o.partitions} partitions, ${o.clients} clients x ${o.inflight} in flight, 1 KiB records, ${o.durationSec} s per throughput run`;
  process.stdout.write(
    `${[`Runnel replication bench, ${new Date().toISOString()}`, ...machine, settings, '', ...out].join('\n')}\n`,
  );
  writeFileSync(join(runDir, 'results.md'), `${out.join('\n')}\n`);
  if (o.keep) log(`data and logs kept in ${root}`);
  else rmSync(root, { recursive: true, force: true });
  log(`results in ${runDir}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
