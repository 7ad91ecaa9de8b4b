/**
 * `npm run bench`: produce and consume throughput of one broker, the load
 * generator against a null sink, and the machine's ceilings, in one run.
 * Method and recorded results: BENCHMARKS.md. Options: --help.
 * With --real-client it runs bench/real-client.ts instead: librdkafka
 * against Runnel and against librdkafka's mock cluster (issue 12); with
 * --scale, bench/scale.ts: Runnel with many partitions, producers and
 * consumer groups, and its restart time (issue 12).
 *
 * Order: ceilings, null sink (per batch size), then the broker twice on one
 * data dir: a first process takes every produce run, a second one every
 * consume run, so that with --profile each path gets its own CPU profile.
 * Any failed request, or a child that will not start, ends the run with a
 * non-zero exit: a partial table would be misread as a result.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { brokerLogPath, ensureTopics, startBroker } from './bench/broker-process.ts';
import { measureDisk, measureLoopbackTcp, type Rate } from './bench/ceilings.ts';
import { jsonField, NodeChild } from './bench/child-process.ts';
import { formatProfileSummary, monotonicUs, summariseCpuProfile, type TimeWindow } from './bench/cpu-profile.ts';
import {
  type LoadShape,
  planFetches,
  type RunStats,
  runConsume,
  runProduce,
  type Target,
} from './bench/load-generator.ts';
import { type BenchOptions, benchHelp, parseBenchOptions } from './bench/options.ts';
import { type CpuShare, withCpuShare } from './bench/process-cpu.ts';
import { runRealClient } from './bench/real-client.ts';
import { prepareBatch } from './bench/record-batch.ts';
import { formatTable, type ResultRow } from './bench/report.ts';
import { runScale } from './bench/scale.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const nullSinkScript = resolve(import.meta.dirname, 'bench/null-sink.ts');
const host = '127.0.0.1';
const topFunctions = 25;
const diskChunkBytes = 1024 * 1024;
/** Fetches planned per partition against the null sink, which has no log to exhaust. */
const nullSinkFetchRounds = 64;

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function topicFor(batchKib: number): string {
  return `bench-${batchKib}k`;
}

function statsRow(scenario: string, batchKib: number, measured: { value: RunStats; cpu: CpuShare }): ResultRow {
  return {
    scenario,
    batch: `${batchKib} KiB`,
    ...measured.value,
    peerCpuPercent: measured.cpu.peerPercent,
    generatorCpuPercent: measured.cpu.generatorPercent,
  };
}

function rateRow(scenario: string, batch: string, rate: Rate): ResultRow {
  return {
    scenario,
    batch,
    ...rate,
    records: null,
    requests: null,
    latencyP50Ms: null,
    latencyP99Ms: null,
    peerCpuPercent: null,
    generatorCpuPercent: null,
  };
}

