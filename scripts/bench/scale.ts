/**
 * `npm run bench -- --scale`: Runnel at scale, driven by librdkafka, with
 * librdkafka's mock cluster driven the same way in the same run wherever it
 * has a comparable number (issue 12, Build item 3). Sections: RSS and
 * throughput with many partitions, 4 to 50 producers keyed and unkeyed,
 * consumer fan-out to many groups, restart time of a broker holding many
 * GiB of logs (scale-restart.ts). Options and the method of each section:
 * scale-options.ts; recorded results: BENCHMARKS.md.
 *
 * Order: one `runnel dev` for the RF=1 sections (many-partition RSS and
 * throughput, producers, fan-out), then the 3-broker cluster (RSS with an
 * RF=3 topic of many partitions; producers at RF=3 with --producers-rf3),
 * then the restart. Produce runs alternate which target goes first. Any
 * failed run ends the bench with a non-zero exit: a partial table would be
 * misread.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { serverNodeFlags } from '../../packages/cli/src/server-node-flags.ts';
import { BenchCluster } from '../bench-replication/cluster.ts';
import { createTopicAndWait, deleteTopic, startBroker } from './broker-process.ts';
import { threadCpuMs } from './process-cpu.ts';
import { rssMib } from './process-memory.ts';
import { buildRdkafkaTool, type MockCluster, runToolJson, startMockCluster } from './rdkafka-tool.ts';
import { parseScaleOptions, type ScaleOptions, scaleHelp } from './scale-options.ts';
import { fixed, formatScaleReport, loadAverages, mbps, mib, type ScaleRow, scaleRow } from './scale-report.ts';
import { measureRestart } from './scale-restart.ts';

/** How long a broker sits idle before its RSS is read: long enough for start-up garbage to be collected. */
const idleSettleMs = 5000;
/** A produce run is bounded by --seconds; this only caps the records so a run cannot go on forever. */
const recordsCap = 100_000_000;
const manyTopic = 'scale-many';
const fewTopic = 'scale-few';
const fanoutTopic = 'scale-fanout';

function log(message: string): void {
  process.stderr.write(`bench --scale: ${message}\n`);
}

/** RSS after `idleSettleMs` of idling. */
async function idleRss(pids: readonly (number | undefined)[]): Promise<(number | null)[]> {
  await sleep(idleSettleMs);
  return pids.map(rssMib);
}

interface Targets {
  tool: string;
  o: ScaleOptions;
  rows: ScaleRow[];
  /** Flips on every paired measurement so neither target always goes first. */
  turn: number;
  /** Runnel's broker processes of the phase running, for their CPU over each run. */
  runnelPids: readonly (number | undefined)[];
}

/** CPU ms of `pids`, all threads summed (Linux /proc; 0 elsewhere). */
function cpuMs(pids: readonly (number | undefined)[]): number {
  let sum = 0;
  for (const pid of pids) {
    const c = pid === undefined ? null : threadCpuMs(pid);
    if (c !== null) sum += c.main + c.gcHelpers + c.libuvPool + c.other;
  }
  return sum;
}

/** Runs one tool mode against Runnel; its JSON line plus the brokers' CPU over it, in percent of one core. */
async function runnelRun(t: Targets, args: string[]): Promise<{ m: Record<string, number>; cpuPercent: number }> {
  const before = cpuMs(t.runnelPids);
  const start = performance.now();
  const m = await runToolJson(t.tool, args);
  return { m, cpuPercent: (100 * (cpuMs(t.runnelPids) - before)) / (performance.now() - start) };
}

interface ProduceShape {
  topic: string;
  partitions: number;
  producers: number;
  keyed: boolean;
  acks: '1' | 'all';
}

function produceArgs(t: Targets, bootstrap: string, s: ProduceShape): string[] {
  const args = ['produce', bootstrap, s.topic, String(s.partitions), String(recordsCap)];
  args.push(String(t.o.seconds), String(t.o.recordBytes), s.acks, '--producers', String(s.producers));
  return s.keyed ? [...args, '--key'] : args;
}

interface PairRates {
  runnel: number;
  mock: number;
  /** Runnel's brokers' CPU over its run, percent of one core. */
  cpuPercent: number;
}

/**
 * Runs `work` on a fresh Runnel topic and deletes the topic after: at several
 * hundred MB/s a few dozen produce runs would otherwise pile up tens of GiB
 * on a disk other people share.
 */
