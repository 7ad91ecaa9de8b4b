/**
 * `npm run bench:registry`: the Schema Registry on one `runnel gateway`
 * process, driven over HTTP by keep-alive clients in this process, in front
 * of `runnel dev --no-gateway` (broker and controller in one process).
 * --profile DIR writes and summarises the measured gateway's CPU profile.
 *
 * - registrations: --writers concurrent clients register --registrations
 *   distinct Avro schemas (one subject each); registrations per second and
 *   latency p50/p99/max.
 * - reads: --readers concurrent clients ask GET /schemas/ids/{id} (ids the
 *   gateway knows: no read barrier) for --seconds; requests per second and
 *   p50/p99. Then the same for GET /subjects/{s}/versions/latest, which
 *   passes the read barrier (a ListOffsets per batch of reads).
 * - forwarded registrations: a second gateway process (not the writer)
 *   takes the same kind of registrations and forwards them.
 * - cold start: --cold-schemas SCHEMA records written straight into a
 *   fresh `_schemas`-format topic, then a fresh `runnel gateway` reading it:
 *   milliseconds from spawn to /readyz 200.
 *
 *   node scripts/bench-registry.ts [--registrations 5000] [--writers 16] [--readers 32]
 *                                  [--seconds 5] [--cold-schemas 100000] [--profile DIR]
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs, promisify } from 'node:util';
import { KafkaClient } from '@runnel/client';
import { serverNodeFlags } from '../packages/cli/src/server-node-flags.ts';
import { jsonField, NodeChild } from './bench/child-process.ts';
import { formatProfileSummary, monotonicUs, summariseCpuProfile, type TimeWindow } from './bench/cpu-profile.ts';

const cliMain = resolve(import.meta.dirname, '../packages/cli/src/main.ts');
const contentType = 'application/vnd.schemaregistry.v1+json';
const execFileAsync = promisify(execFile);

const { values } = parseArgs({
  options: {
    registrations: { type: 'string', default: '5000' },
    writers: { type: 'string', default: '16' },
    readers: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '5' },
    'cold-schemas': { type: 'string', default: '100000' },
    profile: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'Usage: npm run bench:registry -- [--registrations N] [--writers N] [--readers N] [--seconds S] [--cold-schemas N]\n' +
      'Registrations/s and p50/p99, cached reads/s, barrier reads/s, forwarded registrations, cold start.\n' +
      'Method and results: BENCHMARKS.md ("Schema Registry").\n',
  );
  process.exit(0);
}
const registrations = Number(values.registrations);
const writers = Number(values.writers);
const readers = Number(values.readers);
const seconds = Number(values.seconds);
const coldSchemas = Number(values['cold-schemas']);
/** Where `runnel dev` writes a .cpuprofile on exit (summarised after the run), or none. */
const profileDir = values.profile;
/** The measured phases on V8's clock, so the profile is summarised per phase. */
const phases = new Map<string, TimeWindow>();

