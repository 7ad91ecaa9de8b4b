/**
 * `npm run bench:rpc`: what one replica fetch round trip costs on the wire
 * layer, Runnel's gRPC over node:http2 (ReplicaFetchClient and
 * ReplicaFetchServer, packages/rpc/src/grpc-http2.ts) against grpc-js (the
 * peer: the same .proto, messages and codec, through grpc-js's client and
 * server, as Runnel used before). The leader side runs in a child process
 * answering every fetch at once with one partition of `size` record bytes;
 * the follower side sends fetches one after another, as a follower does.
 * Prints, per size and implementation, the wall time per round trip and the
 * CPU per round trip of each side (process.cpuUsage, all threads), medians
 * of --runs runs in ABBA order. Method and results: BENCHMARKS.md.
 *
 *   node scripts/bench-rpc.ts [--sizes 100,25600,1048576] [--round-trips 3000] [--runs 3]
 */
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { Client, credentials, Server, ServerCredentials } from '@grpc/grpc-js';
import { brokerId, leaderEpoch, offset, partitionId } from '@runnel/common';
import { ReplicaFetchClient, ReplicaFetchServer } from '@runnel/rpc';
import type {
  ReplicaFetchRequestProto,
  ReplicaFetchResponseProto,
} from '../packages/rpc/src/generated/replica-fetch-proto.ts';
import { replicaFetchServiceName, rpcMethod, serviceDefinition } from '../packages/rpc/src/load-protos.ts';
import {
  replicaFetchRequestFromProto,
  replicaFetchRequestToProto,
  replicaFetchResponseToProto,
} from '../packages/rpc/src/replica-fetch-codec.ts';
import type { ReplicaFetchRequest, ReplicaFetchResponse } from '../packages/rpc/src/replica-fetch-types.ts';

type Kind = 'runnel' | 'grpc-js';
const kinds: readonly Kind[] = ['runnel', 'grpc-js'];
const topicId = '0b6f0e3a-4c1d-4e2f-9a8b-7c6d5e4f3a2b';
const messageBytesMax = 64 * 1024 * 1024;
const method = rpcMethod<ReplicaFetchRequestProto, ReplicaFetchResponseProto>(replicaFetchServiceName, 'Fetch');

const request: ReplicaFetchRequest = {
  replicaId: brokerId(2),
  brokerEpoch: 1n,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 10 * 1024 * 1024,
  partitions: [
    {
      topicId,
      partition: partitionId(0),
      fetchOffset: offset(0n),
      lastFetchedEpoch: leaderEpoch(0),
      currentLeaderEpoch: leaderEpoch(0),
      logStartOffset: offset(0n),
    },
  ],
};

function answer(records: Buffer): ReplicaFetchResponse {
  return {
    partitions: [
      {
        topicId,
        partition: partitionId(0),
        error: 'none',
        highWatermark: offset(1n),
        logStartOffset: offset(0n),
        logEndOffset: offset(2n),
        divergingEpoch: null,
        records,
      },
    ],
  };
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

/** The leader side: listens, reports its port, then answers CPU questions until killed. */
async function serve(kind: Kind, size: number): Promise<void> {
  const response = answer(Buffer.alloc(size, 7));
  let port: number;
  if (kind === 'runnel') {
    const started = await ReplicaFetchServer.start({ handler: () => Promise.resolve(response), messageBytesMax });
    if (!started.ok) throw new Error(started.message);
    port = started.value.port;
  } else {
    const server = new Server({
      'grpc.max_receive_message_length': messageBytesMax,
      'grpc.max_send_message_length': messageBytesMax,
    });
    server.addService(serviceDefinition(replicaFetchServiceName), {
      Fetch: (call: ServerDuplexStream<ReplicaFetchRequestProto, ReplicaFetchResponseProto>) => {
        call.on('data', (proto: ReplicaFetchRequestProto) => {
          const decoded = replicaFetchRequestFromProto(proto);
          if (!decoded.ok) throw new Error(decoded.message);
          call.write(replicaFetchResponseToProto(decoded.value.requestId, response));
        });
      },
    });
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
  }
  process.send?.({ port });
  process.on('message', () => process.send?.({ cpu: cpuMicros() }, () => undefined));
  process.on('disconnect', () => process.exit(0));
}

/** A follower-side fetch function for `kind` against `port`. */
function follower(kind: Kind, port: number): { fetch: () => Promise<void>; close: () => void } {
  if (kind === 'runnel') {
    const client = new ReplicaFetchClient({ address: `127.0.0.1:${port}`, messageBytesMax });
    return {
      fetch: async () => {
        const r = await client.fetch(request);
        if (!r.ok) throw new Error(`${r.error} ${r.message ?? ''}`);
      },
      close: () => client.close(),
    };
  }
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure(), {
    'grpc.max_receive_message_length': messageBytesMax,
    'grpc-node.flow_control_window': 32 * 1024 * 1024,
  });
  const stream = client.makeBidiStreamRequest(method.path, method.serializeRequest, method.deserializeResponse);
  const waiting: (() => void)[] = [];
  stream.on('data', () => waiting.shift()?.());
  // close() cancels the call, which grpc-js reports as an error.
  stream.on('error', () => undefined);
  let id = 1;
  return {
    fetch: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        stream.write(replicaFetchRequestToProto(id++, request));
      }),
    close: () => {
      stream.cancel();
      client.close();
    },
  };
}