async function withRunTopic<T>(
  t: Targets,
  bootstrap: string,
  shape: ProduceShape,
  work: (topic: string) => Promise<T>,
): Promise<T> {
  const topic = `scale-run-${t.turn}`;
  await createTopicAndWait(bootstrap, topic, shape.partitions, shape.acks === 'all' ? 3 : 1);
  try {
    return await work(topic);
  } finally {
    await deleteTopic(bootstrap, topic);
  }
}

/**
 * One produce run against Runnel and one against the mock, in alternating
 * order; MB/s of each. Runnel's run goes to `runnelTopic` when given, else
 * to a topic of its own deleted afterwards; the mock's to `shape.topic`.
 */
async function producePair(
  t: Targets,
  bootstraps: { runnel: string; mock: string },
  shape: ProduceShape,
  runnelTopic?: string,
): Promise<PairRates> {
  const order = t.turn++ % 2 === 0 ? (['runnel', 'mock'] as const) : (['mock', 'runnel'] as const);
  const result = { runnel: Number.NaN, mock: Number.NaN, cpuPercent: Number.NaN };
  const runnel = async (topic: string) => {
    const r = await runnelRun(t, produceArgs(t, bootstraps.runnel, { ...shape, topic }));
    result.runnel = r.m.mbPerSec ?? Number.NaN;
    result.cpuPercent = r.cpuPercent;
  };
  for (const target of order) {
    if (target === 'mock') {
      result.mock = (await runToolJson(t.tool, produceArgs(t, bootstraps.mock, shape))).mbPerSec ?? Number.NaN;
    } else if (runnelTopic !== undefined) {
      await runnel(runnelTopic);
    } else {
      await withRunTopic(t, bootstraps.runnel, shape, runnel);
    }
  }
  const what = `${shape.producers} producer(s), ${shape.partitions} partitions${shape.keyed ? ', keyed' : ''}`;
  log(`produce ${what}, acks=${shape.acks}: runnel ${fixed(result.runnel)} MB/s, mock ${fixed(result.mock)} MB/s`);
  return result;
}

function pairCells(r: PairRates): Partial<ScaleRow> {
  return {
    runnel: `${mbps(r.runnel)} (${cpuCell(r.cpuPercent)})`,
    mock: mbps(r.mock),
    ratio: fixed(r.runnel / r.mock, 2),
  };
}

function cpuCell(percent: number): string {
  return `brokers ${fixed(percent, 0)}% of a core`;
}

/** Section 1 on runnel dev: RSS idle with the many-partition topic, throughput over many against few partitions. */
async function manyPartitions(t: Targets, bootstrap: string, pid: number | undefined, tool: string): Promise<void> {
  const { o, rows } = t;
  const section = `${o.partitionCount} partitions`;
  const [empty] = await idleRss([pid]);
  rows.push(scaleRow(section, 'runnel dev RSS idle, no topic', { runnel: mib(empty ?? null) }));
  await createTopicAndWait(bootstrap, manyTopic, o.partitionCount, 1);
  const [idle] = await idleRss([pid]);
  log(`runnel dev RSS: ${fixed(empty)} MiB empty, ${fixed(idle)} MiB with ${o.partitionCount} partitions`);
  rows.push(
    scaleRow(section, `runnel dev RSS idle, one topic of ${o.partitionCount} partitions`, {
      runnel: mib(idle ?? null),
      target: '≤ 300 MiB',
    }),
  );
  const mockMany = await startMockCluster(tool, manyTopic, o.partitionCount, 1);
  const mockFew = await startMockCluster(tool, fewTopic, o.partitions, 1);
  try {
    const shape = { producers: 1, keyed: false, acks: '1' } as const;
    // The many-partition topic itself, whose RSS was just read: one 5 s run adds about a GiB.
    const many = await producePair(
      t,
      { runnel: bootstrap, mock: mockMany.bootstrap },
      { ...shape, topic: manyTopic, partitions: o.partitionCount },
      manyTopic,
    );
    const few = await producePair(
      t,
      { runnel: bootstrap, mock: mockFew.bootstrap },
      { ...shape, topic: fewTopic, partitions: o.partitions },
    );
    rows.push(scaleRow(section, `produce, 1 producer over ${o.partitionCount} partitions`, pairCells(many)));
    rows.push(scaleRow(section, `produce, 1 producer over ${o.partitions} partitions`, pairCells(few)));
    rows.push(
      scaleRow(section, `throughput over ${o.partitionCount} / over ${o.partitions} partitions`, {
        runnel: fixed(many.runnel / few.runnel, 2),
        mock: fixed(many.mock / few.mock, 2),
      }),
    );
  } finally {
    mockMany.stop();
    mockFew.stop();
  }
  const [after] = await idleRss([pid]);
  rows.push(scaleRow(section, 'runnel dev RSS idle after those produce runs', { runnel: mib(after ?? null) }));
}

