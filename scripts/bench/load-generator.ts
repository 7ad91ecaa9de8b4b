/**
 * The load generator: a few connections, each keeping `inflight` requests
 * outstanding, sending request frames encoded before the clock starts. Per
 * request it copies the header chunk, and per response it decodes the small
 * response body and walks batch headers; it never touches a record.
 *
 * Produce sends one prebuilt batch per request, partitions in turn. Consume
 * replays what produce wrote: every partition holds identical batches at
 * offsets k * recordCount, so all fetch offsets are known up front and
 * fetches can be pipelined like produce requests (a real consumer has one
 * fetch per broker in flight; this measures the broker, not a consumer).
 *
 * A failed request (Kafka error code, short or misplaced data, socket loss)
 * fails the whole run with an Error: a number measured over errors is not
 * a throughput.
 */
import { performance } from 'node:perf_hooks';
import {
  asResponse,
  decodeResponseFrame,
  ErrorCode,
  encodeRequestFrame,
  errorName,
  type FetchRequest,
  type ProduceRequest,
  type RecordsData,
} from '@runnel/protocol';
import type { PreparedBatch } from './record-batch.ts';
import { walkBatches } from './record-batch.ts';
import { WireConnection } from './wire-connection.ts';

export const PRODUCE_VERSION = 7;
export const FETCH_VERSION = 11;
const FETCH_BYTES_MAX = 52_428_800;
const CLIENT_ID = 'runnel-bench';

export interface Target {
  host: string;
  port: number;
}

export interface LoadShape {
  connections: number;
  inflight: number;
  durationMs: number;
}

export interface RunStats {
  /** Record batch bytes acknowledged (produce) or received (consume). */
  bytes: number;
  records: number;
  requests: number;
  elapsedMs: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

interface Counted {
  bytes: number;
  records: number;
}

type Issue = (connection: WireConnection) => Promise<Counted>;

/** Keeps `inflight` requests outstanding on every connection until the duration is over, then drains. */
async function drive(target: Target, shape: LoadShape, issue: Issue): Promise<RunStats> {
  const connections = await Promise.all(
    Array.from({ length: shape.connections }, () => WireConnection.open(target.host, target.port)),
  );
  const latencies: number[] = [];
  let bytes = 0;
  let records = 0;
  const start = performance.now();
  const deadline = start + shape.durationMs;
  let end = start;
  const runOne = (connection: WireConnection): Promise<void> =>
    new Promise((resolve, reject) => {
      let outstanding = 0;
      let failed = false;
      const pump = (): void => {
        while (!failed && outstanding < shape.inflight && performance.now() < deadline) {
          outstanding++;
          const sentAt = performance.now();
          issue(connection).then(
            (counted) => {
              outstanding--;
              end = performance.now();
              latencies.push(end - sentAt);
              bytes += counted.bytes;
              records += counted.records;
              pump();
            },
            (error: unknown) => {
              failed = true;
              reject(error);
            },
          );
        }
        if (outstanding === 0 && !failed) resolve();
      };
      pump();
    });
  try {
    await Promise.all(connections.map(runOne));
  } finally {
    for (const c of connections) c.close();
  }
  latencies.sort((a, b) => a - b);
  const quantile = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    bytes,
    records,
    requests: latencies.length,
    elapsedMs: end - start,
    latencyP50Ms: quantile(0.5),
    latencyP99Ms: quantile(0.99),
  };
}

export interface ProduceSpec {
  topic: string;
  partitions: number;
  batch: PreparedBatch;
  /** Against the broker: each baseOffset must sit on a batch boundary. The null sink answers 0 always. */
  checkOffsets: boolean;
}

export interface ProduceRun {
  stats: RunStats;
  /** Batches acknowledged per partition: what a consume run can read back. */
  batchesPerPartition: number[];
}

export async function runProduce(target: Target, shape: LoadShape, spec: ProduceSpec): Promise<ProduceRun> {
  const { topic, batch } = spec;
  const frames = Array.from({ length: spec.partitions }, (_, partition) => {
    const request: ProduceRequest = {
      transactionalId: null,
      acks: 1,
      timeoutMs: 30_000,
      topicData: [{ name: topic, partitionData: [{ index: partition, records: batch.bytes }] }],
    };
    return encodeRequestFrame(
      { apiKey: 0, apiVersion: PRODUCE_VERSION, correlationId: 0, clientId: CLIENT_ID },
      request,
    );
  });
  const batchesPerPartition = Array.from({ length: spec.partitions }, () => 0);
  let turn = 0;
  const issue: Issue = async (connection) => {
    const partition = turn;
    turn = (turn + 1) % spec.partitions;
    const frame = await connection.send(frames[partition] as Buffer[]);
    const response = asResponse(0, decodeResponseFrame(0, PRODUCE_VERSION, frame).body);
    const answer = response.responses[0]?.partitionResponses[0];
    if (answer === undefined) throw new Error(`produce to ${topic}-${partition}: response names no partition`);
    if (answer.errorCode !== ErrorCode.NONE) {
      throw new Error(`produce to ${topic}-${partition} failed: ${errorName(answer.errorCode)}`);
    }
    if (spec.checkOffsets && answer.baseOffset % BigInt(batch.recordCount) !== 0n) {
      throw new Error(`produce to ${topic}-${partition}: baseOffset ${answer.baseOffset} is not on a batch boundary`);
    }
    batchesPerPartition[partition] = (batchesPerPartition[partition] ?? 0) + 1;
    return { bytes: batch.bytes.length, records: batch.recordCount };
  };
  const stats = await drive(target, shape, issue);
  return { stats, batchesPerPartition };
}

