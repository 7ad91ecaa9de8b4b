/**
 * The elected writer's side of the store: fencing, decisions, and group
 * commit.
 *
 * - Fencing: before its first decision (and after any failed append) the
 *   writer takes a new producer epoch for the registry's transactional id
 *   and appends a NOOP with it (FencedProducer); once the tail has read
 *   past the NOOP, no earlier writer can append and the state holds all
 *   they did.
 * - Decisions: write operations run one at a time (`exclusive`) against
 *   the writer's decision state: the committed state as of the fence plus
 *   every record this writer has decided since, acknowledged or not. Reads
 *   never see it: they read the committed state, which takes the writer's
 *   records only once they are acknowledged (acks=all). Inside an
 *   operation, `state` is the decision state (an AsyncLocalStorage scope),
 *   so the service code is the same for both.
 * - Group commit: an operation's `write` applies its records to the
 *   decision state and queues them; the next operation may decide at once.
 *   One append is in flight at a time and carries every record queued
 *   meanwhile (up to `maxBatchBytes`), so concurrent registrations share
 *   appends. An operation's caller is answered when its records are
 *   acknowledged and committed. If an append fails, its operations and all
 *   decided after them fail, and the writer fences again, starting from
 *   the committed state.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConnectionError, FencedProducer, type KafkaClient, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { ErrorCode, type KafkaRecord } from '@runnel/protocol';
import { registryErrors } from './registry-error.ts';
import { applyRecord, type RegistryState } from './state.ts';
import { encodeKey } from './store-records.ts';

/** The transactional id whose producer epoch fences the registry's writers of `topic`. */
export function writerFencingId(topic: string): string {
  return `runnel-registry-writer.${topic}`;
}

/** What the writer needs of the store that tails the topic. */
export interface CommittedLog {
  readonly topic: string;
  readonly state: RegistryState;
  /** Puts acknowledged records starting at `baseOffset` into the committed state (at once, or once the tail has). */
  commit(records: readonly KafkaRecord[], baseOffset: bigint): Promise<void>;
  /** Resolves once the committed state holds every record below `after`. */
  readBack(after: bigint): Promise<void>;
}

interface Batch {
  records: KafkaRecord[];
  bytes: number;
  /** Settled when the batch is committed, or failed. */
  done: Promise<void>;
  settle: (error: Error | null) => void;
}

interface OperationScope {
  readonly decisions: RegistryState;
}

/** Below Kafka's default max.message.bytes (1 MiB) with room for the batch's own framing. */
const maxBatchBytes = 512 * 1024;
/**
 * One record's key and value at most: a larger one would fail its append
 * (and every registration sharing it) with RECORD_TOO_LARGE, so it is
 * refused before it is decided (42209, Confluent's "schema too large").
 */
export const maxRecordBytes = 900 * 1024;

export class SchemaWriter {
  readonly #client: KafkaClient;
  readonly #log: CommittedLog;
  readonly #logger: Logger;
  readonly #scope = new AsyncLocalStorage<OperationScope>();
  #elected = false;
  #producer: FencedProducer | null = null;
  #decisions: RegistryState | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  /** Batches decided and not yet committed, oldest first; the last may still be open for more records. */
  #pending: Batch[] = [];
  #open: Batch | null = null;
  #flushing: Promise<void> | null = null;

  readonly #onAppend: (records: number) => void;

  constructor(client: KafkaClient, log: CommittedLog, logger: Logger, onAppend: (records: number) => void = () => {}) {
    this.#client = client;
    this.#log = log;
    this.#logger = logger;
    this.#onAppend = onAppend;
  }

  /** The decision state when called inside an operation, else undefined. */
  get decisions(): RegistryState | undefined {
    return this.#scope.getStore()?.decisions;
  }

  setElected(elected: boolean): void {
    this.#elected = elected;
    if (!elected) this.#fail(registryErrors.unknownLeader());
  }

  get elected(): boolean {
    return this.#elected;
  }

