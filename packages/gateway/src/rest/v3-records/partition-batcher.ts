/**
 * Pipelines a stream of records into few Produce requests: records queue
 * per partition and leave as one batch per partition when the event loop
 * turns (so every record parsed from one chunk of the request shares a
 * batch), or at once when a queue reaches `batchBytesMax`. Up to
 * `inFlightPerPartition` requests per partition are in flight; while that
 * many are, the queue grows and leaves when one is answered, so batches get
 * larger exactly when the cluster is the bottleneck (Kafka's producer does
 * the same with linger and max.in.flight). Each record's callback gets its
 * offset (the batch's base offset plus its index) and timestamp (the
 * broker's log-append time when the topic uses it). Owned by one produce
 * request, or shared by the single-record requests to one topic (so
 * concurrent requests share batches, as a Kafka producer's sends do);
 * never throws: a failed batch fails each of its records.
 */
import type { ProduceOptions, ProduceResult } from '@runnel/client';
import { encodeRecordBatchSync, type KafkaRecord, type RecordHeader } from '@runnel/protocol';
import { type FailedStatus, failedStatus } from './kafka-status.ts';

export interface OutgoingRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
  timestampMs: number;
}

export type Delivery = { ok: true; offset: bigint; timestampMs: number } | ({ ok: false } & FailedStatus);

/** What the batcher needs of a Kafka client. */
export interface BatchProducer {
  produce(topic: string, partition: number, records: Buffer, options: ProduceOptions): Promise<ProduceResult>;
}

export interface BatcherOptions {
  batchBytesMax: number;
  inFlightPerPartition: number;
}

interface Queue {
  records: OutgoingRecord[];
  callbacks: ((delivery: Delivery) => void)[];
  bytes: number;
  inFlight: number;
}

/** A record's bytes in a batch beyond key, value and headers (its varints, roughly). */
const recordOverheadBytes = 16;

export class PartitionBatcher {
  readonly #producer: BatchProducer;
  readonly #topic: string;
  readonly #options: BatcherOptions;
  readonly #queues = new Map<number, Queue>();
  #flushScheduled = false;

  constructor(producer: BatchProducer, topic: string, options: BatcherOptions) {
    this.#producer = producer;
    this.#topic = topic;
    this.#options = options;
  }

  add(partition: number, record: OutgoingRecord, done: (delivery: Delivery) => void): void {
    let queue = this.#queues.get(partition);
    if (queue === undefined) {
      queue = { records: [], callbacks: [], bytes: 0, inFlight: 0 };
      this.#queues.set(partition, queue);
    }
    queue.records.push(record);
    queue.callbacks.push(done);
    queue.bytes += recordBytes(record);
    if (queue.bytes >= this.#options.batchBytesMax) this.#send(partition, queue);
    else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        this.flush();
      });
    }
  }

  /** Sends every queue that may send now; the rest leave as requests are answered. */
  flush(): void {
    for (const [partition, queue] of this.#queues) this.#send(partition, queue);
  }

  #send(partition: number, queue: Queue): void {
    while (queue.records.length > 0 && queue.inFlight < this.#options.inFlightPerPartition) {
      const take = countWithin(queue.records, this.#options.batchBytesMax);
      const records = queue.records.splice(0, take);
      const callbacks = queue.callbacks.splice(0, take);
      queue.bytes = Math.max(0, queue.bytes - records.reduce((sum, r) => sum + recordBytes(r), 0));
      queue.inFlight++;
      void this.#produce(partition, records, callbacks).finally(() => {
        queue.inFlight--;
        if (queue.records.length > 0) this.#send(partition, queue);
      });
    }
  }

  async #produce(
    partition: number,
    records: OutgoingRecord[],
    callbacks: ((delivery: Delivery) => void)[],
  ): Promise<void> {
    let result: ProduceResult;
    try {
      const baseTimestamp = records[0]?.timestampMs ?? Date.now();
      const batch = encodeRecordBatchSync({
        records: records.map(
          (r, index): KafkaRecord => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
            offsetDelta: index,
            timestampDelta: BigInt(r.timestampMs - baseTimestamp),
          }),
        ),
        baseTimestamp: BigInt(baseTimestamp),
      });
      result = await this.#producer.produce(this.#topic, partition, batch, { acks: -1 });
    } catch (error) {
      const failed = failedStatus(error);
      for (const done of callbacks) done({ ok: false, ...failed });
      return;
    }
    const appendTime = result.logAppendTimeMs === -1n ? null : Number(result.logAppendTimeMs);
    callbacks.forEach((done, index) => {
      const timestampMs = appendTime ?? records[index]?.timestampMs ?? 0;
      done({ ok: true, offset: result.baseOffset + BigInt(index), timestampMs });
    });
  }
}

function recordBytes(record: OutgoingRecord): number {
  let bytes = recordOverheadBytes + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const header of record.headers) bytes += header.key.length + (header.value?.length ?? 0) + 2;
  return bytes;
}

/** How many records from the front fit in `bytesMax` (at least one, so a large record still leaves). */
function countWithin(records: readonly OutgoingRecord[], bytesMax: number): number {
  let bytes = 0;
  let count = 0;
  for (const record of records) {
    bytes += recordBytes(record);
    if (count > 0 && bytes > bytesMax) break;
    count++;
  }
  return count;
}
