/**
 * The chaos workload: kafkajs producers sending unique integers one record
 * per send with acks=all (so every ack carries the record's own offset),
 * plain or idempotent (the idempotent queue: then a producer session ends at
 * its first failed send and a new one, with a new producer id, takes over),
 * and one assign-style reader per partition polling with @runnel/client;
 * every outcome and every record read goes into the HistoryRecorder. Also
 * the final full read of every partition after healing.
 *
 * Owned by the runner: start() it, stop() it before the final read.
 * Producer and reader errors are recorded or retried, never thrown; the
 * loops only end on stop().
 */
import { setTimeout as pause } from 'node:timers/promises';
import { KafkaClient } from '@runnel/client';
import { decodeRecordBatches, ErrorCode, isControl } from '@runnel/protocol';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { waitFor } from '../harness/wait.ts';
import type { HistoryRecorder, SendOutcome } from './history.ts';

export interface WorkloadOptions {
  bootstrap: () => string;
  topic: string;
  partitions: number;
  producers: number;
  history: HistoryRecorder;
  /** Broker-side acks=all wait, and the client's request timeout on top of it. */
  produceTimeoutMs?: number;
  /** Idempotent producers (kafkajs `idempotent: true`): every ack must be in the log exactly once. */
  idempotent?: boolean;
}

