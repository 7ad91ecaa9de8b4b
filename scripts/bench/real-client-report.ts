/**
 * The printed result of `npm run bench -- --real-client`: the method line,
 * the table (Runnel, the mock, their ratio, and Runnel's ratio to the
 * machine's ceilings), the brokers' CPU per record by thread kind, and the
 * ceilings. Pure formatting of what real-client.ts measured.
 */
import type { ThreadCpuMs } from './process-cpu.ts';
import type { RealClientOptions, Workload } from './real-client-options.ts';

export type Target = 'runnel' | 'mock';

export interface LatencyRun {
  achievedMbPerSec: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/** CPU over one run: the servers' (Runnel's brokers summed, or the mock), the client's, and what it moved. */
export interface RunCpu {
  server: ThreadCpuMs;
  clientMs: number;
  wallMs: number;
  /** Records sent or read, warm-up included. */
  records: number;
}

export interface RealClientResults {
  /** MB/s per run, by workload and target. */
  rates: Map<Workload, Record<Target, number[]>>;
  cpu: Map<Workload, Record<Target, RunCpu[]>>;
  latency: Record<Target, LatencyRun[]>;
}

export interface Ceilings {
  loopbackMbps: number;
  diskWriteMbps: number;
  diskWriteFsyncMbps: number;
  diskReadMbps: number;
  diskMib: number;
}

const labels: Record<Workload, string> = {
  'produce-rf1': 'produce RF=1 acks=1',
  'produce-rf3': 'produce RF=3 acks=all',
  'consume-rf1': 'librdkafka consumer, RF=1 topic',
  'consume-rf3': 'librdkafka consumer, RF=3 topic',
  'latency-rf3': 'RF=3 acks=all delivery latency',
};

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const fixed = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');

/** "median MB/s (run, run, run)", or a dash when there were no runs. */
function rateCell(runs: readonly number[]): string {
  if (runs.length === 0) return '—';
  return `${fixed(median(runs))} MB/s (${runs.map((r) => fixed(r)).join(', ')})`;
}

function latencyCell(runs: readonly LatencyRun[]): string {
  if (runs.length === 0) return '—';
  const m = (pick: (r: LatencyRun) => number) => fixed(median(runs.map(pick)), 2);
  return `${m((r) => r.p50Ms)} / ${m((r) => r.p99Ms)} / ${m((r) => r.p999Ms)} ms`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function rateRow(w: Workload, runs: Record<Target, number[]>, ceilings: Ceilings): string {
  const runnel = median(runs.runnel);
  const mock = median(runs.mock);
  const disk = w.startsWith('consume') ? ceilings.diskReadMbps : ceilings.diskWriteMbps;
  return row([
    labels[w],
    rateCell(runs.runnel),
    rateCell(runs.mock),
    runs.mock.length === 0 ? '—' : fixed(runnel / mock, 2),
    fixed(runnel / ceilings.loopbackMbps, 2),
    fixed(runnel / disk, 2),
  ]);
}

function latencyRow(o: RealClientOptions, latency: Record<Target, LatencyRun[]>): string {
  const p99 = (t: Target) => median(latency[t].map((r) => r.p99Ms));
  const achieved = (t: Target) => fixed(median(latency[t].map((r) => r.achievedMbPerSec)));
  return row([
    `${labels['latency-rf3']} at ${o.rateMb} MB/s: p50 / p99 / p99.9`,
    `${latencyCell(latency.runnel)} (${achieved('runnel')} MB/s achieved)`,
    `${latencyCell(latency.mock)} (${achieved('mock')} MB/s achieved)`,
    `p99 ${fixed(p99('runnel') / p99('mock'))}×`,
    '',
    '',
  ]);
}

const total = (c: ThreadCpuMs): number => c.main + c.gcHelpers + c.libuvPool + c.other;

function cpuLine(w: Workload, target: Target, runs: readonly RunCpu[]): string {
  const perRecord = (ms: (r: RunCpu) => number) => fixed(median(runs.map((r) => (ms(r) * 1000) / r.records)), 2);
  const split = (pick: (c: ThreadCpuMs) => number) => perRecord((r) => pick(r.server));
  const percent = (ms: (r: RunCpu) => number) => fixed(median(runs.map((r) => (100 * ms(r)) / r.wallMs)), 0);
  const server =
    target === 'mock'
      ? 'mock'
      : `brokers (JavaScript threads ${split((c) => c.main)}, GC helpers ${split((c) => c.gcHelpers)}, ` +
        `libuv pool ${split((c) => c.libuvPool)}, other ${split((c) => c.other)})`;
  return (
    `- ${labels[w]}, ${target}: ${server} ${perRecord((r) => total(r.server))} µs/record, ` +
    `${percent((r) => total(r.server))}% of a core; client ${perRecord((r) => r.clientMs)} µs/record, ` +
    `${percent((r) => r.clientMs)}%`
  );
}

export function formatRealClientReport(
  machine: string,
  o: RealClientOptions,
  results: RealClientResults,
  ceilings: Ceilings,
): string {
  const size = o.seconds === null ? `${o.records} records` : `${o.seconds} s (at most ${o.records} records)`;
  const method =
    `method: librdkafka (rdkafka-tool.c), one producer, ${o.partitions} partitions, ${o.recordBytes} B records, ` +
    `linger.ms=5, batch.size=1000000; produce runs of ${size}; RF=1: runnel dev vs a 1-broker mock, acks=1; ` +
    `RF=3: 1 controller + 3 brokers (min.insync.replicas=2) vs a 3-broker mock, acks=all; ` +
    `latency: ${o.rateMb} MB/s offered for ${o.latencySeconds} s after 1 s warm-up; ` +
    `${o.runs} runs per target in ABBA order, medians (every run in brackets); each party its own process`;
  const lines = [
    machine,
    method,
    '',
    row(['workload', 'Runnel', "librdkafka's mock cluster, same run", 'ratio', 'Runnel / loopback', 'Runnel / disk']),
    row(['---', '---', '---', '---', '---', '---']),
  ];
  for (const [w, runs] of results.rates) lines.push(rateRow(w, runs, ceilings));
  if (results.latency.runnel.length > 0 || results.latency.mock.length > 0) lines.push(latencyRow(o, results.latency));
  lines.push('', 'CPU per record, medians (Runnel: all brokers summed; the client is the rdkafka-tool process):');
  for (const [w, runs] of results.cpu) {
    for (const target of ['runnel', 'mock'] as const) {
      if (runs[target].length > 0) lines.push(cpuLine(w, target, runs[target]));
    }
  }
  lines.push(
    '',
    `ceilings, same run: loopback TCP between two processes (1 MiB writes) ${fixed(ceilings.loopbackMbps, 0)} MB/s; ` +
      `disk write (page cache) ${fixed(ceilings.diskWriteMbps, 0)} MB/s, write + fsync ` +
      `${fixed(ceilings.diskWriteFsyncMbps, 0)} MB/s, read (page cache) ${fixed(ceilings.diskReadMbps, 0)} MB/s ` +
      `(${ceilings.diskMib} MiB file); "Runnel / disk" is to the write ceiling for produce and the read ceiling for consume`,
    '',
  );
  return lines.join('\n');
}
