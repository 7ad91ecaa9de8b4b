/**
 * The registry's storage: the compacted, single-partition `_schemas` topic
 * read from its start into a RegistryState (state.ts) and tailed for as
 * long as the gateway runs; writes go through a producer with acks=all.
 * `write` resolves only once the tail has read the written records back,
 * so an answer given after it (and any read after that answer) reflects
 * the write.
 *
 * Single writer for now: this gateway computes ids and versions from its
 * own state, and `exclusive` serializes its writes so two concurrent
 * registrations cannot pick the same id. The seam for several gateways is
 * `exclusive` + `write`: a later step elects one writer through a consumer
 * group, and a gateway that is not the writer forwards the HTTP write to it
 * instead of running the operation here.
 *
 * The tail has its own KafkaClient: its long-poll fetches would otherwise
 * share a connection with the producer's requests.
 */
import { ConnectionError, KafkaClient, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { decodeRecordBatches, ErrorCode, isControl, type KafkaRecord } from '@runnel/protocol';
import { Backoff } from '../backoff.ts';
import { registryErrors } from './registry-error.ts';
import { applyRecord, emptyState, type RegistryState } from './state.ts';

export const schemasTopic = '_schemas';

export interface StoreOptions {
  /** A connected client, owned by the caller: used for the topic and for writes. */
  client: KafkaClient;
  bootstrap: string;
  logger: Logger;
  topic?: string;
  /** How long a write waits to read its own records back before answering 50002. Default 30 s. */
  readBackMs?: number;
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
  #caughtUp = false;
  #waiters: Waiter[] = [];
  #caughtUpWaiters: (() => void)[] = [];
  #tail: Promise<void> = Promise.resolve();
  #queue: Promise<unknown> = Promise.resolve();
  #skipped = 0;
  readonly #readBackMs: number;

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

  /** Runs `operation` after every write begun before it has finished: reads of the state inside it see them all. */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation, operation);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Appends records in one batch (acks=all) and resolves once the tail has applied them. */
  async write(records: KafkaRecord[]): Promise<void> {
    let baseOffset: bigint;
    try {
      ({ baseOffset } = await this.#client.produce(this.topic, 0, records, { acks: -1 }));
    } catch (error) {
      if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
      this.#logger.error({ err: error, topic: this.topic }, 'schema store write failed');
      throw registryErrors.storeError();
    }
    const after = baseOffset + BigInt(records.length);
    if (this.#position >= after) return;
    // The write is durable (acks=all) but not yet visible here; answering now could let a read miss it.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(registryErrors.timeout(`reading back offset ${after - 1n} of ${this.topic}`));
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
              if (record.offset < this.#position) continue;
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
      if (this.#position >= waiter.offset) waiter.resolve();
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