export interface FetchTask {
  partition: number;
  fetchOffset: bigint;
  /** Exactly the bytes of the whole batches this fetch covers. */
  expectedBytes: number;
  frame: Buffer[];
}

/**
 * Fetches of about `fetchBytes` each (whole batches, at least one) covering
 * every batch produced, partitions interleaved so load spreads across them.
 */
export function planFetches(
  topic: string,
  batchesPerPartition: readonly number[],
  batch: PreparedBatch,
  fetchBytes: number,
): FetchTask[] {
  const batchesPerFetch = Math.max(1, Math.floor(fetchBytes / batch.bytes.length));
  const tasks: FetchTask[] = [];
  const rounds = Math.max(0, ...batchesPerPartition.map((n) => Math.ceil(n / batchesPerFetch)));
  for (let round = 0; round < rounds; round++) {
    batchesPerPartition.forEach((batches, partition) => {
      const first = round * batchesPerFetch;
      if (first >= batches) return;
      const count = Math.min(batchesPerFetch, batches - first);
      const fetchOffset = BigInt(first * batch.recordCount);
      const expectedBytes = count * batch.bytes.length;
      const request: FetchRequest = {
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        maxBytes: FETCH_BYTES_MAX,
        isolationLevel: 0,
        sessionId: 0,
        sessionEpoch: -1,
        topics: [
          {
            topic,
            partitions: [
              { partition, currentLeaderEpoch: -1, fetchOffset, logStartOffset: -1n, partitionMaxBytes: expectedBytes },
            ],
          },
        ],
        forgottenTopicsData: [],
        rackId: '',
      };
      const frame = encodeRequestFrame(
        { apiKey: 1, apiVersion: FETCH_VERSION, correlationId: 0, clientId: CLIENT_ID },
        request,
      );
      tasks.push({ partition, fetchOffset, expectedBytes, frame });
    });
  }
  return tasks;
}

export interface ConsumeSpec {
  topic: string;
  tasks: readonly FetchTask[];
  /** Against the broker: each fetch must return exactly its planned batches. */
  checkContent: boolean;
}

function asBuffer(records: RecordsData | null): Buffer {
  if (records === null) return Buffer.alloc(0);
  return Buffer.isBuffer(records) ? records : Buffer.concat(records as readonly Buffer[]);
}

/** Cycles through `tasks` (from the start again after the last) until the duration is over. */
export async function runConsume(target: Target, shape: LoadShape, spec: ConsumeSpec): Promise<RunStats> {
  if (spec.tasks.length === 0) throw new Error(`nothing to consume from ${spec.topic}: produce wrote no batches`);
  let cursor = 0;
  const issue: Issue = async (connection) => {
    const task = spec.tasks[cursor] as FetchTask;
    cursor = (cursor + 1) % spec.tasks.length;
    const frame = await connection.send(task.frame);
    const response = asResponse(1, decodeResponseFrame(1, FETCH_VERSION, frame).body);
    const where = `fetch ${spec.topic}-${task.partition} at ${task.fetchOffset}`;
    if (response.errorCode !== undefined && response.errorCode !== ErrorCode.NONE) {
      throw new Error(`${where} failed: ${errorName(response.errorCode)}`);
    }
    const answer = response.responses[0]?.partitions[0];
    if (answer === undefined) throw new Error(`${where}: response names no partition`);
    if (answer.errorCode !== ErrorCode.NONE) throw new Error(`${where} failed: ${errorName(answer.errorCode)}`);
    const records = asBuffer(answer.records);
    const walk = walkBatches(records);
    if (spec.checkContent && (walk.wholeBytes !== task.expectedBytes || walk.firstBaseOffset !== task.fetchOffset)) {
      throw new Error(
        `${where}: got ${walk.wholeBytes} bytes from offset ${walk.firstBaseOffset}, expected ${task.expectedBytes}`,
      );
    }
    return { bytes: walk.wholeBytes, records: walk.records };
  };
  return drive(target, shape, issue);
}
