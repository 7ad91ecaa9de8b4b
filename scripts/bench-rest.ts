/**
 * `npm run bench:rest`: the gateway's REST Proxy throughput. One `runnel
 * gateway` process in front of `runnel dev --no-gateway` (broker and
 * controller in one process); the load comes from this process.
 *
 * - v3 streamed produce: one POST with Transfer-Encoding: chunked carrying
 *   --records records of --value-bytes bytes (BINARY, no key) to a topic of
 *   --partitions partitions; records/s from the first byte sent to the last
 *   report read, and a check that every report is a success in order.
 * - v3 single-record produce: --concurrency keep-alive clients each POST one
 *   record per request for --seconds; requests/s and p50/p99.
 * - v3 consume (Runnel's addition): JSON lines of the records the streamed
 *   produce wrote, --consume-batch per request; records/s.
 * - v2 consume: a Confluent v2 consumer instance (binary format) subscribed
 *   to the topic, GET .../records until it has read what the streamed
 *   produce wrote; records/s. Skipped with a line saying so when the
 *   gateway answers 404 for consumer instances.
 *
 *   node scripts/bench-rest.ts [--records 200000] [--value-bytes 100] [--partitions 3]
 *                              [--concurrency 32] [--seconds 5] [--consume-batch 10000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { KafkaClient } from '@runnel/client';
import { serverNodeFlags } from '../packages/cli/src/server-node-flags.ts';
import { jsonField, NodeChild } from './bench/child-process.ts';
import { streamProduce } from './bench/rest-stream.ts';

const cliMain = resolve(import.meta.dirname, '../packages/cli/src/main.ts');

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    'value-bytes': { type: 'string', default: '100' },
    partitions: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    'consume-batch': { type: 'string', default: '10000' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run bench:rest -- [--records N] [--value-bytes B] [--partitions P] [--concurrency C] [--seconds S] [--consume-batch N]\n' +
      'v3 streamed produce records/s, v3 single-record produce requests/s, v3 and v2 consume records/s.\n' +
      'Method and results: BENCHMARKS.md ("REST Proxy").\n',
  );
  process.exit(0);
}
const recordCount = Number(values.records);
const valueBytes = Number(values['value-bytes']);
const partitions = Number(values.partitions);
const concurrency = Number(values.concurrency);
const seconds = Number(values.seconds);
const consumeBatch = Number(values['consume-batch']);

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

interface Answer {
  status: number;
  text: string;
}

function call(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const all: Record<string, string | number> = { ...headers };
    if (body !== undefined) all['content-length'] = Buffer.byteLength(body);
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: all }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function rateLine(label: string, count: number, ms: number, extra = ''): string {
  return `${label.padEnd(46)} ${((count / ms) * 1000).toFixed(0).padStart(8)} records/s   (${count} in ${(ms / 1000).toFixed(2)} s)${extra}`;
}

async function streamedProduce(port: number, path: string): Promise<string> {
  const value = JSON.stringify({ value: { type: 'BINARY', data: Buffer.alloc(valueBytes, 'r').toString('base64') } });
  function* body(): Generator<string> {
    for (let i = 0; i < recordCount; i++) yield value;
  }
  const last = new Map<number, number>();
  let ok = 0;
  let inOrder = true;
  const start = performance.now();
  await streamProduce(`http://127.0.0.1:${port}${path}`, body(), {
    keep: false,
    onReport: (report) => {
      if (report.error_code !== 200) return;
      ok++;
      const partition = report.partition_id as number;
      if ((report.offset as number) <= (last.get(partition) ?? -1)) inOrder = false;
      last.set(partition, report.offset as number);
    },
  });
  const ms = performance.now() - start;
  if (ok !== recordCount || !inOrder)
    throw new Error(`streamed produce: ${ok} of ${recordCount} ok, in order: ${inOrder}`);
  const mb = (recordCount * valueBytes) / ms / 1000;
  return rateLine(
    `v3 streamed produce (1 request, ${valueBytes} B values)`,
    recordCount,
    ms,
    `, ${mb.toFixed(1)} MB/s of values`,
  );
}

async function singleProduce(port: number, path: string): Promise<string> {
  const body = JSON.stringify({ value: { type: 'BINARY', data: Buffer.alloc(valueBytes, 's').toString('base64') } });
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const answer = await call(port, 'POST', path, body, { 'content-type': 'application/json' });
        if (answer.status !== 200) throw new Error(`single produce: ${answer.status} ${answer.text}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const ms = performance.now() - start;
  const sorted = latencies.sort((a, b) => a - b);
  return `${`v3 single-record produce (${concurrency} clients)`.padEnd(46)} ${((latencies.length / ms) * 1000).toFixed(0).padStart(8)} requests/s  p50 ${quantile(sorted, 0.5).toFixed(2)} ms  p99 ${quantile(sorted, 0.99).toFixed(2)} ms`;
}

async function v3Consume(port: number, base: string, ends: readonly bigint[]): Promise<string> {
  let count = 0;
  const start = performance.now();
  for (const [partition, end] of ends.entries()) {
    let offset = 0n;
    while (offset < end) {
      const answer = await call(
        port,
        'GET',
        `${base}/partitions/${partition}/records?offset=${offset}&max_records=${consumeBatch}&max_bytes=67108864`,
      );
      if (answer.status !== 200) throw new Error(`v3 consume: ${answer.status} ${answer.text}`);
      const lines = answer.text.split('\n').filter(Boolean);
      if (lines.length === 0) throw new Error(`v3 consume: nothing at ${partition}/${offset} below ${end}`);
      count += lines.length;
      offset = BigInt((JSON.parse(lines.at(-1) ?? '{}') as { offset: number }).offset) + 1n;
    }
  }
  return rateLine(`v3 consume, JSON lines (${consumeBatch} per request)`, count, performance.now() - start);
}

async function v2Consume(port: number, topic: string, total: number): Promise<string> {
  const v2 = 'application/vnd.kafka.v2+json';
  const group = `bench-${process.pid}`;
  const created = await call(
    port,
    'POST',
    `/consumers/${group}`,
    JSON.stringify({ name: 'c1', format: 'binary', 'auto.offset.reset': 'earliest' }),
    { 'content-type': v2 },
  );
  if (created.status === 404)
    return `${'v2 consume'.padEnd(46)} skipped: this gateway answers 404 for POST /consumers/{group} (no v2 consumer instances)`;
  if (created.status !== 200) throw new Error(`v2 create consumer: ${created.status} ${created.text}`);
  const instance = `/consumers/${group}/instances/c1`;
  try {
    const subscribed = await call(port, 'POST', `${instance}/subscription`, JSON.stringify({ topics: [topic] }), {
      'content-type': v2,
    });
    if (subscribed.status >= 300) throw new Error(`v2 subscribe: ${subscribed.status} ${subscribed.text}`);
    let count = 0;
    let start = 0;
    let progressMs = performance.now();
    while (count < total) {
      if (performance.now() - progressMs > 30_000) throw new Error(`v2 consume: stuck at ${count} of ${total} records`);
      const answer = await call(port, 'GET', `${instance}/records?timeout=1000&max_bytes=67108864`, undefined, {
        accept: 'application/vnd.kafka.binary.v2+json',
      });
      if (answer.status !== 200) throw new Error(`v2 records: ${answer.status} ${answer.text}`);
      const records = JSON.parse(answer.text) as unknown[];
      // The clock starts at the first records: joining the group is not throughput.
      if (start === 0 && records.length > 0) start = performance.now();
      count += records.length;
      if (records.length > 0) progressMs = performance.now();
    }
    return rateLine('v2 consume (binary, one instance)', count, performance.now() - start);
  } finally {
    await call(port, 'DELETE', instance, undefined, { 'content-type': v2 }).catch(() => undefined);
  }
}

async function main(): Promise<void> {
  process.stdout.write(
    `machine: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)}; node ${process.version}\n`,
  );
  const work = await mkdtemp(join(tmpdir(), 'runnel-bench-rest-'));
  const children: NodeChild<unknown>[] = [];
  try {
    const dev = await NodeChild.start(
      [
        ...serverNodeFlags,
        cliMain,
        'dev',
        '--data-dir',
        join(work, 'data'),
        '--port',
        '0',
        '--http-port',
        '0',
        '--no-gateway',
      ],
      {
        logPath: join(work, 'dev.log'),
        timeoutMs: 60_000,
        isReady: (line) => {
          if (jsonField(line, 'msg') !== 'broker started') return undefined;
          const port = jsonField(line, 'port');
          return typeof port === 'number' ? `127.0.0.1:${port}` : undefined;
        },
      },
    );
    children.push(dev);
    const gateway = await NodeChild.start(
      [...serverNodeFlags, cliMain, 'gateway', '--bootstrap', dev.ready, '--registry-port', '0', '--rest-port', '0'],
      {
        logPath: join(work, 'gateway.log'),
        timeoutMs: 60_000,
        isReady: (line) => {
          if (jsonField(line, 'msg') !== 'gateway listening') return undefined;
          const port = jsonField(line, 'restPort');
          return typeof port === 'number' ? port : undefined;
        },
      },
    );
    children.push(gateway);
    const port = gateway.ready;
    for (let ready = false; !ready; ) {
      ready = (await call(port, 'GET', '/readyz').catch(() => ({ status: 0 }))).status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    const client = await KafkaClient.connect({ bootstrap: dev.ready });
    const topic = 'bench-rest';
    try {
      await client.createTopics([{ name: topic, numPartitions: partitions, replicationFactor: 1 }]);
      const clusterId = (await client.metadata([topic])).clusterId ?? '';
      const base = `/v3/clusters/${clusterId}/topics/${topic}`;
      process.stdout.write(`${await streamedProduce(port, `${base}/records`)}\n`);
      const ends = await Promise.all(
        Array.from({ length: partitions }, async (_, p) => (await client.listOffsets(topic, p, -1n)).offset),
      );
      process.stdout.write(`${await v3Consume(port, base, ends)}\n`);
      process.stdout.write(`${await v2Consume(port, topic, recordCount)}\n`);
      process.stdout.write(`${await singleProduce(port, `${base}/records`)}\n`);
    } finally {
      client.close();
    }
  } finally {
    for (const child of children.reverse()) await child.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
