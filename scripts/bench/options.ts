/**
 * Command-line options of `npm run bench` (scripts/bench.ts). Bad input is
 * the user's mistake, reported as a message plus the help text.
 */
import { parseArgs } from 'node:util';
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';

export interface BenchOptions {
  durationSec: number;
  batchKib: number[];
  partitions: number;
  connections: number;
  inflight: number;
  fetchKib: number;
  recordBytes: number;
  diskMib: number;
  profile: boolean;
  keepData: boolean;
  help: boolean;
}

export const benchHelp = `Usage: npm run bench -- [options]     (or: node scripts/bench.ts [options])

Measures produce and consume throughput of one Runnel broker (runnel dev,
a separate process, RF=1, acks=1, uncompressed 1 KiB records), the same
load generator against a null sink, and the machine's ceilings (loopback
TCP between two processes, sequential disk I/O in the data dir). Prints a
table; logs, results.json and profiles go to .bench/<time>/.

With --real-client it measures instead with a real client: librdkafka
against Runnel (RF=1 and RF=3 acks=all, produce, consume, delivery latency
at a fixed rate) and against librdkafka's in-memory mock cluster in the same
run; its options: npm run bench -- --real-client --help

With --scale it measures Runnel at scale with librdkafka, the mock cluster
in the same run: RSS and throughput with 1,000 partitions, 4 to 50
producers keyed and unkeyed, consumer fan-out to 20 groups, restart time of
a broker holding 10 GiB; its options: npm run bench -- --scale --help

Options:
  --duration-sec <n>    seconds per measurement (each of produce, consume,
                        null-sink produce, null-sink consume, per batch size)  [8]
  --batch-kib <list>    record batch sizes in KiB, comma separated; one batch
                        per partition per Produce request                      [16,64,256,1024]
  --partitions <n>      partitions per topic; requests take them in turn       [4]
  --connections <n>     load-generator connections                             [2]
  --inflight <n>        requests kept outstanding on each connection           [8]
  --fetch-kib <n>       bytes asked for per Fetch (whole batches, at least one)[4096]
  --record-bytes <n>    value size of each record (keys are null)              [1024]
  --disk-mib <n>        size of the file for the disk ceiling                  [1024]
  --profile             run the broker under node --cpu-prof (one profile for
                        the produce phase, one for consume) and print the top
                        25 functions by self time for each
  --keep-data           keep the broker's temporary data dir
  --real-client         the librdkafka benchmark instead (options of its own:
                        npm run bench -- --real-client --help)
  --scale               the scale benchmark instead (options of its own:
                        npm run bench -- --scale --help)
  -h, --help            this text
`;

function positiveInt(name: string, raw: string): Result<number, 'bad_option'> {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? ok(n) : err('bad_option', `--${name} wants a positive integer, got "${raw}"`);
}

export function parseBenchOptions(argv: readonly string[]): Result<BenchOptions, 'bad_option'> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return err('bad_option', e instanceof Error ? e.message : String(e));
  }
  const v = parsed.values;
  const ints: Record<string, string> = {
    'duration-sec': v['duration-sec'],
    partitions: v.partitions,
    connections: v.connections,
    inflight: v.inflight,
    'fetch-kib': v['fetch-kib'],
    'record-bytes': v['record-bytes'],
    'disk-mib': v['disk-mib'],
  };
  const numbers: Record<string, number> = {};
  for (const [name, raw] of Object.entries(ints)) {
    const n = positiveInt(name, raw);
    if (!n.ok) return n;
    numbers[name] = n.value;
  }
  const batchKib: number[] = [];
  for (const raw of v['batch-kib'].split(',')) {
    const n = positiveInt('batch-kib', raw.trim());
    if (!n.ok) return n;
    batchKib.push(n.value);
  }
  const get = (name: string): number => numbers[name] ?? 0;
  return ok({
    durationSec: get('duration-sec'),
    batchKib,
    partitions: get('partitions'),
    connections: get('connections'),
    inflight: get('inflight'),
    fetchKib: get('fetch-kib'),
    recordBytes: get('record-bytes'),
    diskMib: get('disk-mib'),
    profile: v.profile,
    keepData: v['keep-data'],
    help: v.help,
  });
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'duration-sec': { type: 'string', default: '8' },
      'batch-kib': { type: 'string', default: '16,64,256,1024' },
      partitions: { type: 'string', default: '4' },
      connections: { type: 'string', default: '2' },
      inflight: { type: 'string', default: '8' },
      'fetch-kib': { type: 'string', default: '4096' },
      'record-bytes': { type: 'string', default: '1024' },
      'disk-mib': { type: 'string', default: '1024' },
      profile: { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
