/**
 * The streamed produce engine against a scripted producer (no cluster):
 * reports come out in record order whatever order partitions answer in,
 * records share batches, a bad record gets its own report and the stream
 * goes on, and reading stops while too many reports are pending.
 */
import type { ProduceOptions, ProduceResult } from '@runnel/client';
import { KafkaError } from '@runnel/client';
import { decodeRecordBatchesSync, ErrorCode } from '@runnel/protocol';
import { RegistryClient } from '@runnel/schema-serde';
import { describe, expect, it } from 'vitest';
import { EmbeddedFormats } from '../src/rest/formats/embedded-formats.ts';
import { PartEncoders } from '../src/rest/v3-records/part-encoders.ts';
import { type BatchProducer, PartitionBatcher } from '../src/rest/v3-records/partition-batcher.ts';
import { type DeliveryReport, ProduceStream } from '../src/rest/v3-records/produce-stream.ts';

interface Call {
  partition: number;
  records: number;
  values: string[];
  answer(result: ProduceResult | Error): void;
}

/** A producer whose calls the test answers, in any order it likes. */
class ScriptedProducer implements BatchProducer {
  readonly calls: Call[] = [];
  readonly #nextOffset = new Map<number, bigint>();
  #waiters: (() => void)[] = [];

  produce(_topic: string, partition: number, batch: Buffer, _options: ProduceOptions): Promise<ProduceResult> {
    const [decoded] = decodeRecordBatchesSync(batch);
    const records = decoded?.records ?? [];
    return new Promise((resolve, reject) => {
      this.calls.push({
        partition,
        records: records.length,
        values: records.map((r) => r.value?.toString() ?? ''),
        answer: (result) => (result instanceof Error ? reject(result) : resolve(result)),
      });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Answers a call with the partition's next offsets. */
  succeed(call: Call): void {
    const base = this.#nextOffset.get(call.partition) ?? 0n;
    this.#nextOffset.set(call.partition, base + BigInt(call.records));
    call.answer({ baseOffset: base, logAppendTimeMs: -1n });
  }

  async waitCalls(count: number): Promise<void> {
    while (this.calls.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
}

function engine(
  producer: ScriptedProducer,
  reports: DeliveryReport[],
  inFlightRecordsMax = 1000,
  draining: () => boolean = () => true,
  inFlightBytesMax = 1 << 20,
) {
  return new ProduceStream({
    clusterId: 'c1',
    topic: 't',
    partitions: 3,
    inFlightRecordsMax,
    inFlightBytesMax,
    recordBytesMax: 10_000,
    recordsMax: 1_000_000,
    batcher: new PartitionBatcher(producer, 't', { batchBytesMax: 1024 * 1024, inFlightPerPartition: 5 }),
    encoders: new PartEncoders(
      new EmbeddedFormats(new RegistryClient('http://127.0.0.1:1')),
      new RegistryClient('http://127.0.0.1:1'),
      't',
    ),
    emit: (ready) => {
      reports.push(...ready);
      return draining();
    },
  });
}

function record(partition: number, value: string): string {
  return JSON.stringify({ partition_id: partition, value: { type: 'STRING', data: value } });
}

describe('streamed produce engine', () => {
  it('answers in record order when partitions are acknowledged out of order, one batch per partition', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    const stream = engine(producer, reports);
    const body = [0, 1, 2, 0, 1, 2].map((p, i) => record(p, `v${i}`)).join('\n');
    const run = stream.run([Buffer.from(body)], new AbortController().signal);
    await producer.waitCalls(3);
    expect(producer.calls.map((c) => [c.partition, c.values])).toEqual([
      [0, ['v0', 'v3']],
      [1, ['v1', 'v4']],
      [2, ['v2', 'v5']],
    ]);
    producer.succeed(producer.calls[2]!);
    producer.succeed(producer.calls[1]!);
    await Promise.resolve();
    expect(reports).toEqual([]); // partition 0 holds the first record
    producer.succeed(producer.calls[0]!);
    await run;
    expect(reports.map((r) => [r.partition_id, r.offset])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
    expect(reports[0]).toMatchObject({
      error_code: 200,
      cluster_id: 'c1',
      topic_name: 't',
      value: { type: 'STRING', size: 2 },
    });
  });

  it('gives a bad record its own error report and produces the rest', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    const stream = engine(producer, reports);
    const body = [record(0, 'a'), '{"value":{"type":"NOPE"}}', '{"value": nope}', record(7, 'x'), record(0, 'b')].join(
      '\n',
    );
    const run = stream.run([Buffer.from(body)], new AbortController().signal);
    await producer.waitCalls(1);
    producer.succeed(producer.calls[0]!);
    await run;
    expect(reports.map((r) => r.error_code)).toEqual([200, 422, 400, 404, 200]);
    expect(reports[1]?.message).toMatch(/value\.type must be one of/);
    expect(reports[3]?.message).toMatch(/partition 7/);
    expect(reports.filter((r) => r.error_code === 200).map((r) => r.offset)).toEqual([0, 1]);
  });

  it('fails the records of a batch the broker refuses, with the status of its Kafka error', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    const run = engine(producer, reports).run(
      [Buffer.from(`${record(1, 'a')}\n${record(1, 'b')}`)],
      new AbortController().signal,
    );
    await producer.waitCalls(1);
    producer.calls[0]!.answer(new KafkaError(ErrorCode.NOT_ENOUGH_REPLICAS));
    await run;
    expect(reports.map((r) => r.error_code)).toEqual([503, 503]);
    expect(reports[0]?.message).toMatch(/NOT_ENOUGH_REPLICAS/);
  });

  it('stops reading the body while too many reports are pending, and reads on as they are answered', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    let chunksRead = 0;
    async function* body() {
      for (let i = 0; i < 10; i++) {
        chunksRead++;
        yield Buffer.from(`${record(0, `c${i}a`)}\n${record(0, `c${i}b`)}\n`);
      }
    }
    const run = engine(producer, reports, 4).run(body(), new AbortController().signal);
    await producer.waitCalls(2);
    // Four reports pending after two chunks: the third is not read until some are answered.
    expect(chunksRead).toBe(2);
    let answered = 0;
    let recordsAnswered = 0;
    while (recordsAnswered < 20) {
      await producer.waitCalls(answered + 1);
      const call = producer.calls[answered++]!;
      // Never more than four records in flight at once.
      expect(call.records).toBeLessThanOrEqual(4);
      recordsAnswered += call.records;
      producer.succeed(call);
    }
    await run;
    expect(reports.map((r) => r.offset)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('stops reading the body while the answer is not draining, and reads on once woken', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    let chunksRead = 0;
    async function* body() {
      for (let i = 0; i < 2; i++) {
        chunksRead++;
        yield Buffer.from(`${record(1, `c${i}`)}\n`);
      }
    }
    let draining = false;
    // One report pending at most: the second chunk waits for the first report, which then does not drain.
    const stream = engine(producer, reports, 1, () => draining);
    const run = stream.run(body(), new AbortController().signal);
    await producer.waitCalls(1);
    producer.succeed(producer.calls[0]!);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(reports.map((r) => r.offset)).toEqual([0]);
    expect(chunksRead).toBe(1);
    draining = true;
    stream.wake();
    await producer.waitCalls(2);
    expect(chunksRead).toBe(2);
    producer.succeed(producer.calls[1]!);
    await run;
    expect(reports.map((r) => r.offset)).toEqual([0, 1]);
  });

  it('stops reading while the pending records hold too many bytes, however few they are', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    let chunksRead = 0;
    const big = 'x'.repeat(200);
    async function* body() {
      for (let i = 0; i < 3; i++) {
        chunksRead++;
        yield Buffer.from(`${record(2, `${big}${i}`)}\n`);
      }
    }
    // Room for a thousand reports but only 300 bytes: the second ~250-byte record fills it.
    const run = engine(producer, reports, 1000, () => true, 300).run(body(), new AbortController().signal);
    await producer.waitCalls(2);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(chunksRead).toBe(2);
    producer.succeed(producer.calls[0]!);
    producer.succeed(producer.calls[1]!);
    await producer.waitCalls(3);
    expect(chunksRead).toBe(3);
    producer.succeed(producer.calls[2]!);
    await run;
    expect(reports.map((r) => r.offset)).toEqual([0, 1, 2]);
  });

  it('ends with one error report when the body stops being JSON objects', async () => {
    const producer = new ScriptedProducer();
    const reports: DeliveryReport[] = [];
    const run = engine(producer, reports).run([Buffer.from(`${record(2, 'a')}\n"oops"`)], new AbortController().signal);
    await producer.waitCalls(1);
    producer.succeed(producer.calls[0]!);
    await run;
    expect(reports.map((r) => r.error_code)).toEqual([200, 400]);
    expect(reports[1]?.message).toMatch(/Error processing JSON/);
  });
});
