/**
 * `npm run bench:transactions`: what a transaction costs a real producer,
 * against the peer in the same run. A librdkafka transactional producer of
 * our own (scripts/bench/rdkafka-tool.c, built here with gcc against the
 * system's librdkafka-dev) commits transactions one after another to
 * `runnel dev` and to librdkafka's in-memory mock cluster (rdkafka_mock.h),
 * each in its own process, alternating targets (ABBA order); the script
 * prints transactions/s, records/s and commit latency p50/p99/max (the
 * time rd_kafka_commit_transaction takes) per target, median of the runs.
 * A third row drives `runnel dev` with @runnel/client's
 * TransactionalProducer at transaction version 2 (KIP-890 part 2: no
 * AddPartitionsToTxn, Produce v12 adds the partitions, every EndTxn v5
 * raises the epoch; the records grouped into one batch per partition, sent
 * in parallel, then EndTxn; its "commit" is the sends plus EndTxn, as
 * librdkafka's commit includes flushing the records), in this process.
 * Method and results: BENCHMARKS.md.
 *
 *   node scripts/bench-transactions.ts [--txns N] [--records-per-txn R] [--record-bytes B] [--runs K] [--partitions P]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KafkaClient, TransactionalProducer } from '@runnel/client';
import { ensureTopics, startBroker } from './bench/broker-process.ts';
import { buildRdkafkaTool, execTool, startMockCluster } from './bench/rdkafka-tool.ts';

const usage =
  'node scripts/bench-transactions.ts [--txns N] [--records-per-txn R] [--record-bytes B] [--runs K] [--partitions P]\n';
const { values } = parseArgs({
  options: {
    txns: { type: 'string', default: '500' },
    'records-per-txn': { type: 'string', default: '10' },
    'record-bytes': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '4' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const txns = Number(values.txns);
const perTxn = Number(values['records-per-txn']);
const recordBytes = Number(values['record-bytes']);
const runs = Number(values.runs);
const partitions = Number(values.partitions);
const topic = 'bench-txn';

interface RunResult {
  txnsPerSec: number;
  recordsPerSec: number;
  commitP50Ms: number;
  commitP99Ms: number;
  commitMaxMs: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** The same workload with Runnel's transaction version 2 producer, in this process. */
async function runTv2(bootstrap: string, run: number): Promise<RunResult> {
  const client = await KafkaClient.connect({ bootstrap, clientId: `bench-tv2-${run}`, allowAutoTopicCreation: false });
  try {
    const producer = await TransactionalProducer.init(client, { transactionalId: `bench-tv2-${run}` });
    const value = Buffer.alloc(recordBytes, 0x61);
    const latencies: number[] = [];
    const start = performance.now();
    for (let t = 0; t < txns; t++) {
      const began = performance.now();
      const byPartition = new Map<number, { key: null; value: Buffer }[]>();
      for (let r = 0; r < perTxn; r++) {
        const p = (t * perTxn + r) % partitions;
        const list = byPartition.get(p) ?? [];
        list.push({ key: null, value });
        byPartition.set(p, list);
      }
      await Promise.all([...byPartition].map(([p, records]) => producer.send(topic, p, records)));
      await producer.commit();
      latencies.push(performance.now() - began);
    }
    const seconds = (performance.now() - start) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      txnsPerSec: txns / seconds,
      recordsPerSec: (txns * perTxn) / seconds,
      commitP50Ms: percentile(sorted, 0.5),
      commitP99Ms: percentile(sorted, 0.99),
      commitMaxMs: sorted.at(-1) ?? Number.NaN,
    };
  } finally {
    client.close();
  }
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-bench-txn-'));
  const binary = await buildRdkafkaTool(dir);
  const mock = await startMockCluster(binary, topic, partitions);
  const dev = await startBroker({
    dataDir: join(dir, 'data'),
    partitions,
    logPath: join(dir, 'broker.log'),
    cpuProfileDir: null,
  });
  try {
    await ensureTopics({ host: '127.0.0.1', port: dev.ready }, [topic], partitions);
    const targets = { runnel: `127.0.0.1:${dev.ready}`, mock: mock.bootstrap } as const;
    const results: Record<keyof typeof targets | 'runnelTv2', RunResult[]> = { runnel: [], mock: [], runnelTv2: [] };
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? (['runnel', 'mock'] as const) : (['mock', 'runnel'] as const);
      for (const target of order) {
        const out = await execTool(binary, [
          'txn',
          targets[target],
          topic,
          String(partitions),
          String(txns),
          String(perTxn),
          String(recordBytes),
          `bench-${target}-${i}`,
        ]);
        results[target].push(JSON.parse(out.trim().split('\n').pop() ?? '{}') as RunResult);
      }
      results.runnelTv2.push(await runTv2(targets.runnel, i));
    }
    const row = (name: string, rs: readonly RunResult[]): string => {
      const m = (k: keyof RunResult) => median(rs.map((r) => r[k]));
      return (
        `${name.padEnd(10)} ${m('txnsPerSec').toFixed(1).padStart(8)} ${m('recordsPerSec').toFixed(0).padStart(10)} ` +
        `${m('commitP50Ms').toFixed(2).padStart(9)} ${m('commitP99Ms').toFixed(2).padStart(9)} ${m('commitMaxMs').toFixed(2).padStart(9)}   ` +
        rs.map((r) => r.txnsPerSec.toFixed(1)).join(' ')
      );
    };
    process.stdout.write(
      `machine: ${cpus().length} cores, ${cpus()[0]?.model ?? '?'}; librdkafka transactional producer, ` +
        `${txns} txns x ${perTxn} records of ${recordBytes} B over ${partitions} partitions, ` +
        `${runs} runs per target in ABBA order, median\n` +
        `target     txns/s  records/s  commit p50  p99 (ms)   max   (txns/s per run)\n` +
        `${row('runnel', results.runnel)}\n${row('mock', results.mock)}\n` +
        `${row('runnel v2', results.runnelTv2)}   (@runnel/client, transaction version 2)\n` +
        `runnel / mock txns/s: ${(median(results.runnel.map((r) => r.txnsPerSec)) / median(results.mock.map((r) => r.txnsPerSec))).toFixed(3)}\n`,
    );
  } finally {
    mock.stop();
    await dev.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