  /**
   * Runs `operation` as the writer, after every operation begun before it
   * has decided; resolves once the records it wrote are committed. 50004
   * when this gateway is not the writer.
   */
  exclusive<T>(operation: () => Promise<T>): Promise<T> {
    type Decided = { outcome: { ok: true; value: T } | { ok: false; error: unknown }; waitFor: Batch[] };
    const decide = async (): Promise<Decided> => {
      if (!this.#elected) throw registryErrors.unknownLeader();
      if (this.#producer === null || this.#decisions === null) await this.#fence();
      const decisions = this.#decisions;
      if (decisions === null) throw registryErrors.unknownLeader();
      let outcome: Decided['outcome'];
      try {
        outcome = { ok: true, value: await this.#scope.run({ decisions }, operation) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      // Whatever the operation answers (an id, an error) may rest on records still in flight: it is given only
      // once they are committed, so no caller ever sees a decision a failed append undid.
      return { outcome, waitFor: [...this.#pending] };
    };
    const decided = this.#queue.then(decide, decide);
    this.#queue = decided.catch(() => undefined);
    return decided.then(async ({ outcome, waitFor }) => {
      for (const batch of waitFor) await batch.done;
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    });
  }

  /** Inside `exclusive` only: decides `records` (applied to the decision state) and queues them for the next append. */
  async write(records: KafkaRecord[]): Promise<void> {
    const scope = this.#scope.getStore();
    // Decided on a state a failed append has since discarded: nothing of it may be written.
    if (scope === undefined || scope.decisions !== this.#decisions) throw registryErrors.unknownLeader();
    for (const record of records) {
      const size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
      if (size > maxRecordBytes) throw registryErrors.schemaTooLarge(size, maxRecordBytes);
    }
    for (const record of records) applyRecord(scope.decisions, record.key ?? null, record.value ?? null);
    const bytes = records.reduce((sum, r) => sum + (r.key?.length ?? 0) + (r.value?.length ?? 0), 0);
    if (this.#open !== null && this.#open.records.length > 0 && this.#open.bytes + bytes > maxBatchBytes) {
      this.#open = null;
    }
    const batch = this.#open ?? this.#newBatch();
    batch.records.push(...records);
    batch.bytes += bytes;
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = null;
    });
  }

  #newBatch(): Batch {
    let settle: (error: Error | null) => void = () => undefined;
    const done = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === null ? resolve() : reject(error));
    });
    // Every batch's failure is also reported to the operations that wait for it; none goes unhandled.
    done.catch(() => undefined);
    const batch: Batch = { records: [], bytes: 0, done, settle };
    this.#open = batch;
    this.#pending.push(batch);
    return batch;
  }

  /** Appends the queued batches one after another until none is left. */
  async #flush(): Promise<void> {
    for (let batch = this.#pending[0]; batch !== undefined; batch = this.#pending[0]) {
      if (batch === this.#open) this.#open = null;
      const producer = this.#producer;
      if (producer === null) {
        this.#fail(registryErrors.unknownLeader());
        continue;
      }
      try {
        const { baseOffset } = await producer.send(this.#log.topic, 0, batch.records);
        this.#onAppend(batch.records.length);
        await this.#log.commit(batch.records, baseOffset);
        batch.settle(null);
      } catch (error) {
        const failure = error instanceof Error ? error : registryErrors.storeError();
        // A producer this writer has since replaced (it stepped down, or failed and fenced again): the batch's
        // decisions were discarded with it, and the new epoch's state must not be touched.
        if (producer === this.#producer) this.#fail(this.#appendFailed(failure));
        else batch.settle(registryErrors.unknownLeader());
      }
      if (this.#pending[0] === batch) this.#pending.shift();
    }
  }

  /** Fails every queued batch (each was decided on top of the failed one) and starts over from the committed state. */
  #fail(error: Error): void {
    const pending = this.#pending;
    this.#reset();
    for (const batch of pending) batch.settle(error);
  }

  #reset(): void {
    this.#producer = null;
    this.#decisions = null;
    this.#pending = [];
    this.#open = null;
  }

  async #fence(): Promise<void> {
    let producer: FencedProducer;
    let baseOffset: bigint;
    try {
      producer = await FencedProducer.init(this.#client, { transactionalId: writerFencingId(this.#log.topic) });
      ({ baseOffset } = await producer.send(this.#log.topic, 0, [
        { key: encodeKey({ keytype: 'NOOP' }), value: null },
      ]));
    } catch (error) {
      throw error instanceof Error ? this.#appendFailed(error) : error;
    }
    await this.#log.readBack(baseOffset + 1n);
    if (!this.#elected) throw registryErrors.unknownLeader();
    this.#logger.info(
      { topic: this.#log.topic, ...producer.producer, offset: String(baseOffset) },
      'registry writer fenced earlier writers',
    );
    this.#producer = producer;
    // The writer's own copy to decide on; the committed state stays what reads see.
    this.#decisions = structuredClone(this.#log.state);
  }

  /** The answer for a failed append; after any failure the writer fences again before its next decision. */
  #appendFailed(error: Error): Error {
    this.#producer = null;
    if (!(error instanceof KafkaError || error instanceof ConnectionError)) return error;
    if (error instanceof KafkaError && error.code === ErrorCode.INVALID_PRODUCER_EPOCH) {
      // A newer writer fenced this one: the election has moved on, so stop writing until it says otherwise.
      this.#elected = false;
      this.#logger.warn({ topic: this.#log.topic }, 'a newer registry writer fenced this gateway; no longer writing');
      return registryErrors.unknownLeader();
    }
    this.#logger.error({ err: error, topic: this.#log.topic }, 'schema store write failed');
    return registryErrors.storeError();
  }
}
