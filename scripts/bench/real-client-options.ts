/**
 * Command-line options of `npm run bench -- --real-client`
 * (scripts/bench/real-client.ts). Bad input is the user's mistake, reported
 * as a message plus the help text.
 */
import { parseArgs } from 'node:util';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export const workloads = ['produce-rf1', 'produce-rf3', 'consume-rf1', 'consume-rf3', 'latency-rf3'] as const;
export type Workload = (typeof workloads)[number];

export interface RealClientOptions {
  runs: number;
  /** Records per produce run; the cap of a consume run. */
  records: number;
  /** When set, a produce run stops after this many seconds instead (or at `records`, whichever is first). */
  seconds: number | null;
  /** Measured seconds of each latency run (after one warm-up second). */
  latencySeconds: number;
  rateMb: number;
  recordBytes: number;
  partitions: number;
  diskMib: number;
  only: ReadonlySet<Workload>;
  /** Where the brokers write `node --cpu-prof` profiles (one directory per broker process); null for none. */
  profileDir: string | null;
  help: boolean;
}

export const realClientHelp = `Usage: npm run bench -- --real-client [options]

Drives Runnel with librdkafka (scripts/bench/rdkafka-tool.c, built with gcc
against the system's librdkafka-dev) and drives librdkafka's in-memory mock
cluster with the same generator in the same run, each in its own process,
runs alternating (ABBA), medians reported. One producer, 4 partitions,
uncompressed 1 KiB records, linger.ms=5, batch.size=1000000, acks=1 at RF=1
and acks=all at RF=3 (3 broker processes + 1 controller,
min.insync.replicas=2; the mock with 3 brokers). Prints a table with the
ratio to the mock and to the loopback TCP and disk ceilings measured in the
same run, and the brokers' CPU per record by thread.

Workloads (--only takes a comma separated list of these):
  produce-rf1   produce, RF=1 acks=1 (runnel dev)
  produce-rf3   produce, RF=3 acks=all
  consume-rf1   librdkafka consumer reading the RF=1 topic from the start
  consume-rf3   the same on the RF=3 topic (both from the page cache; the
                mock keeps only the last few MB of a partition, so it has
                no consume number)
  latency-rf3   RF=3 acks=all at a fixed offered rate: delivery report time
                minus produce call time, p50/p99/p99.9

Options:
  --runs <n>            runs per workload and target                        [3]
  --records <n>         records per produce run; the cap of a consume run   [500000]
  --seconds <n>         produce runs stop after this many seconds instead
                        (or at --records, whichever comes first)
  --latency-seconds <n> measured seconds per latency run (+1 s warm-up)     [10]
  --rate-mb <n>         offered MB/s of the latency runs                    [20]
  --record-bytes <n>    value size of each record (keys are null)           [1024]
  --partitions <n>      partitions per topic                                [4]
  --disk-mib <n>        size of the file for the disk ceiling               [512]
  --only <list>         run only these workloads                            [all]
  --profile-dir <dir>   the brokers run under node --cpu-prof and write their
                        profiles to <dir>/dev (RF=1) and <dir>/broker-<id>
                        (RF=3); profiling slows them: not for the recorded
                        numbers
  -h, --help            this text
`;

function positive(name: string, raw: string, integer: boolean): Result<number, 'bad_option'> {
  const n = Number(raw);
  const fits = Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n));
  return fits ? ok(n) : err('bad_option', `--${name} wants a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
}

function isWorkload(name: string): name is Workload {
  return (workloads as readonly string[]).includes(name);
}

export function parseRealClientOptions(argv: readonly string[]): Result<RealClientOptions, 'bad_option'> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return err('bad_option', e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values;
  const numbers: Record<string, number> = {};
  const specs: [string, string | undefined, boolean][] = [
    ['runs', v.runs, true],
    ['records', v.records, true],
    ['seconds', v.seconds, false],
    ['latency-seconds', v['latency-seconds'], false],
    ['rate-mb', v['rate-mb'], false],
    ['record-bytes', v['record-bytes'], true],
    ['partitions', v.partitions, true],
    ['disk-mib', v['disk-mib'], true],
  ];
  for (const [name, raw, integer] of specs) {
    if (raw === undefined) continue;
    const n = positive(name, raw, integer);
    if (!n.ok) return n;
    numbers[name] = n.value;
  }
  const only = new Set<Workload>();
  for (const raw of (v.only ?? workloads.join(',')).split(',')) {
    const name = raw.trim();
    if (!isWorkload(name)) return err('bad_option', `--only: unknown workload "${name}" (${workloads.join(', ')})`);
    only.add(name);
  }
  const get = (name: string): number => numbers[name] ?? 0;
  return ok({
    runs: get('runs'),
    records: get('records'),
    seconds: numbers.seconds ?? null,
    latencySeconds: get('latency-seconds'),
    rateMb: get('rate-mb'),
    recordBytes: get('record-bytes'),
    partitions: get('partitions'),
    diskMib: get('disk-mib'),
    only,
    profileDir: v['profile-dir'] ?? null,
    help: v.help,
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'real-client': { type: 'boolean', default: true },
      runs: { type: 'string', default: '3' },
      records: { type: 'string', default: '500000' },
      seconds: { type: 'string' },
      'latency-seconds': { type: 'string', default: '10' },
      'rate-mb': { type: 'string', default: '20' },
      'record-bytes': { type: 'string', default: '1024' },
      partitions: { type: 'string', default: '4' },
      'disk-mib': { type: 'string', default: '512' },
      only: { type: 'string' },
      'profile-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
