/**
 * One v3 produce request as a stream: reads the body chunk by chunk, splits
 * it into records, encodes each and hands it to the partition batcher, and
 * emits one delivery report per record in the records' order as they are
 * acknowledged. It stops reading while `inFlightRecordsMax` reports are
 * pending or the answer is not draining, so a request of any length holds
 * a bounded number of records (and bytes of them). A record that cannot be read or produced
 * gets its own error report and the stream goes on; a body that stops
 * being JSON ends it with one last error report (as Confluent's streaming
 * mode does). Owned by the produce route, one per request.
 */
import { partitionForKey } from '../partitioner.ts';
import { JsonObjectSplitter } from './json-object-splitter.ts';
import { failedStatus } from './kafka-status.ts';
import type { EncodedPart, PartEncoders } from './part-encoders.ts';
import type { Delivery, PartitionBatcher } from './partition-batcher.ts';
import { type ProduceRecord, parseProduceRecordText } from './produce-record.ts';
import { ReportSequencer } from './report-sequencer.ts';

export interface DeliveryReport {
  error_code: number;
  cluster_id?: string;
  topic_name?: string;
  partition_id?: number;
  offset?: number;
  timestamp?: string;
  key?: EncodedPart['report'];
  value?: EncodedPart['report'];
  message?: string;
}

export interface ProduceStreamOptions {
  clusterId: string;
  topic: string;
  partitions: number;
  /** Reports taken and not yet emitted before reading stops. */
  inFlightRecordsMax: number;
  /** Bytes of the records (their JSON text) taken and not yet reported before reading stops. */
  inFlightBytesMax: number;
  /** Largest record (one JSON object) read. */
  recordBytesMax: number;
  /** Most records one request may carry. */
  recordsMax: number;
  batcher: PartitionBatcher;
  encoders: PartEncoders;
  /** Called with reports in order; false means the answer is not draining (call wake() once it does). */
  emit(reports: DeliveryReport[]): boolean;
}

/** Bytes of keyless records sent to one partition before the sticky choice moves on (Kafka's batch.size). */
const stickyBytes = 16 * 1024;

export class ProduceStream {
  readonly #options: ProduceStreamOptions;
  readonly #sequencer = new ReportSequencer<DeliveryReport>();
  /** The JSON size of each record not yet reported, and their sum: what bounds a stream of large records. */
  readonly #sizes = new Map<number, number>();
  #pendingBytes = 0;
  #outputBlocked = false;
  #wakeUp: (() => void) | null = null;
  #records = 0;
  #sticky: number;
  #stickyBytes = 0;

  constructor(options: ProduceStreamOptions) {
    this.#options = options;
    this.#sticky = Math.floor(Math.random() * options.partitions);
  }

  /** Records read so far. */
  get records(): number {
    return this.#records;
  }

  /** The answer drained: reading may go on. */
  wake(): void {
    this.#outputBlocked = false;
    this.#signal();
  }

  /** Reads `body` to its end (or until `signal` aborts), then waits for every report to be emitted. */
  async run(body: AsyncIterable<Buffer> | Iterable<Buffer>, signal: AbortSignal): Promise<void> {
    const splitter = new JsonObjectSplitter(this.#options.recordBytesMax);
    signal.addEventListener('abort', () => this.#signal(), { once: true });
    let ended: string | null = null;
    for await (const chunk of body) {
      if (signal.aborted) return;
      const split = splitter.push(chunk);
      for (const text of split.objects) {
        if (this.#records >= this.#options.recordsMax) {
          ended = `a request may carry at most ${this.#options.recordsMax} records`;
          break;
        }
        await this.#record(text);
      }
      if (ended === null && !split.ok) ended = `Error processing JSON: ${split.message}`;
      if (ended !== null) break;
      this.#options.batcher.flush();
      await this.#roomToRead(signal);
      if (signal.aborted) return;
    }
    ended ??= splitter.end();
    if (ended !== null) this.#fail(this.#sequencer.take(), 400, ended);
    this.#options.batcher.flush();
    // Its own reports, not the batcher's idleness: the batcher may be shared with other requests.
    while (this.#sequencer.pending > 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.#wakeUp = resolve;
      });
    }
  }

