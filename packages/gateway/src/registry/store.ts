/**
 * The registry's storage: the compacted, single-partition `_schemas` topic
 * read from its start into a RegistryState (state.ts) and tailed for as
 * long as the gateway runs.
 *
 * Writes: one gateway of a cluster is the writer (writer-election.ts says
 * which; `setWriter` tells the store). The writer decides ids and versions
 * from its state inside `exclusive`, one write at a time, and `write`
 * resolves once the records are acknowledged (acks=all) and in the state:
 * applied at once when they directly follow what the state holds (the
 * tail then skips them), else read back by the tail. So an answer given
 * after it reflects the write. Before its first decision (and after
 * any failed write) the writer fences: a FencedProducer raises the
 * producer epoch of the registry's transactional id and appends a NOOP
 * with it; from then on the partition refuses every earlier writer's
 * batches, and once the tail has read past the NOOP the state holds
 * everything they wrote. So two gateways can never both append decisions
 * taken from the same state, whatever each believes about the election.
 *
 * Reads: `sync` is a read barrier. It learns the partition's high
 * watermark (concurrent callers share one ListOffsets, but never one that
 * started before they called) and waits until the tail has read up to it,
 * so a read after it sees every write acknowledged before it began, by
 * any gateway.
 *
 * The tail has its own KafkaClient: its long-poll fetches would otherwise
 * share a connection with the producer's requests.
 */