/** Protocol errors after which the record was not appended by the attempt that got them. */
const definiteErrors: ReadonlySet<string> = new Set([
  'NOT_ENOUGH_REPLICAS',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

/**
 * kafkajs retries hide earlier attempts, one of which may have timed out
 * after appending, so 'failed' is a hint; the checker treats it like 'unknown'.
 */
function outcomeOf(error: unknown): SendOutcome {
  let cause: unknown = error;
  while (typeof cause === 'object' && cause !== null && 'cause' in cause && cause.cause !== undefined) {
    cause = cause.cause;
  }
  const type = typeof cause === 'object' && cause !== null && 'type' in cause ? String(cause.type) : '';
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return definiteErrors.has(type) ? { kind: 'failed', error: message } : { kind: 'unknown', error: message };
}

export class Workload {
  readonly #options: WorkloadOptions;
  readonly #loops: Promise<void>[] = [];
  readonly #producers = new Set<Producer>();
  #readers: KafkaClient | null = null;
  #stopped = false;
  #nextValue = 0;
  /** Consumer position resets (offset out of range): a log end moved backwards under a reader. */
  consumerResets = 0;
  /** The first few resets, "p<partition>: position <P>, end <E>", for the report. */
  readonly consumerResetSamples: string[] = [];

  constructor(options: WorkloadOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const o = this.#options;
    const timeoutMs = o.produceTimeoutMs ?? 5000;
    const kafka = new Kafka({
      brokers: o.bootstrap().split(','),
      clientId: 'chaos-producer',
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      requestTimeout: timeoutMs + 2000,
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    for (let i = 0; i < o.producers; i++) {
      const producer = await this.#connect(kafka);
      this.#loops.push(this.#produceLoop(kafka, producer, `p${i}`, timeoutMs));
    }
    this.#readers = await KafkaClient.connect({
      bootstrap: o.bootstrap(),
      clientId: 'chaos-reader',
      requestTimeoutMs: 3000,
      retries: 3,
      allowAutoTopicCreation: false,
    });
    for (let p = 0; p < o.partitions; p++) this.#loops.push(this.#readLoop(this.#readers, p));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#loops);
    await Promise.all([...this.#producers].map((p) => p.disconnect().catch(() => {})));
    this.#readers?.close();
  }

  async #connect(kafka: Kafka): Promise<Producer> {
    const producer = kafka.producer({
      idempotent: this.#options.idempotent === true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.#producers.add(producer);
    return producer;
  }

  /**
   * kafkajs rolls an idempotent producer's sequence back when a send fails
   * for good, so its next record would reuse the sequence of one that may
   * have landed, and the broker would rightly answer it as a duplicate of
   * that one: a client-side loss. An idempotent session therefore ends at
   * its first failed send, and the next one starts with a new producer id.
   */
  async #produceLoop(kafka: Kafka, first: Producer, name: string, timeoutMs: number): Promise<void> {
    const o = this.#options;
    let producer: Producer | null = first;
    let session = 0;
    while (!this.#stopped) {
      if (producer === null) {
        producer = await this.#connect(kafka).catch(() => null);
        if (producer === null) {
          await pause(200);
          continue;
        }
        session++;
      }
      const value = this.#nextValue++;
      const partition = value % o.partitions;
      let outcome: SendOutcome;
      try {
        const [meta] = await producer.send({
          topic: o.topic,
          acks: -1,
          timeout: timeoutMs,
          messages: [{ partition, value: String(value) }],
        });
        const offset = meta?.baseOffset ?? meta?.offset;
        outcome =
          meta === undefined || offset === undefined || meta.errorCode !== 0
            ? { kind: 'unknown', error: `odd produce response ${JSON.stringify(meta)}` }
            : { kind: 'acked', partition: meta.partition, offset: BigInt(offset) };
      } catch (error) {
        outcome = outcomeOf(error);
        if (o.idempotent === true) {
          const ended = producer;
          producer = null;
          this.#producers.delete(ended);
          await ended.disconnect().catch(() => {});
        }
        await pause(50);
      }
      o.history.send({ value, partition, outcome, producer: `${name}.${session}` });
    }
  }

  async #readLoop(client: KafkaClient, partition: number): Promise<void> {
    const o = this.#options;
    let position = 0n;
    while (!this.#stopped) {
      try {
        const fetched = await client.fetch(o.topic, partition, position, { maxWaitMs: 250 });
        if (fetched.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          this.consumerResets++;
          const end = await client.listOffsets(o.topic, partition, -1n);
          if (this.consumerResetSamples.length < 10) {
            this.consumerResetSamples.push(`p${partition}: position ${position}, end ${end.offset}`);
          }
          position = end.offset < position ? end.offset : position;
          await pause(100);
          continue;
        }
        if (fetched.errorCode !== 0) {
          await pause(100);
          continue;
        }
        position = await this.#record(fetched.records, partition, position, (r) => o.history.read(r));
      } catch {
        // Connection errors and leader moves: the next fetch asks again.
        await pause(100);
      }
    }
  }

  /** Records every data record at or past `position`; returns the position after the last batch. */
  async #record(
    bytes: Buffer,
    partition: number,
    position: bigint,
    sink: (r: { partition: number; offset: bigint; value: number }) => void,
  ): Promise<bigint> {
    let next = position;
    for (const batch of await decodeRecordBatches(bytes)) {
      if (!isControl(batch.header.attributes)) {
        for (const record of batch.records) {
          if (record.offset < next) continue;
          sink({ partition, offset: record.offset, value: Number(record.value?.toString('utf8') ?? Number.NaN) });
        }
      }
      const after = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
      if (after > next) next = after;
    }
    return next;
  }

  /** Reads every partition from offset 0 to its high watermark into the history's final read. */
  async finalRead(timeoutMs = 60_000): Promise<void> {
    const o = this.#options;
    const client = await KafkaClient.connect({
      bootstrap: o.bootstrap(),
      clientId: 'chaos-final-read',
      requestTimeoutMs: 5000,
      allowAutoTopicCreation: false,
    });
    try {
      for (let partition = 0; partition < o.partitions; partition++) {
        const records = await waitFor(() => this.#readWhole(client, partition).catch(() => undefined), {
          timeoutMs,
          intervalMs: 500,
          what: `final read of ${o.topic}-${partition}`,
        });
        for (const r of records) o.history.final(r);
      }
    } finally {
      client.close();
    }
  }

  async #readWhole(
    client: KafkaClient,
    partition: number,
  ): Promise<{ partition: number; offset: bigint; value: number }[]> {
    const records: { partition: number; offset: bigint; value: number }[] = [];
    let position = 0n;
    for (;;) {
      const fetched = await client.fetch(this.#options.topic, partition, position);
      if (fetched.errorCode !== 0) throw new Error(`fetch error ${fetched.errorCode}`);
      if (position >= fetched.highWatermark) return records;
      const next = await this.#record(fetched.records, partition, position, (r) => records.push(r));
      if (next === position) throw new Error(`no progress reading ${partition} at ${position}`);
      position = next;
    }
  }
}