/** Section 2: aggregate produce MB/s per producer count, unkeyed and keyed, and the first count over the last. */
async function producerCounts(t: Targets, bootstraps: { runnel: string; mock: string }, rf: 1 | 3): Promise<void> {
  const { o, rows } = t;
  const acks = rf === 1 ? '1' : 'all';
  const section = `producers, RF=${rf} acks=${acks}`;
  const first = o.producerCounts[0] ?? 1;
  const last = o.producerCounts.at(-1) ?? 1;
  for (const keyed of [false, true]) {
    const rates = new Map<number, PairRates>();
    for (const producers of o.producerCounts) {
      const r = await producePair(t, bootstraps, { topic: fewTopic, partitions: o.partitions, producers, keyed, acks });
      rates.set(producers, r);
      const what = `${producers} producers, ${keyed ? 'keyed' : 'unkeyed'}, ${o.partitions} partitions`;
      rows.push(scaleRow(section, what, pairCells(r)));
    }
    const a = rates.get(first);
    const b = rates.get(last);
    if (a === undefined || b === undefined || first === last) continue;
    rows.push(
      scaleRow(section, `drop from ${first} to ${last} producers, ${keyed ? 'keyed' : 'unkeyed'}`, {
        runnel: `${fixed(a.runnel / b.runnel, 2)}×`,
        mock: `${fixed(a.mock / b.mock, 2)}×`,
        target: '≤ 1.5×',
      }),
    );
  }
}

/** Section 3: one group alone, then --consumers groups at once, reading the same topic from the start. */
async function fanout(t: Targets, bootstrap: string): Promise<void> {
  const { o, rows, tool } = t;
  const section = `fan-out to ${o.consumers} groups`;
  await createTopicAndWait(bootstrap, fanoutTopic, o.partitions, 1);
  const fill = ['produce', bootstrap, fanoutTopic, String(o.partitions), String(o.fanoutRecords), '0'];
  const written = await runToolJson(tool, [...fill, String(o.recordBytes), '1']);
  const records = written.records ?? o.fanoutRecords;
  const args = ['consume', bootstrap, fanoutTopic, String(o.partitions), String(records)];
  const oneRun = await runnelRun(t, [...args, '--consumers', '1']);
  const manyRun = await runnelRun(t, [...args, '--consumers', String(o.consumers)]);
  const one = oneRun.m;
  const many = manyRun.m;
  const expected = records * o.consumers;
  if (many.records !== expected) throw new Error(`fan-out read ${many.records} records, expected ${expected}`);
  log(`fan-out: one group ${fixed(one.mbPerSec)} MB/s, ${o.consumers} groups ${fixed(many.mbPerSec)} MB/s in all`);
  const size = `${records} records of ${o.recordBytes} B`;
  rows.push(
    scaleRow(section, `1 group alone, ${size}`, { runnel: `${mbps(one.mbPerSec)} (${cpuCell(oneRun.cpuPercent)})` }),
  );
  rows.push(
    scaleRow(section, `${o.consumers} groups at once, aggregate`, {
      runnel: `${mbps(many.mbPerSec)} (${cpuCell(manyRun.cpuPercent)})`,
    }),
  );
  const slowest = many.slowestMbPerSec ?? Number.NaN;
  const fastest = many.fastestMbPerSec ?? Number.NaN;
  rows.push(
    scaleRow(section, `${o.consumers} groups at once, per group: slowest / fastest`, {
      runnel: `${fixed(slowest)} / ${fixed(fastest)} MB/s`,
      ratio: `${fixed(slowest / (one.mbPerSec ?? Number.NaN), 2)} / ${fixed(fastest / (one.mbPerSec ?? Number.NaN), 2)} of 1 group`,
    }),
  );
}

