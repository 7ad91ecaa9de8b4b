/**
 * Command-line options of `npm run bench -- --scale` (scripts/bench/scale.ts).
 * Bad input is the user's mistake, reported as a message plus the help text.
 */
import { parseArgs } from 'node:util';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export const scaleSections = ['partitions', 'producers', 'fanout', 'restart'] as const;
export type ScaleSection = (typeof scaleSections)[number];

export interface ScaleOptions {
  /** Partitions of the many-partition topic (section 1). */
  partitionCount: number;
  /** Partitions of the topics of sections 2 and 3, and the few-partition side of section 1. */
  partitions: number;
  producerCounts: number[];
  consumers: number;
  /** Seconds of each produce run. */
  seconds: number;
  recordBytes: number;
  /** Records written for the fan-out read (the cap of each consumer's read). */
  fanoutRecords: number;
  restartGib: number;
  /** Also measure the producer counts against the 3-broker cluster, RF=3 acks=all. */
  producersRf3: boolean;
  only: ReadonlySet<ScaleSection>;
  help: boolean;
}

export const scaleHelp = `Usage: npm run bench -- --scale [options]

Runnel at scale, driven by librdkafka (scripts/bench/rdkafka-tool.c and
rdkafka-load.c, built with gcc against the system's librdkafka-dev), with
librdkafka's in-memory mock cluster driven the same way in the same run
wherever it has a comparable number (throughput). Each party is its own
process. Prints one table; the load average (1 min) is on every row.

Sections (--only takes a comma separated list of these):
  partitions  RSS (VmRSS) of runnel dev idle with one topic of
              --partition-count partitions (target <= 300 MiB), and of each
              broker of a 3-broker cluster (1 controller) holding an RF=3
              topic of that many partitions; then one producer's throughput
              over those partitions against over --partitions, and the RSS
              after
  producers   aggregate produce MB/s of --producer-counts producers (one
              process, one librdkafka handle and thread each), unkeyed
              (partitions in turn) and keyed (100,000 keys, librdkafka's
              partitioner), RF=1 acks=1; the first count's rate over the
              last's (target <= 1.5)
  fanout      --consumers consumers, each the only member of its own group,
              reading the same topic from the start at once (page cache),
              against one consumer alone: aggregate and per-consumer MB/s
  restart     writes --restart-gib GiB into runnel dev, kills it (kill -9),
              and times a restart (spawn to Metadata with every partition
              led); then stops it cleanly (SIGTERM) and times another

Options:
  --partition-count <n>  partitions of the many-partition topic          [1000]
  --partitions <n>       partitions of the other topics                  [4]
  --producer-counts <l>  comma separated producer counts                 [4,16,50]
  --producers-rf3        also run the producer counts at RF=3 acks=all
                         against the 3-broker cluster (and a 3-broker mock)
  --consumers <n>        consumers of the fan-out                        [20]
  --fanout-records <n>   records written for the fan-out                 [500000]
  --seconds <n>          seconds of each produce run                     [5]
  --record-bytes <n>     value size of each record                       [1024]
  --restart-gib <n>      GiB of log the restarted broker holds (check df
                         first: the data dir is under the temp dir)      [10]
  --only <list>          run only these sections                         [all]
  -h, --help             this text

Every produce run uses linger.ms=5 and batch.size=1000000; the producer
process's local queue (1,000,000 messages) is split between its producers.
`;

function positive(name: string, raw: string, integer: boolean): Result<number, 'bad_option'> {
  const n = Number(raw);
  const fits = Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n));
  return fits ? ok(n) : err('bad_option', `--${name} wants a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
}

function isSection(name: string): name is ScaleSection {
  return (scaleSections as readonly string[]).includes(name);
}

export function parseScaleOptions(argv: readonly string[]): Result<ScaleOptions, 'bad_option'> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return err('bad_option', e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values;
  const numbers: Record<string, number> = {};
  const specs: [string, string, boolean][] = [
    ['partition-count', v['partition-count'], true],
    ['partitions', v.partitions, true],
    ['consumers', v.consumers, true],
    ['fanout-records', v['fanout-records'], true],
    ['seconds', v.seconds, false],
    ['record-bytes', v['record-bytes'], true],
    ['restart-gib', v['restart-gib'], false],
  ];
  for (const [name, raw, integer] of specs) {
    const n = positive(name, raw, integer);
    if (!n.ok) return n;
    numbers[name] = n.value;
  }
  const producerCounts: number[] = [];
  for (const raw of v['producer-counts'].split(',')) {
    const n = positive('producer-counts', raw.trim(), true);
    if (!n.ok) return n;
    producerCounts.push(n.value);
  }
  const only = new Set<ScaleSection>();
  for (const raw of (v.only ?? scaleSections.join(',')).split(',')) {
    const name = raw.trim();
    if (!isSection(name)) return err('bad_option', `--only: unknown section "${name}" (${scaleSections.join(', ')})`);
    only.add(name);
  }
  const get = (name: string): number => numbers[name] ?? 0;
  return ok({
    partitionCount: get('partition-count'),
    partitions: get('partitions'),
    producerCounts,
    consumers: get('consumers'),
    seconds: get('seconds'),
    recordBytes: get('record-bytes'),
    fanoutRecords: get('fanout-records'),
    restartGib: get('restart-gib'),
    producersRf3: v['producers-rf3'],
    only,
    help: v.help,
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      scale: { type: 'boolean', default: true },
      'partition-count': { type: 'string', default: '1000' },
      partitions: { type: 'string', default: '4' },
      'producer-counts': { type: 'string', default: '4,16,50' },
      'producers-rf3': { type: 'boolean', default: false },
      consumers: { type: 'string', default: '20' },
      'fanout-records': { type: 'string', default: '500000' },
      seconds: { type: 'string', default: '5' },
      'record-bytes': { type: 'string', default: '1024' },
      'restart-gib': { type: 'string', default: '10' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
