/**
 * The restart section of `npm run bench -- --scale`: fills one `runnel dev`
 * with --restart-gib GiB of log as fast as librdkafka can write it (four
 * producers, 64 KiB records), kills it with SIGKILL, and times a restart:
 * from spawning the process to a Metadata answer with every partition led.
 * Then stops that broker with SIGTERM (clean shutdown) and times another.
 * After each restart the partitions' log end offsets must add up to the
 * records acknowledged: a restart that loses records is no result.
 */
import { readFileSync, statfsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaClient } from '@runnel/client';
import { createTopicAndWait, ensureTopics, startBroker } from './broker-process.ts';
import type { NodeChild } from './child-process.ts';
import { rssMib } from './process-memory.ts';
import { runToolJson } from './rdkafka-tool.ts';
import type { ScaleOptions } from './scale-options.ts';
import { fixed, mib, type ScaleRow, scaleRow } from './scale-report.ts';

const topic = 'scale-restart';
const fillRecordBytes = 64 * 1024;
const fillProducers = 4;
/** Free space the data dir's file system must keep beyond the log itself. */
const headroomBytes = 2 * 2 ** 30;
const idleSettleMs = 5000;

/** Sum of the partitions' log end offsets: the records the log holds (each written once, no deletes). */
async function logEnd(bootstrap: string, partitions: number): Promise<bigint> {
  const client = await KafkaClient.connect({ bootstrap, clientId: 'runnel-bench-scale' });
  try {
    let sum = 0n;
    for (let p = 0; p < partitions; p++) sum += (await client.listOffsets(topic, p, -1n)).offset;
    return sum;
  } finally {
    client.close();
  }
}

interface Timed {
  broker: NodeChild<number>;
  /** Spawn to the "broker started" line, and spawn to every partition led. */
  startedMs: number;
  ledMs: number;
  /** From the broker's own log: its first line to the last partition log opened (storage recovery included). */
  logsOpenedMs: number | null;
  /** From the broker's own log: how long its registration was refused while an older session lasted. */
  sessionWaitMs: number;
}

/** Times (ms) of the broker's JSON log lines written since `offset`, by message, first and last of each. */
function logTimes(path: string, offset: number): Map<string, { first: number; last: number }> {
  const times = new Map<string, { first: number; last: number }>();
  for (const line of readFileSync(path, 'utf8').slice(offset).split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || !('time' in parsed) || !('msg' in parsed)) continue;
    const { time, msg } = parsed;
    if (typeof time !== 'number' || typeof msg !== 'string') continue;
    const seen = times.get(msg);
    times.set(msg, { first: seen?.first ?? time, last: time });
    const any = times.get('') ?? { first: time, last: time };
    times.set('', { first: Math.min(any.first, time), last: Math.max(any.last, time) });
  }
  return times;
}

async function timedStart(dataDir: string, logPath: string, partitions: number): Promise<Timed> {
  const logOffset = statSync(logPath).size;
  const t0 = performance.now();
  const broker = await startBroker({ dataDir, partitions, logPath, cpuProfileDir: null });
  const startedMs = performance.now() - t0;
  await ensureTopics({ host: '127.0.0.1', port: broker.ready }, [topic], partitions);
  const ledMs = performance.now() - t0;
  const times = logTimes(logPath, logOffset);
  const first = times.get('')?.first;
  const opened = times.get('opened partition log')?.last;
  const refused = times.get(
    'registration refused while an earlier incarnation of this broker still has a session; retrying',
  );
  const registered = times.get('registered with the controller')?.first;
  return {
    broker,
    startedMs,
    ledMs,
    logsOpenedMs: first === undefined || opened === undefined ? null : opened - first,
    sessionWaitMs: refused === undefined || registered === undefined ? 0 : registered - refused.first,
  };
}

export async function measureRestart(
  tool: string,
  o: ScaleOptions,
  dir: string,
  log: (message: string) => void,
): Promise<ScaleRow[]> {
  const wantBytes = o.restartGib * 2 ** 30;
  const fs = statfsSync(dir);
  const freeBytes = fs.bavail * fs.bsize;
  if (freeBytes < wantBytes + headroomBytes) {
    throw new Error(`--restart-gib ${o.restartGib}: ${fixed(freeBytes / 2 ** 30)} GiB free under ${dir}`);
  }
  const section = `restart, ${o.restartGib} GiB of log`;
  const dataDir = join(dir, 'restart');
  const logPath = join(dir, 'restart.log');
  const rows: ScaleRow[] = [];
  let broker = await startBroker({ dataDir, partitions: o.partitions, logPath, cpuProfileDir: null });
  try {
    const bootstrap = `127.0.0.1:${broker.ready}`;
    await createTopicAndWait(bootstrap, topic, o.partitions, 1);
    const records = Math.ceil(wantBytes / fillRecordBytes);
    const fill = ['produce', bootstrap, topic, String(o.partitions), String(records), '0', String(fillRecordBytes)];
    const written = await runToolJson(tool, [...fill, '1', '--producers', String(fillProducers)]);
    const acked = BigInt(written.records ?? 0);
    log(`restart: wrote ${fixed((written.bytes ?? 0) / 2 ** 30, 2)} GiB at ${fixed(written.mbPerSec)} MB/s`);
    rows.push(
      scaleRow(section, `fill: ${fillProducers} producers, ${fillRecordBytes / 1024} KiB records, acks=1`, {
        runnel: `${fixed(written.mbPerSec)} MB/s`,
      }),
    );
    const pid = broker.pid;
    if (pid !== undefined) process.kill(pid, 'SIGKILL');
    await broker.stop();
    const unclean = await timedStart(dataDir, logPath, o.partitions);
    broker = unclean.broker;
    const afterUnclean = await logEnd(`127.0.0.1:${broker.ready}`, o.partitions);
    if (afterUnclean < acked) throw new Error(`after kill -9: ${afterUnclean} records, ${acked} acknowledged`);
    await sleep(idleSettleMs);
    const rss = rssMib(broker.pid);
    log(`restart after kill -9: ${fixed(unclean.ledMs / 1000, 2)} s to every partition led; RSS ${fixed(rss)} MiB`);
    const stopAt = performance.now();
    await broker.stop();
    const stopMs = performance.now() - stopAt;
    const clean = await timedStart(dataDir, logPath, o.partitions);
    broker = clean.broker;
    const afterClean = await logEnd(`127.0.0.1:${broker.ready}`, o.partitions);
    if (afterClean !== afterUnclean) throw new Error(`after SIGTERM: ${afterClean} records, before ${afterUnclean}`);
    log(`restart after SIGTERM: ${fixed(clean.ledMs / 1000, 2)} s to every partition led`);
    const seconds = (r: Timed) =>
      `${fixed(r.ledMs / 1000, 2)} s (partition logs opened ${fixed((r.logsOpenedMs ?? Number.NaN) / 1000, 2)} s ` +
      `after its first log line; registration refused ${fixed(r.sessionWaitMs / 1000, 2)} s behind the old session)`;
    rows.push(
      scaleRow(section, `restart after kill -9: spawn to every partition led`, { runnel: seconds(unclean) }),
      scaleRow(section, 'RSS idle after that restart', { runnel: mib(rss) }),
      scaleRow(section, 'clean shutdown (SIGTERM to exit)', { runnel: `${fixed(stopMs / 1000, 2)} s` }),
      scaleRow(section, 'restart after SIGTERM: spawn to every partition led', { runnel: seconds(clean) }),
    );
    return rows;
  } finally {
    await broker.stop();
  }
}