async function devPhase(t: Targets, dir: string): Promise<void> {
  const { o } = t;
  const dev = await startBroker({
    dataDir: join(dir, 'dev'),
    partitions: o.partitions,
    logPath: join(dir, 'dev.log'),
    cpuProfileDir: null,
  });
  const bootstrap = `127.0.0.1:${dev.ready}`;
  t.runnelPids = [dev.pid];
  try {
    if (o.only.has('partitions')) await manyPartitions(t, bootstrap, dev.pid, t.tool);
    if (o.only.has('producers')) {
      const mock = await startMockCluster(t.tool, fewTopic, o.partitions, 1);
      try {
        await producerCounts(t, { runnel: bootstrap, mock: mock.bootstrap }, 1);
      } finally {
        mock.stop();
      }
    }
    if (o.only.has('fanout')) await fanout(t, bootstrap);
  } finally {
    const code = await dev.stop();
    if (code !== 0) log(`runnel dev exited with ${code}; see ${join(dir, 'dev.log')}`);
    // The disk is shared: this phase's logs go now, not at the end of the bench.
    rmSync(join(dir, 'dev'), { recursive: true, force: true });
  }
}

async function clusterPhase(t: Targets, dir: string): Promise<void> {
  const { o, rows } = t;
  const root = join(dir, 'cluster');
  mkdirSync(root);
  const cluster = await BenchCluster.start({
    root,
    brokers: 3,
    profileRoot: null,
    logLevel: 'info',
    nodeFlags: serverNodeFlags,
  });
  const pids = cluster.brokers.map((b) => b.child.pid);
  t.runnelPids = pids;
  let mock: MockCluster | null = null;
  try {
    if (o.only.has('partitions')) {
      const section = `${o.partitionCount} partitions`;
      const empty = await idleRss(pids);
      await createTopicAndWait(cluster.bootstrap, manyTopic, o.partitionCount, 3);
      const idle = await idleRss(pids);
      log(`cluster RSS: ${empty.map((x) => fixed(x)).join(' / ')} MiB empty, ${idle.map((x) => fixed(x)).join(' / ')}`);
      rows.push(
        scaleRow(section, '3-broker cluster, RSS of each broker idle, no topic', {
          runnel: empty.map((x) => mib(x)).join(' / '),
        }),
        scaleRow(section, `3-broker cluster, RSS of each broker idle, RF=3 topic of ${o.partitionCount} partitions`, {
          runnel: idle.map((x) => mib(x)).join(' / '),
          target: '≤ 300 MiB each',
        }),
      );
    }
    if (o.producersRf3 && o.only.has('producers')) {
      mock = await startMockCluster(t.tool, fewTopic, o.partitions, 3);
      await producerCounts(t, { runnel: cluster.bootstrap, mock: mock.bootstrap }, 3);
    }
  } finally {
    mock?.stop();
    const codes = await cluster.stop();
    if (codes.some((c) => c !== 0)) log(`a cluster process exited with ${codes.join(', ')}; logs in ${root}`);
    for (const b of cluster.brokers) rmSync(join(root, `broker-${b.id}`), { recursive: true, force: true });
  }
}

export async function runScale(argv: readonly string[]): Promise<number> {
  const parsed = parseScaleOptions(argv);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message ?? parsed.error}\n\n${scaleHelp}`);
    return 2;
  }
  const o = parsed.value;
  if (o.help) {
    process.stdout.write(scaleHelp);
    return 0;
  }
  const dir = mkdtempSync(join(tmpdir(), 'runnel-bench-scale-'));
  const loadBefore = loadAverages();
  try {
    const tool = await buildRdkafkaTool(dir);
    const t: Targets = { tool, o, rows: [], turn: 0, runnelPids: [] };
    if (o.only.has('partitions') || o.only.has('producers') || o.only.has('fanout')) await devPhase(t, dir);
    if (o.only.has('partitions') || (o.producersRf3 && o.only.has('producers'))) await clusterPhase(t, dir);
    if (o.only.has('restart')) t.rows.push(...(await measureRestart(tool, o, dir, log)));
    const header = [
      `machine: ${availableParallelism()} x ${cpus()[0]?.model ?? 'unknown'}, ` +
        `${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; ` +
        `load average before ${loadBefore}, after ${loadAverages()}`,
      `method: librdkafka (rdkafka-tool), ${o.recordBytes} B records, linger.ms=5, batch.size=1000000, ` +
        `produce runs of ${o.seconds} s, one run per target (order alternating), each party its own process; ` +
        `RSS is VmRSS after ${idleSettleMs / 1000} s idle`,
    ];
    process.stdout.write(formatScaleReport(header, t.rows));
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