interface Run {
  wallUs: number;
  followerCpuUs: number;
  leaderCpuUs: number;
}

async function measure(kind: Kind, size: number, roundTrips: number): Promise<Run> {
  const child = fork(import.meta.filename, ['--serve', kind, '--size', String(size)], { stdio: 'inherit' });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`leader process exited with ${code}`)));
    });
    const leaderCpu = (): Promise<number> =>
      new Promise((resolve) => {
        child.once('message', (m: { cpu: number }) => resolve(m.cpu));
        child.send('cpu');
      });
    const f = follower(kind, port);
    for (let i = 0; i < Math.min(500, roundTrips); i++) await f.fetch();
    const leader0 = await leaderCpu();
    const cpu0 = cpuMicros();
    const t0 = performance.now();
    for (let i = 0; i < roundTrips; i++) await f.fetch();
    const wallUs = ((performance.now() - t0) * 1000) / roundTrips;
    const followerCpuUs = (cpuMicros() - cpu0) / roundTrips;
    const leaderCpuUs = ((await leaderCpu()) - leader0) / roundTrips;
    f.close();
    return { wallUs, followerCpuUs, leaderCpuUs };
  } finally {
    child.kill();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100,25600,1048576' },
      'round-trips': { type: 'string', default: '3000' },
      runs: { type: 'string', default: '3' },
      serve: { type: 'string' },
      size: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: npm run bench:rpc -- [--sizes 100,25600,1048576] [--round-trips 3000] [--runs 3]\n\n' +
        "CPU and wall time per replica fetch round trip: Runnel's gRPC over node:http2 against grpc-js,\n" +
        'leader in a child process, one partition of <size> record bytes per answer, ABBA runs, medians.\n',
    );
    return;
  }
  if (values.serve !== undefined) return serve(values.serve as Kind, Number(values.size));
  const sizes = values.sizes.split(',').map(Number);
  const roundTrips = Number(values['round-trips']);
  const runs = Number(values.runs);
  const load = (): string =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(', ');
  const before = load();
  const rows: string[] = [];
  for (const size of sizes) {
    const results = new Map<Kind, Run[]>(kinds.map((k) => [k, []]));
    for (let r = 0; r < runs; r++) {
      for (const kind of r % 2 === 0 ? kinds : [...kinds].reverse()) {
        // Fewer round trips for big messages: the same bytes moved, not the same count.
        const n = Math.max(200, Math.round(roundTrips / Math.max(1, size / 65_536)));
        results.get(kind)?.push(await measure(kind, size, n));
      }
    }
    const m = (k: Kind, f: (r: Run) => number): number => median((results.get(k) ?? []).map(f));
    const total = (k: Kind): number => m(k, (r) => r.followerCpuUs + r.leaderCpuUs);
    for (const k of kinds) {
      rows.push(
        `| ${size} | ${k} | ${m(k, (r) => r.wallUs).toFixed(1)} | ${m(k, (r) => r.followerCpuUs).toFixed(1)} | ` +
          `${m(k, (r) => r.leaderCpuUs).toFixed(1)} | ${total(k).toFixed(1)} | ${(total(k) / total('runnel')).toFixed(2)} |`,
      );
    }
  }
  process.stdout.write(
    `machine: ${availableParallelism()} cores, node ${process.version}; load before ${before}, after ${load()}; ${runs} runs, medians\n\n` +
      '| record bytes | implementation | wall µs / round trip | follower CPU µs | leader CPU µs | total CPU µs | × runnel |\n' +
      '| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n' +
      `${rows.join('\n')}\n`,
  );
}

await main();