import { ConnectionError, FencedProducer, KafkaClient, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { decodeRecordBatches, ErrorCode, isControl, type KafkaRecord } from '@runnel/protocol';
import { Backoff } from '../backoff.ts';
import { registryErrors } from './registry-error.ts';
import { applyRecord, emptyState, type RegistryState } from './state.ts';
import { encodeKey } from './store-records.ts';

export const schemasTopic = '_schemas';

export interface StoreOptions {
  /** A connected client, owned by the caller: used for the topic and for writes. */
  client: KafkaClient;
  bootstrap: string;
  logger: Logger;
  topic?: string;
  /** How long a write or a read barrier waits for the tail before answering 50002. Default 30 s. */
  readBackMs?: number;
}

/** The transactional id whose producer epoch fences the registry's writers of `topic`. */
export function writerFencingId(topic: string): string {
  return `runnel-registry-writer.${topic}`;
}

interface Waiter {
  offset: bigint;
  resolve: () => void;
}

export class SchemaStore {
  readonly state: RegistryState = emptyState();
  readonly topic: string;
  readonly #client: KafkaClient;
  readonly #bootstrap: string;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  #reader: KafkaClient | null = null;
  /** The next offset the tail will read: every record below it is in `state`. */
  #position = 0n;
  /**
   * The end of the writer's own records applied at their acknowledgement,
   * ahead of the tail; the tail skips records below it. Everything below
   * max(#position, #appliedAhead) is in `state`.
   */
  #appliedAhead = 0n;
  #caughtUp = false;
  #waiters: Waiter[] = [];
  #caughtUpWaiters: (() => void)[] = [];
  #tail: Promise<void> = Promise.resolve();
  #queue: Promise<unknown> = Promise.resolve();
  #skipped = 0;
  readonly #readBackMs: number;
  /** Whether the election made this gateway the writer. */
  #elected = false;
  /** The writer's producer once it has fenced; null before and after a failed write. */
  #producer: FencedProducer | null = null;
  #barrier: Promise<void> | null = null;
  #nextBarrier: Promise<void> | null = null;

  constructor(options: StoreOptions) {
    this.#readBackMs = options.readBackMs ?? 30_000;
    this.#client = options.client;
    this.#bootstrap = options.bootstrap;
    this.#logger = options.logger;
    this.topic = options.topic ?? schemasTopic;
  }

  /** Creates the topic if missing and starts the tail; `caughtUp` tells when the state holds the whole topic. */
  async start(): Promise<void> {
    await this.#ensureTopic();
    const reader = await KafkaClient.connect({ bootstrap: this.#bootstrap, clientId: 'runnel-gateway-schemas-reader' });
    if (this.#abort.signal.aborted) {
      reader.close();
      return;
    }
    this.#reader = reader;
    this.#tail = this.#tailLoop(reader).catch((error: unknown) => {
      this.#logger.error({ err: error, topic: this.topic }, 'schemas topic tail stopped');
    });
  }

  /** Resolves once the state holds every record the topic had when the tail started (and since). */
  caughtUp(): Promise<void> {
    if (this.#caughtUp) return Promise.resolve();
    return new Promise((resolve) => this.#caughtUpWaiters.push(resolve));
  }

  get isCaughtUp(): boolean {
    return this.#caughtUp;
  }

  /** The election's verdict: writes are decided here only while it is true. */
  setWriter(elected: boolean): void {
    this.#elected = elected;
    if (!elected) this.#producer = null;
  }

  get isWriter(): boolean {
    return this.#elected;
  }

  /**
   * Runs `operation` as the writer, after every write begun before it has
   * finished: reads of the state inside it see them all. Fences first when
   * this writer has not yet (or must again). 50004 when this gateway is not
   * the writer.
   */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const asWriter = async (): Promise<T> => {
      if (!this.#elected) throw registryErrors.unknownLeader();
      if (this.#producer === null) await this.#fence();
      return operation();
    };
    const run = this.#queue.then(asWriter, asWriter);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Appends records in one batch (acks=all) and resolves once the state holds them. Inside `exclusive` only. */
  async write(records: KafkaRecord[]): Promise<void> {
    const producer = this.#producer;
    if (producer === null) throw registryErrors.unknownLeader();
    let baseOffset: bigint;
    try {
      ({ baseOffset } = await producer.send(this.topic, 0, records));
    } catch (error) {
      throw this.#writeFailed(error);
    }
    const after = baseOffset + BigInt(records.length);
    if (baseOffset === this.#applied) {
      // Acknowledged with acks=all, and directly after everything the state holds (only this writer appends since it
      // fenced): apply now instead of waiting for the tail to read it back. The tail skips these offsets.
      for (const record of records) {
        const skipped = applyRecord(this.state, record.key ?? null, record.value ?? null);
        if (skipped !== null) this.#skip(baseOffset, skipped);
      }
      this.#appliedAhead = after;
      this.#release();
      return;
    }
    await this.#readBack(after);
  }

  /** Every record below this offset is in `state`. */
  get #applied(): bigint {
    return this.#position > this.#appliedAhead ? this.#position : this.#appliedAhead;
  }

  /**
   * Resolves once the state holds every record acknowledged before the
   * call (by any gateway): the high watermark, read after the call, has
   * been read by the tail.
   */
  sync(): Promise<void> {
    if (this.#barrier === null) return this.#startBarrier();
    // The round in flight may have read the end before the caller's write was acknowledged: wait for the next one.
    this.#nextBarrier ??= this.#barrier
      .catch(() => undefined)
      .then(() => {
        this.#nextBarrier = null;
        return this.#startBarrier();
      });
    return this.#nextBarrier;
  }

  #startBarrier(): Promise<void> {
    const round = this.#readToEnd().finally(() => {
      if (this.#barrier === round) this.#barrier = null;
    });
    this.#barrier = round;
    return round;
  }

  async #readToEnd(): Promise<void> {
    let end: bigint;
    try {
      end = (await this.#client.listOffsets(this.topic, 0, -1n)).offset;
    } catch (error) {
      if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
      this.#logger.error({ err: error, topic: this.topic }, 'schemas topic end not readable');
      throw registryErrors.storeError();
    }
    await this.#readBack(end);
  }

  /**
   * Becomes the only writer: a new producer epoch, whose first batch (a
   * NOOP) makes the partition refuse every earlier writer's, then the tail
   * reads past it so the state holds all they wrote before.
   */
  async #fence(): Promise<void> {
    let producer: FencedProducer;
    let baseOffset: bigint;
    try {
      producer = await FencedProducer.init(this.#client, { transactionalId: writerFencingId(this.topic) });
      ({ baseOffset } = await producer.send(this.topic, 0, [{ key: encodeKey({ keytype: 'NOOP' }), value: null }]));
    } catch (error) {
      throw this.#writeFailed(error);
    }
    await this.#readBack(baseOffset + 1n);
    this.#logger.info(
      { topic: this.topic, ...producer.producer, offset: String(baseOffset) },
      'registry writer fenced earlier writers',
    );
    if (this.#elected) this.#producer = producer;
  }

  /** The answer for a failed append; after any failure the writer fences again before its next decision. */
  #writeFailed(error: unknown): Error {
    this.#producer = null;
    if (!(error instanceof KafkaError || error instanceof ConnectionError)) return error as Error;
    if (error instanceof KafkaError && error.code === ErrorCode.INVALID_PRODUCER_EPOCH) {
      // A newer writer fenced this one: the election has moved on, so stop writing until it says otherwise.
      this.#elected = false;
      this.#logger.warn({ topic: this.topic }, 'a newer registry writer fenced this gateway; no longer writing');
      return registryErrors.unknownLeader();
    }
    this.#logger.error({ err: error, topic: this.topic }, 'schema store write failed');
    return registryErrors.storeError();
  }

  /** Waits until the tail has read every record below `after`; 50002 after readBackMs. */
  async #readBack(after: bigint): Promise<void> {
    if (this.#applied >= after) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(registryErrors.timeout(`reading ${this.topic} up to offset ${after - 1n}`));
      }, this.#readBackMs);
      const waiter: Waiter = {
        offset: after,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#tail;
    this.#reader?.close();
    this.#reader = null;
  }

  async #ensureTopic(): Promise<void> {
    const metadata = await this.#client.metadata([this.topic], { allowAutoTopicCreation: false });
    const existing = metadata.topics.find((t) => t.name === this.topic);
    if (existing !== undefined && existing.errorCode === 0) return;
    // One partition keeps a total order of writes; compaction keeps the latest record of each key forever.
    const replicationFactor = Math.min(3, Math.max(1, metadata.brokers.length));
    const [result] = await this.#client.createTopics([
      { name: this.topic, numPartitions: 1, replicationFactor, configs: { 'cleanup.policy': 'compact' } },
    ]);
    if (result !== undefined && result.errorCode !== 0 && result.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new KafkaError(result.errorCode, `creating ${this.topic}: ${result.errorMessage ?? result.errorName}`);
    }
    this.#logger.info({ topic: this.topic, replicationFactor }, 'created the schemas topic');
  }

  async #tailLoop(reader: KafkaClient): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff(50, 2_000);
    while (!signal.aborted) {
      try {
        // Long-poll once caught up: the broker answers as soon as a record arrives, which is what write() waits for.
        const fetched = await reader.fetch(this.topic, 0, this.#position, { maxWaitMs: this.#caughtUp ? 500 : 0 });
        if (fetched.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE && !this.#caughtUp) {
          // Records were deleted below the log start (DeleteRecords): start from what the log still has.
          this.#position = (await reader.listOffsets(this.topic, 0, -2n)).offset;
          continue;
        }
        if (fetched.errorCode !== 0) throw new KafkaError(fetched.errorCode);
        const batches = await decodeRecordBatches(fetched.records);
        for (const batch of batches) {
          if (!isControl(batch.header.attributes)) {
            for (const record of batch.records) {
              if (record.offset < this.#applied) continue;
              const skipped = applyRecord(this.state, record.key, record.value);
              if (skipped !== null) this.#skip(record.offset, skipped);
            }
          }
          const next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
          if (next > this.#position) this.#position = next;
        }
        backoff.reset();
        this.#release();
        if (!this.#caughtUp && this.#position >= fetched.highWatermark) this.#markCaughtUp();
      } catch (error) {
        if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
        if (signal.aborted) return;
        // A topic just created may not have a leader yet; a broker may restart. Both pass: retry.
        this.#logger.warn({ err: error, topic: this.topic }, 'schemas topic read failed; retrying');
        await backoff.wait(signal);
      }
    }
  }

  #skip(offset: bigint, reason: string): void {
    this.#skipped += 1;
    // A topic shared with another registry may carry keys this one does not know; say so once per kind, not per record.
    if (this.#skipped <= 10)
      this.#logger.warn({ topic: this.topic, offset: String(offset), reason }, 'skipped a record');
  }

  #release(): void {
    if (this.#waiters.length === 0) return;
    const pending: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#applied >= waiter.offset) waiter.resolve();
      else pending.push(waiter);
    }
    this.#waiters = pending;
  }

  #markCaughtUp(): void {
    this.#caughtUp = true;
    this.#logger.info(
      {
        topic: this.topic,
        offset: String(this.#position),
        subjects: this.state.subjects.size,
        ids: this.state.ids.size,
      },
      'schemas topic read',
    );
    for (const resolve of this.#caughtUpWaiters) resolve();
    this.#caughtUpWaiters = [];
  }
}