  async #record(text: Buffer): Promise<void> {
    this.#records++;
    const sequence = this.#sequencer.take();
    this.#sizes.set(sequence, text.length);
    this.#pendingBytes += text.length;
    const parsed = parseProduceRecordText(text);
    if (!parsed.ok) return this.#fail(sequence, parsed.status, parsed.message);
    const record = parsed.record;
    let key: EncodedPart | null;
    let value: EncodedPart | null;
    try {
      const keyOrPending = this.#options.encoders.encode(record.key, 'key');
      key = keyOrPending instanceof Promise ? await keyOrPending : keyOrPending;
      const valueOrPending = this.#options.encoders.encode(record.value, 'value');
      value = valueOrPending instanceof Promise ? await valueOrPending : valueOrPending;
    } catch (error) {
      const failed = failedStatus(error);
      return this.#fail(sequence, failed.status, failed.message);
    }
    const partition = this.#partitionOf(record, key?.bytes ?? null, value?.bytes?.length ?? 0);
    if (partition >= this.#options.partitions) {
      return this.#fail(sequence, 404, `partition ${partition} of topic ${this.#options.topic} does not exist`);
    }
    const outgoing = {
      key: key?.bytes ?? null,
      value: value?.bytes ?? null,
      headers: record.headers,
      timestampMs: record.timestampMs ?? Date.now(),
    };
    this.#options.batcher.add(partition, outgoing, (delivery) =>
      this.#delivered(sequence, partition, delivery, key, value),
    );
  }

  #partitionOf(record: ProduceRecord, key: Buffer | null, valueBytes: number): number {
    if (record.partitionId !== null) return record.partitionId;
    if (key !== null) return partitionForKey(key, this.#options.partitions);
    // Keyless records stick to one partition for a batch's worth, as Kafka's default partitioner does.
    this.#stickyBytes += valueBytes + 16;
    if (this.#stickyBytes > stickyBytes) {
      this.#stickyBytes = 0;
      this.#sticky = (this.#sticky + 1) % this.#options.partitions;
    }
    return this.#sticky;
  }

  #delivered(
    sequence: number,
    partition: number,
    delivery: Delivery,
    key: EncodedPart | null,
    value: EncodedPart | null,
  ): void {
    if (!delivery.ok) {
      this.#fail(sequence, delivery.status, delivery.message);
      return;
    }
    const report: DeliveryReport = {
      error_code: 200,
      cluster_id: this.#options.clusterId,
      topic_name: this.#options.topic,
      partition_id: partition,
      offset: Number(delivery.offset),
      timestamp: new Date(delivery.timestampMs).toISOString(),
    };
    if (key !== null) report.key = key.report;
    if (value !== null) report.value = value.report;
    this.#complete(sequence, report);
  }

  #fail(sequence: number, status: number, message: string): void {
    this.#complete(sequence, { error_code: status, message });
  }

  #complete(sequence: number, report: DeliveryReport): void {
    this.#sequencer.complete(sequence, report);
    this.#pendingBytes -= this.#sizes.get(sequence) ?? 0;
    this.#sizes.delete(sequence);
    this.#emitReady();
    this.#signal();
  }

  #emitReady(): void {
    const ready = this.#sequencer.release();
    if (ready.length > 0 && !this.#options.emit(ready)) this.#outputBlocked = true;
  }

  #signal(): void {
    const wake = this.#wakeUp;
    this.#wakeUp = null;
    wake?.();
  }

  #full(): boolean {
    return (
      this.#outputBlocked ||
      this.#sequencer.pending >= this.#options.inFlightRecordsMax ||
      this.#pendingBytes >= this.#options.inFlightBytesMax
    );
  }

  /** Waits while too many reports (or bytes of records) are pending or the answer is not draining. */
  async #roomToRead(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.#full()) {
      await new Promise<void>((resolve) => {
        this.#wakeUp = resolve;
      });
    }
  }
}
