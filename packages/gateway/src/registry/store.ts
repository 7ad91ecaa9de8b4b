/**
 * The registry's storage: the compacted, single-partition `_schemas` topic
 * read from its start into the committed RegistryState (state.ts) and
 * tailed for as long as the gateway runs.
 *
 * Writes: one gateway of a cluster is the writer (writer-election.ts says
 * which; `setWriter` tells the store). Its SchemaWriter (schema-writer.ts)
 * fences earlier writers, decides on its own copy of the state and appends
 * with group commit; acknowledged records come back here through `commit`
 * (applied at once when they directly follow what the state holds, the
 * tail then skipping them; else read back by the tail).
 *
 * Reads: `state` is the committed state, except inside a write operation,
 * where it is the writer's decision state. `sync` is a read barrier: it
 * learns the partition's high watermark (concurrent callers share one
 * ListOffsets, but never one that started before they called) and waits
 * until the state holds everything below it, so a read after it sees every
 * write acknowledged before it began, by any gateway.
 *
 * The tail has its own KafkaClient: its long-poll fetches would otherwise
 * share a connection with the producer's requests.
 */
import { ConnectionError, KafkaClient, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { decodeRecordBatches, ErrorCode, isControl, type KafkaRecord } from '@runnel/protocol';
import { Backoff } from '../backoff.ts';
import { registryErrors } from './registry-error.ts';
import { type CommittedLog, SchemaWriter } from './schema-writer.ts';
import { applyRecord, emptyState, type RegistryState } from './state.ts';

export const schemasTopic = '_schemas';

export interface StoreOptions {
  /** A connected client, owned by the caller: used for the topic and for writes. */
  client: KafkaClient;
  bootstrap: string;
  logger: Logger;
  topic?: string;
  /** How long a write or a read barrier waits for the tail before answering 50002. Default 30 s. */
  readBackMs?: number;
  /** Told of each append the writer makes (its record count), for metrics. */
  onAppend?: (records: number) => void;
}

export { writerFencingId } from './schema-writer.ts';

interface Waiter {
  offset: bigint;
  resolve: () => void;
}

export class SchemaStore implements CommittedLog {
  readonly #committed: RegistryState = emptyState();
  readonly #writer: SchemaWriter;
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
  #skipped = 0;
  readonly #readBackMs: number;
  #barrier: Promise<void> | null = null;
  #nextBarrier: Promise<void> | null = null;

  constructor(options: StoreOptions) {
    this.#readBackMs = options.readBackMs ?? 30_000;
    this.#client = options.client;
    this.#bootstrap = options.bootstrap;
    this.#logger = options.logger;
    this.topic = options.topic ?? schemasTopic;
    this.#writer = new SchemaWriter(options.client, this, options.logger, options.onAppend);
  }

  /** The committed state, or the writer's decision state inside a write operation (see the file comment). */
  get state(): RegistryState {
    return this.#writer.decisions ?? this.#committed;
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
    this.#writer.setElected(elected);
  }

  get isWriter(): boolean {
    return this.#writer.elected;
  }

  /** See SchemaWriter.exclusive: one write operation at a time, answered once its records are committed. */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    return this.#writer.exclusive(operation);
  }

  /** Inside `exclusive` only: see SchemaWriter.write. */
  write(records: KafkaRecord[]): Promise<void> {
    return this.#writer.write(records);
  }

  /** CommittedLog.commit: acknowledged records into the committed state. */
  async commit(records: readonly KafkaRecord[], baseOffset: bigint): Promise<void> {
    const after = baseOffset + BigInt(records.length);
    if (baseOffset !== this.#applied) {
      await this.readBack(after);
      return;
    }
    // Acknowledged with acks=all, and directly after everything the state holds (only the writer appends since it
    // fenced): apply now instead of waiting for the tail to read it back. The tail skips these offsets.
    for (const record of records) {
      const skipped = applyRecord(this.#committed, record.key ?? null, record.value ?? null);
      if (skipped !== null) this.#skip(baseOffset, skipped);
    }
    this.#appliedAhead = after;
    this.#release();
  }

  /** Every record below this offset is in `state`. */
  get #applied(): bigint {
    // biome-ignore lint/complexity/useMathMinMax: Math.max takes no bigint
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
    await this.readBack(end);
  }

  /** Waits until the state holds every record below `after`; 50002 after readBackMs. */
  async readBack(after: bigint): Promise<void> {
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
              const skipped = applyRecord(this.#committed, record.key, record.value);
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
        subjects: this.#committed.subjects.size,
        ids: this.#committed.ids.size,
      },
      'schemas topic read',
    );
    for (const resolve of this.#caughtUpWaiters) resolve();
    this.#caughtUpWaiters = [];
  }
}