async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const startUs = monotonicUs();
  try {
    return await work();
  } finally {
    phases.set(name, { startUs, endUs: monotonicUs() });
  }
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function call(port: number, method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: body === undefined ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function schema(n: number, tag: string): string {
  return JSON.stringify({
    schema: JSON.stringify({
      type: 'record',
      name: `R${n}`,
      namespace: `bench.${tag}`,
      fields: [
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string' },
        { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
      ],
    }),
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function latencyLine(label: string, count: number, elapsedMs: number, latencies: number[]): string {
  const sorted = latencies.sort((a, b) => a - b);
  const rate = (count / elapsedMs) * 1000;
  return `${label.padEnd(34)} ${rate.toFixed(0).padStart(7)}/s   p50 ${quantile(sorted, 0.5).toFixed(2)} ms   p99 ${quantile(sorted, 0.99).toFixed(2)} ms   max ${(sorted.at(-1) ?? 0).toFixed(2)} ms`;
}

/** `workers` loops sharing `total` calls of `one(i)`; the latency of each. */
async function closedLoop(
  workers: number,
  total: number,
  one: (i: number) => Promise<void>,
): Promise<{ elapsedMs: number; latencies: number[] }> {
  let next = 0;
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await one(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { elapsedMs: performance.now() - start, latencies };
}

/** `workers` loops calling `one()` for `ms`. */
async function timedLoop(workers: number, ms: number, one: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  const start = performance.now();
  const end = start + ms;
  let count = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await one(count++);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { elapsedMs: performance.now() - start, latencies };
}

/**
 * `readers` keep-alive clients asking `path(i)` for `seconds`: through wrk
 * (C, one thread) when it is installed, so the client's own cost stays
 * small next to the gateway's on a 2-core machine; else through this
 * process's http client. The line starts with READS for the caller's label.
 */
async function reads(port: number, work: string, name: string, path: (i: number) => string): Promise<string> {
  const wrk = spawnSync('wrk', ['--version']);
  if (wrk.error === undefined) {
    // wrk's Lua request() builds each request; the paths are the same as the fallback's, written out as a table.
    const paths = Array.from({ length: 200 }, (_, i) => JSON.stringify(path(i))).join(',');
    const script = join(work, `${name}.lua`);
    await writeFile(
      script,
      `local paths = {${paths}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format("GET", paths[i])\nend\n` +
        `done = function(summary, latency, requests)\n  io.write(string.format("ERRORS %d %d\\n", summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))\nend\n`,
    );
    // Not spawnSync: this process must keep reading the children's output meanwhile.
    const run = await execFileAsync('wrk', [
      '-t1',
      `-c${readers}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      `http://127.0.0.1:${port}`,
    ]);
    const out = run.stdout;
    const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    const errors = /ERRORS (\d+) (\d+)/.exec(out);
    if (errors === null || errors[1] !== '0' || errors[2] !== '0' || !Number.isFinite(rate)) {
      throw new Error(`wrk: bad answers or no result:\n${out}\n${run.stderr}`);
    }
    const at = (q: string) =>
      /* wrk prints e.g. "99%   12.34ms" */ toMs(new RegExp(`\\s${q}%\\s+([\\d.]+)(us|ms|s)`).exec(out));
    return `${'READS'.padEnd(34)} ${rate.toFixed(0).padStart(7)}/s   p50 ${at('50').toFixed(2)} ms   p99 ${at('99').toFixed(2)} ms   (wrk)`;
  }
  const result = await timedLoop(readers, seconds * 1000, async (i) => {
    const answer = await call(port, 'GET', path(i));
    if (answer.status !== 200) throw new Error(`read: ${answer.status} ${answer.text}`);
  });
  return latencyLine('READS', result.latencies.length, result.elapsedMs, result.latencies);
}

function toMs(match: RegExpExecArray | null): number {
  if (match === null) return Number.NaN;
  const value = Number(match[1]);
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value;
}

async function registerAll(port: number, tag: string, count: number): Promise<string> {
  const { elapsedMs, latencies } = await closedLoop(writers, count, async (i) => {
    const answer = await call(port, 'POST', `/subjects/${tag}-${i}/versions`, schema(i, tag));
    if (answer.status !== 200) throw new Error(`register ${i}: ${answer.status} ${answer.text}`);
  });
  return latencyLine(`registrations (${writers} clients)`, count, elapsedMs, latencies);
}

/** `runnel dev` without its gateway: the broker and controller the gateways under test use. */
function startDev(dataDir: string, logPath: string) {
  return NodeChild.start(
    [...serverNodeFlags, cliMain, 'dev', '--data-dir', dataDir, '--port', '0', '--http-port', '0', '--no-gateway'],
    {
      logPath,
      timeoutMs: 60_000,
      isReady: (line) => {
        if (jsonField(line, 'msg') !== 'broker started') return undefined;
        const port = jsonField(line, 'port');
        return typeof port === 'number' ? `127.0.0.1:${port}` : undefined;
      },
    },
  );
}

function startGateway(bootstrap: string, logPath: string, extraArgs: readonly string[] = [], profile = false) {
  const prof = profile && profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return NodeChild.start(
    [
      ...serverNodeFlags,
      ...prof,
      cliMain,
      'gateway',
      '--bootstrap',
      bootstrap,
      '--registry-port',
      '0',
      '--rest-port',
      '0',
      ...extraArgs,
    ],
    {
      logPath,
      timeoutMs: 60_000,
      isReady: (line) => {
        if (jsonField(line, 'msg') !== 'gateway listening') return undefined;
        const port = jsonField(line, 'registryPort');
        return typeof port === 'number' ? port : undefined;
      },
    },
  );
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await call(port, 'GET', '/readyz').catch(() => ({ status: 0, text: '' }));
    if (answer.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`gateway on ${port} not ready within 60 s: ${answer.status} ${answer.text}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Writes `count` SCHEMA records in Confluent's key/value format, 1,000 per batch. */
async function fillSchemasTopic(bootstrap: string, topic: string, count: number): Promise<void> {
  const client = await KafkaClient.connect({ bootstrap });
  try {
    await client.createTopics([
      { name: topic, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    for (let base = 0; base < count; base += 1000) {
      const records = [];
      for (let i = base; i < Math.min(count, base + 1000); i++) {
        const subject = `cold-${i}`;
        records.push({
          key: Buffer.from(JSON.stringify({ keytype: 'SCHEMA', subject, version: 1, magic: 1 })),
          value: Buffer.from(
            JSON.stringify({
              subject,
              version: 1,
              id: i + 1,
              schema: JSON.parse(schema(i, 'cold')).schema,
              deleted: false,
            }),
          ),
        });
      }
      await client.produce(topic, 0, records, { acks: -1 });
    }
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'bench-registry-'));
  process.stdout.write(
    `machine: ${cpus()[0]?.model ?? 'unknown'}, ${availableParallelism()} cores, load ${loadavg()[0]?.toFixed(2)}; node ${process.version}\n`,
  );
  const dev = await startDev(join(work, 'data'), join(work, 'dev.log'));
  const children: NodeChild<unknown>[] = [dev];
  try {
    const bootstrap = dev.ready;
    const gateway = await startGateway(bootstrap, join(work, 'gateway-1.log'), [], true);
    children.push(gateway);
    const port = gateway.ready;
    await waitReady(port);
    // Warm up (the election, JIT) with a few registrations not counted.
    await closedLoop(4, 200, async (i) => {
      await call(port, 'POST', `/subjects/warm-${i}/versions`, schema(i, 'warm'));
    });
    process.stdout.write(`${await phase('registrations', () => registerAll(port, 'reg', registrations))}\n`);

    const ids = 200;
    const cached = await phase('cached reads', () =>
      reads(port, work, 'cached', (i) => `/schemas/ids/${(i % ids) + 1}`),
    );
    process.stdout.write(`${cached.replace('READS', `GET /schemas/ids/{id} (${readers} clients)`)}\n`);
    const barrier = await phase('barrier reads', () =>
      reads(port, work, 'barrier', (i) => `/subjects/reg-${i % 100}/versions/latest`),
    );
    process.stdout.write(`${barrier.replace('READS', `GET .../versions/latest (${readers} clients)`)}\n`);

    const second = await startGateway(bootstrap, join(work, 'gateway-2.log'), [], true);
    children.push(second);
    await waitReady(second.ready);
    // Its first writes wait for it to join the writer group (a rebalance): warm up past that, as for the first.
    await closedLoop(4, 100, async (i) => {
      await call(second.ready, 'POST', `/subjects/warm-fwd-${i}/versions`, schema(i, 'warmfwd'));
    });
    process.stdout.write(
      `${(await phase('forwarded registrations', () => registerAll(second.ready, 'fwd', Math.min(registrations, 2000)))).replace('registrations', 'forwarded registrations')}\n`,
    );

    if (coldSchemas > 0) {
      const topic = '_cold_schemas';
      await fillSchemasTopic(bootstrap, topic, coldSchemas);
      const t = performance.now();
      const cold = await startGateway(bootstrap, join(work, 'gateway-cold.log'), ['--registry-topic', topic]);
      children.push(cold);
      await waitReady(cold.ready);
      const ms = performance.now() - t;
      const check = await call(cold.ready, 'GET', `/schemas/ids/${coldSchemas}`);
      if (check.status !== 200) throw new Error(`cold gateway lacks id ${coldSchemas}: ${check.text}`);
      process.stdout.write(
        `${`cold start, ${coldSchemas} schemas`.padEnd(35)}${ms.toFixed(0)} ms from spawn to /readyz 200\n`,
      );
    }
  } finally {
    for (const child of children.reverse()) await child.stop();
    agent.destroy();
    if (profileDir !== undefined) {
      for (const file of (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'))) {
        for (const [name, window] of phases) {
          const summary = summariseCpuProfile(join(profileDir, file), 25, [window]);
          if (summary.totalMs === 0) continue;
          process.stdout.write(`\n${formatProfileSummary(`gateway pid ${file.split('.')[3]}, ${name}`, summary)}\n`);
        }
      }
    }
    await rm(work, { recursive: true, force: true });
  }
}

await main();
