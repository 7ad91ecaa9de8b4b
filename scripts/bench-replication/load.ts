/**
 * Load for `npm run bench:replication`, all through @runnel/client's
 * KafkaClient (prebuilt batches are sent uncopied; fetches return raw
 * batches, walked by header only — no record is decoded anywhere here).
 *
 * - Throughput (closed loop): every client keeps `inflight` acks=all
 *   produces outstanding, partitions in turn, until the duration is over.
 * - Latency (open loop): batches are due on a fixed clock at the offered
 *   rate and every latency is measured from the time a batch was *due*,
 *   not from when it went out, so a stall delays the sends behind it and
 *   those delays are counted (coordinated omission corrected). A consumer
 *   long-polls every partition from its leader (it sees a batch only once
 *   the high watermark passes it, i.e. once it is replicated) and notes when
 *   each batch, keyed by partition and base offset, arrives.
 *
 * Any failed produce or fetch fails the run: a number measured over errors
 * is not a result.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaClient } from '@runnel/client';
import { ErrorCode, errorName } from '@runnel/protocol';
import type { PreparedBatch } from '../bench/record-batch.ts';
import { walkBatches } from '../bench/record-batch.ts';

const produceTimeoutMs = 30_000;
const consumerWaitMs = 500;
const consumerFetchBytes = 8 * 1024 * 1024;
const drainTimeoutMs = 30_000;

export interface Quantiles {
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

export function quantiles(samples: number[]): Quantiles {
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: samples.at(-1) ?? 0 };
}

export interface ThroughputStats {
  bytes: number;
  records: number;
  requests: number;
  elapsedMs: number;
  latency: Quantiles;
}

/** Closed loop: `inflight` acks=all produces outstanding per client for `durationMs`. */
export async function runThroughput(
  clients: readonly KafkaClient[],
  spec: { topic: string; partitions: number; batch: PreparedBatch; inflight: number; durationMs: number },
): Promise<ThroughputStats> {
  const { topic, batch } = spec;
  const latencies: number[] = [];
  let turn = 0;
  const start = performance.now();
  const deadline = start + spec.durationMs;
  let end = start;
  const loop = async (client: KafkaClient): Promise<void> => {
    while (performance.now() < deadline) {
      const partition = turn;
      turn = (turn + 1) % spec.partitions;
      const sentAt = performance.now();
      const result = await client.produce(topic, partition, batch.bytes, { acks: -1, timeoutMs: produceTimeoutMs });
      end = performance.now();
      if (result.baseOffset % BigInt(batch.recordCount) !== 0n) {
        throw new Error(`produce to ${topic}-${partition}: baseOffset ${result.baseOffset} off a batch boundary`);
      }
      latencies.push(end - sentAt);
    }
  };
  await Promise.all(clients.flatMap((client) => Array.from({ length: spec.inflight }, () => loop(client))));
  return {
    bytes: latencies.length * batch.bytes.length,
    records: latencies.length * batch.recordCount,
    requests: latencies.length,
    elapsedMs: end - start,
    latency: quantiles(latencies),
  };
}

export interface LatencyStats {
  /** Batches measured (after the warm-up). */
  batches: number;
  offeredMBps: number;
  achievedMBps: number;
  /** Due time to produce response (acks=all). */
  ack: Quantiles;
  /** Due time to the consumer holding the batch. */
  endToEnd: Quantiles;
  /** How late the generator sent batches behind their due time (its own stalls, included above). */
  sendLag: Quantiles;
}

/** Open loop at `bytesPerSec` for warmup + duration; only batches due after the warm-up count. */
export async function runLatency(
  producer: KafkaClient,
  consumer: KafkaClient,
  spec: {
    topic: string;
    partitions: number;
    batch: PreparedBatch;
    bytesPerSec: number;
    warmupMs: number;
    durationMs: number;
  },
): Promise<LatencyStats> {
  const { topic, batch } = spec;
  const intervalMs = (batch.bytes.length / spec.bytesPerSec) * 1000;
  const due = new Map<string, number>();
  const acked: number[] = [];
  const sendLag: number[] = [];
  const received = new Map<string, number>();
  const stop = new AbortController();
  let failure: unknown = null;
  let outstanding = 0;

  const fail = (error: unknown): void => {
    failure ??= error;
    stop.abort();
  };
  // Start where the log ends now, before anything is sent, so every measured batch is read.
  const startOffsets = await Promise.all(
    Array.from({ length: spec.partitions }, async (_, p) => (await consumer.listOffsets(topic, p, -1n)).offset),
  );
  const consumeLoops = startOffsets.map(async (from, partition) => {
    let offset = from;
    while (!stop.signal.aborted) {
      const r = await consumer.fetch(topic, partition, offset, {
        maxWaitMs: consumerWaitMs,
        minBytes: 1,
        maxBytes: consumerFetchBytes,
      });
      const at = performance.now();
      if (r.errorCode !== ErrorCode.NONE) throw new Error(`fetch ${topic}-${partition}: ${errorName(r.errorCode)}`);
      const walk = walkBatches(r.records);
      if (walk.batches === 0) continue;
      // Identical batches: the next offset is past `walk.records` records from the first.
      for (let k = 0; k < walk.batches; k++) {
        received.set(`${partition}:${walk.firstBaseOffset + BigInt(k * batch.recordCount)}`, at);
      }
      offset = walk.firstBaseOffset + BigInt(walk.records);
    }
  });
  const consumed = Promise.all(consumeLoops).catch(fail);

  const start = performance.now() + 50;
  const measureFrom = start + spec.warmupMs;
  const sendUntil = measureFrom + spec.durationMs;
  let sent = 0;
  const send = (dueAt: number): void => {
    const partition = sent % spec.partitions;
    sent++;
    outstanding++;
    const measured = dueAt >= measureFrom;
    if (measured) sendLag.push(performance.now() - dueAt);
    producer.produce(topic, partition, batch.bytes, { acks: -1, timeoutMs: produceTimeoutMs }).then(
      (result) => {
        outstanding--;
        if (!measured) return;
        acked.push(performance.now() - dueAt);
        due.set(`${partition}:${result.baseOffset}`, dueAt);
      },
      (error: unknown) => {
        outstanding--;
        fail(error);
      },
    );
  };
  for (;;) {
    const now = performance.now();
    let next = start + sent * intervalMs;
    if (next >= sendUntil || failure !== null) break;
    while (next <= now && next < sendUntil) {
      send(next);
      next = start + sent * intervalMs;
    }
    // Timers wake up to ~1 ms late; batches due meanwhile go out together, measured from their due time.
    await sleep(Math.max(0, next - performance.now()));
  }
  const drainBy = performance.now() + drainTimeoutMs;
  while ((outstanding > 0 || [...due.keys()].some((k) => !received.has(k))) && failure === null) {
    if (performance.now() > drainBy)
      throw new Error(`latency run: batches unanswered or unread after ${drainTimeoutMs} ms`);
    await sleep(5);
  }
  stop.abort();
  await consumed;
  if (failure !== null) throw failure;
  const endToEnd: number[] = [];
  for (const [key, dueAt] of due) endToEnd.push((received.get(key) ?? Number.NaN) - dueAt);
  const seconds = spec.durationMs / 1000;
  return {
    batches: due.size,
    offeredMBps: spec.bytesPerSec / 1e6,
    achievedMBps: (due.size * batch.bytes.length) / 1e6 / seconds,
    ack: quantiles(acked),
    endToEnd: quantiles(endToEnd),
    sendLag: quantiles(sendLag),
  };
}
