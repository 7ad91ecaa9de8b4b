/**
 * `npm run bench:idempotence`: what idempotence costs a real producer.
 * librdkafka (kcat) produces the same records with acks=all to a `runnel
 * dev` process and to librdkafka's mock cluster (the peer, in memory, its
 * own process), with `enable.idempotence` false and true, alternating runs
 * (ABBA order), and the script prints records/s and MB/s per target and
 * mode (median of the runs) and the idempotent/plain ratio of each: the
 * mock's ratio is what the client's own pacing costs. Issue 11's target: the
 * idempotent rate within 10% of plain acks=all. It also prints the broker's
 * CPU per record by thread kind (JavaScript thread, V8's garbage-collector
 * helpers, libuv pool), read from /proc, so a difference can be told apart
 * from load on a shared machine. Method and results: BENCHMARKS.md.
 *
 *   node scripts/bench-idempotence.ts [--records N] [--record-bytes B] [--runs R] [--partitions P]
 *     [--broker-node-flags="--initial-old-space-size=128 ..."]
 *
 * `--broker-node-flags` starts the broker's node with those flags instead
 * of the servers' own (`--broker-node-flags=` for none), to measure V8 heap
 * sizing against the garbage collector's share of the CPU.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serverNodeFlags } from '../packages/cli/src/server-node-flags.ts';
import { ensureTopics, startBroker } from './bench/broker-process.ts';
import { type ThreadCpuMs, threadCpuMs } from './bench/process-cpu.ts';
import { buildRdkafkaTool, startMockCluster } from './bench/rdkafka-tool.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'record-bytes': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '4' },
    'broker-node-flags': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'node scripts/bench-idempotence.ts [--records N] [--record-bytes B] [--runs R] [--partitions P] ' +
      '[--broker-node-flags="FLAGS"]\n',
  );
  process.exit(0);
}
const records = Number(values.records);
const recordBytes = Number(values['record-bytes']);
const runs = Number(values.runs);
const partitions = Number(values.partitions);
/** Unset: the servers' own flags (packages/cli/src/server-node-flags.ts); '' runs node without any. */
const brokerNodeFlags =
  values['broker-node-flags'] === undefined
    ? serverNodeFlags
    : values['broker-node-flags'].split(' ').filter((flag) => flag !== '');

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) =>
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      error === null ? done(stdout) : fail(new Error(`${command} ${args.join(' ')}: ${stderr || error.message}`)),
    ),
  );
}

const noCpu: ThreadCpuMs = { main: Number.NaN, gcHelpers: Number.NaN, libuvPool: Number.NaN, other: Number.NaN };

/** The broker's CPU ms by thread kind (Linux /proc), NaN elsewhere. */
function brokerCpuMs(pid: number | undefined): ThreadCpuMs {
  return (pid === undefined ? null : threadCpuMs(pid)) ?? noCpu;
}

/** CPU µs per record spent between two readings, by thread kind. */
function cpuPerRecord(before: ThreadCpuMs, after: ThreadCpuMs, count: number): ThreadCpuMs {
  const per = (key: keyof ThreadCpuMs) => ((after[key] - before[key]) * 1000) / count;
  return { main: per('main'), gcHelpers: per('gcHelpers'), libuvPool: per('libuvPool'), other: per('other') };
}

const total = (cpu: ThreadCpuMs): number => cpu.main + cpu.gcHelpers + cpu.libuvPool + cpu.other;

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Mode = 'plain' | 'idempotent';
type Target = 'runnel' | 'mock';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-bench-idem-'));
  const input = join(dir, 'records.txt');
  const line = `${'x'.repeat(recordBytes - 1)}\n`;
  writeFileSync(input, line.repeat(records));
  const mock = await startMockCluster(await buildRdkafkaTool(dir), 'bench-idem', partitions);
  const dev = await startBroker({
    dataDir: join(dir, 'data'),
    partitions,
    logPath: join(dir, 'broker.log'),
    cpuProfileDir: null,
    nodeFlags: brokerNodeFlags,
  });
  const bootstrap: Record<Target, string> = { runnel: `127.0.0.1:${dev.ready}`, mock: mock.bootstrap };
  try {
    await ensureTopics({ host: '127.0.0.1', port: dev.ready }, ['bench-idem'], partitions);
    const results: Record<Target, Record<Mode, number[]>> = {
      runnel: { plain: [], idempotent: [] },
      mock: { plain: [], idempotent: [] },
    };
    /** Broker CPU microseconds per record, per run: tells the broker's share of a difference from the client's. */
    const brokerCpu: Record<Mode, ThreadCpuMs[]> = { plain: [], idempotent: [] };
    for (let i = 0; i < runs; i++) {
      // ABBA order, so neither mode always runs on the larger log or right after the other.
      const order: readonly Mode[] = i % 2 === 0 ? ['plain', 'idempotent'] : ['idempotent', 'plain'];
      for (const target of ['runnel', 'mock'] as const) {
        for (const mode of order) {
          const started = process.hrtime.bigint();
          const cpuBefore = brokerCpuMs(dev.pid);
          await run('kcat', [
            ...['-P', '-b', bootstrap[target], '-t', 'bench-idem', '-l', input],
            ...['-X', `enable.idempotence=${mode === 'idempotent'}`, '-X', 'acks=all', '-X', 'linger.ms=5'],
            ...['-X', 'batch.size=1000000', '-X', 'queue.buffering.max.messages=1000000'],
          ]);
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          results[target][mode].push(records / seconds);
          if (target === 'runnel') brokerCpu[mode].push(cpuPerRecord(cpuBefore, brokerCpuMs(dev.pid), records));
        }
      }
    }
    const mb = (rate: number) => ((rate * recordBytes) / 1e6).toFixed(1);
    const row = (target: Target, mode: Mode): string => {
      const rate = median(results[target][mode]);
      const all = results[target][mode].map((r) => r.toFixed(0)).join(' ');
      return `${target.padEnd(7)} ${mode.padEnd(11)} ${rate.toFixed(0).padStart(9)}  ${mb(rate).padStart(5)}   ${all}\n`;
    };
    const cpuRow = (mode: Mode): string => {
      const runsOf = brokerCpu[mode];
      const of = (pick: (cpu: ThreadCpuMs) => number) => median(runsOf.map(pick)).toFixed(2);
      return (
        `${mode} ${of(total)} µs (JavaScript thread ${of((c) => c.main)}, GC helpers ${of((c) => c.gcHelpers)}, ` +
        `libuv pool ${of((c) => c.libuvPool)})`
      );
    };
    const ratio = (target: Target) => (median(results[target].idempotent) / median(results[target].plain)).toFixed(3);
    process.stdout.write(
      `machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}; ${records} records of ${recordBytes} B, ` +
        `${partitions} partitions, acks=all, linger.ms=5, ${runs} runs each in ABBA order, median; ` +
        `broker node flags: ${brokerNodeFlags.length === 0 ? 'none' : brokerNodeFlags.join(' ')}; ` +
        `peer: librdkafka's mock cluster (in memory) in its own process\n` +
        `target  mode         records/s   MB/s   (runs)\n` +
        row('runnel', 'plain') +
        row('runnel', 'idempotent') +
        row('mock', 'plain') +
        row('mock', 'idempotent') +
        `idempotent / plain: runnel ${ratio('runnel')}, mock ${ratio('mock')}\n` +
        `runnel broker CPU per record (medians): ${cpuRow('plain')}; ${cpuRow('idempotent')}\n`,
    );
  } finally {
    mock.stop();
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