function describeMachine(dataDir: string): string[] {
  let filesystem = 'unknown';
  try {
    const df = execFileSync('df', ['-T', '-h', dataDir], { encoding: 'utf8' }).trim().split('\n');
    filesystem = (df[1] ?? '').replace(/\s+/g, ' ');
  } catch {
    // df missing: the rest of the description still helps.
  }
  return [
    `cpus: ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}`,
    `memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `node: ${process.version}`,
    `data dir: ${dataDir} on ${filesystem}`,
  ];
}

async function measureCeilings(options: BenchOptions, dataDir: string, runDir: string): Promise<ResultRow[]> {
  const ms = options.durationSec * 1000;
  const tcpSmall = await measureLoopbackTcp(Math.min(ms, 4000), 64 * 1024, join(runDir, 'tcp-writer.log'));
  const tcpLarge = await measureLoopbackTcp(Math.min(ms, 4000), 1024 * 1024, join(runDir, 'tcp-writer.log'));
  log('loopback tcp done');
  const disk = measureDisk(dataDir, options.diskMib * 2 ** 20, diskChunkBytes);
  const size = `${options.diskMib} MiB file`;
  return [
    rateRow('ceiling: loopback TCP, 2 processes', '64 KiB writes', tcpSmall),
    rateRow('ceiling: loopback TCP, 2 processes', '1 MiB writes', tcpLarge),
    rateRow('ceiling: disk write (page cache)', size, disk.write),
    rateRow('ceiling: disk write + fsync', size, disk.writeFsync),
    rateRow('ceiling: disk read (page cache)', size, disk.read),
  ];
}

async function measureNullSink(options: BenchOptions, shape: LoadShape, runDir: string): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  for (const kib of options.batchKib) {
    const batch = prepareBatch(kib * 1024, options.recordBytes);
    const sink = await NodeChild.start(
      [nullSinkScript, '--batch-bytes', String(kib * 1024), '--record-bytes', String(options.recordBytes)],
      {
        logPath: join(runDir, 'null-sink.log'),
        timeoutMs: 30_000,
        isReady: (line) => {
          const port = jsonField(line, 'port');
          return typeof port === 'number' ? port : undefined;
        },
      },
    );
    try {
      const target: Target = { host, port: sink.ready };
      const spec = { topic: 'bench', partitions: options.partitions, batch, checkOffsets: false };
      const produced = await withCpuShare(sink.pid, () => runProduce(target, shape, spec));
      rows.push(statsRow('null sink: produce', kib, { value: produced.value.stats, cpu: produced.cpu }));
      const perFetch = Math.max(1, Math.floor((options.fetchKib * 1024) / batch.bytes.length));
      const batches = Array.from({ length: options.partitions }, () => perFetch * nullSinkFetchRounds);
      const tasks = planFetches('bench', batches, batch, options.fetchKib * 1024);
      const consumed = await withCpuShare(sink.pid, () =>
        runConsume(target, shape, { topic: 'bench', tasks, checkContent: false }),
      );
      rows.push(statsRow('null sink: consume', kib, consumed));
      log(`null sink ${kib} KiB: produce and consume done`);
    } finally {
      await sink.stop();
    }
  }
  return rows;
}

interface PhaseProfile {
  phase: string;
  path: string | null;
  /** When the measurements ran, so the summary leaves out start-up and pauses. */
  windows: TimeWindow[];
}

/** Newest .cpuprofile written into `dir`, or null. */
function profileIn(dir: string): string | null {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  files.sort();
  const last = files.at(-1);
  return last === undefined ? null : join(dir, last);
}

async function measureBroker(
  options: BenchOptions,
  shape: LoadShape,
  dataDir: string,
  runDir: string,
): Promise<{ rows: ResultRow[]; profiles: PhaseProfile[] }> {
  const produceRows: ResultRow[] = [];
  const consumeRows: ResultRow[] = [];
  const profiles: PhaseProfile[] = [];
  const produced = new Map<number, number[]>();
  const batches = new Map(options.batchKib.map((kib) => [kib, prepareBatch(kib * 1024, options.recordBytes)]));
  for (const phase of ['produce', 'consume'] as const) {
    const profileDir = options.profile ? join(runDir, `profile-${phase}`) : null;
    if (profileDir !== null) mkdirSync(profileDir, { recursive: true });
    const broker = await startBroker({
      dataDir,
      partitions: options.partitions,
      logPath: brokerLogPath(runDir, phase),
      cpuProfileDir: profileDir,
    });
    const windows: TimeWindow[] = [];
    const timed = async <T>(work: () => Promise<T>): Promise<T> => {
      const startUs = monotonicUs();
      try {
        return await work();
      } finally {
        windows.push({ startUs, endUs: monotonicUs() });
      }
    };
    try {
      const target: Target = { host, port: broker.ready };
      if (phase === 'produce') await ensureTopics(target, options.batchKib.map(topicFor), options.partitions);
      for (const kib of options.batchKib) {
        const batch = batches.get(kib);
        if (batch === undefined) continue;
        const topic = topicFor(kib);
        if (phase === 'produce') {
          const spec = { topic, partitions: options.partitions, batch, checkOffsets: true };
          const run = await timed(() => withCpuShare(broker.pid, () => runProduce(target, shape, spec)));
          produced.set(kib, run.value.batchesPerPartition);
          produceRows.push(statsRow('broker: produce', kib, { value: run.value.stats, cpu: run.cpu }));
        } else {
          const tasks = planFetches(topic, produced.get(kib) ?? [], batch, options.fetchKib * 1024);
          const run = await timed(() =>
            withCpuShare(broker.pid, () => runConsume(target, shape, { topic, tasks, checkContent: true })),
          );
          consumeRows.push(statsRow('broker: consume', kib, run));
        }
        log(`broker ${phase} ${kib} KiB done`);
      }
    } finally {
      const code = await broker.stop();
      if (code !== 0) log(`broker (${phase}) exited with ${code}; see ${brokerLogPath(runDir, phase)}`);
    }
    if (profileDir !== null) profiles.push({ phase, path: profileIn(profileDir), windows });
  }
  return { rows: [...produceRows, ...consumeRows], profiles };
}

async function main(): Promise<number> {
  if (process.argv.includes('--real-client')) return runRealClient(process.argv.slice(2));
  if (process.argv.includes('--scale')) return runScale(process.argv.slice(2));
  const parsed = parseBenchOptions(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message ?? parsed.error}\n\n${benchHelp}`);
    return 2;
  }
  const options = parsed.value;
  if (options.help) {
    process.stdout.write(benchHelp);
    return 0;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(repoRoot, '.bench', stamp);
  mkdirSync(runDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'runnel-bench-'));
  const shape: LoadShape = {
    connections: options.connections,
    inflight: options.inflight,
    durationMs: options.durationSec * 1000,
  };
  const machine = describeMachine(dataDir);
  for (const line of machine) log(line);
  try {
    const ceilings = await measureCeilings(options, dataDir, runDir);
    const nullSink = await measureNullSink(options, shape, runDir);
    const broker = await measureBroker(options, shape, dataDir, runDir);
    const rows = [...broker.rows, ...nullSink, ...ceilings];
    const settings =
      `${options.partitions} partitions, ${options.connections} connections x ${options.inflight} in flight, ` +
      `${options.recordBytes} B records, ${options.fetchKib} KiB fetches, ${options.durationSec} s per run`;
    const out = [`Runnel bench, ${new Date().toISOString()}`, ...machine, settings, '', formatTable(rows), ''];
    for (const { phase, path, windows } of broker.profiles) {
      out.push(
        path === null
          ? `no CPU profile was written for ${phase}`
          : formatProfileSummary(
              `broker CPU profile, ${phase} phase (${path})`,
              summariseCpuProfile(path, topFunctions, windows),
            ),
        '',
      );
    }
    process.stdout.write(`${out.join('\n')}\n`);
    writeFileSync(join(runDir, 'results.json'), `${JSON.stringify({ machine, options, rows }, null, 2)}\n`);
    log(`logs and results in ${runDir}`);
    return 0;
  } finally {
    if (options.keepData) log(`data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
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
