/**
 * A transactional producer speaking transaction version 2 only (KIP-890
 * part 2), as Kafka's Java producer does once a broker finalizes
 * `transaction.version` 2: no AddPartitionsToTxn or AddOffsetsToTxn —
 * Produce v12 and TxnOffsetCommit v5 add their partitions on the way —
 * and every EndTxn (v5) raises the producer epoch, its answer naming the
 * producer id and epoch of the next transaction, whose sequences start at
 * 0 on every partition. So a request of an earlier transaction arriving
 * late can never join or end a later one.
 *
 * One transaction at a time; `send` and `sendOffsets` calls may overlap,
 * but one partition's sends must not (one batch in flight per partition).
 * A send is retried with the same sequence while its outcome is unknown,
 * so a retry is deduplicated by the leader. Any error that leaves a
 * transaction's outcome unknown is the caller's to end: `abort()` (which
 * always raises the epoch), or `close()` and a new producer, whose
 * InitProducerId fences this one.
 */
import { ApiKeys, ErrorCode, encodeRecordBatch, type KafkaRecord, type TxnOffsetCommitRequest } from '@runnel/protocol';
import type { Connection } from './connection.ts';
import {
  backoff,
  CoordinatorKeyType,
  coordinatorMovingCodes,
  initProducerId,
  onCoordinator,
} from './coordinator-lookup.ts';
import { ConnectionError, KafkaError } from './errors.ts';
import type { KafkaClient } from './kafka-client.ts';

export interface TransactionalProducerOptions {
  readonly transactionalId: string;
  /** The coordinator aborts a transaction open longer than this. Default 60000. */
  readonly transactionTimeoutMs?: number;
  /** How long a call keeps retrying retriable errors (coordinator moves, leader moves, timeouts). Default 30000. */
  readonly retryWindowMs?: number;
}

export interface TxnOffset {
  readonly topic: string;
  readonly partition: number;
  /** The next offset the group should read. */
  readonly offset: bigint;
}

/** Codes after which the same request may be sent again unchanged. */
const retriableCodes: ReadonlySet<number> = new Set([
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.NETWORK_EXCEPTION,
]);

const endTxnVersionV2 = 5;
const produceVersionV2 = 12;
const txnOffsetCommitVersionV2 = 5;

export class TransactionalProducer {
  readonly #client: KafkaClient;
  readonly #transactionalId: string;
  readonly #retryWindowMs: number;
  #producerId: bigint;
  #producerEpoch: number;
  /** Next sequence per "topic/partition" in this epoch. */
  #sequences = new Map<string, number>();
  /** Whether anything of the current transaction reached (or may have reached) a broker. */
  #started = false;

  private constructor(client: KafkaClient, options: TransactionalProducerOptions, producerId: bigint, epoch: number) {
    this.#client = client;
    this.#transactionalId = options.transactionalId;
    this.#retryWindowMs = options.retryWindowMs ?? 30_000;
    this.#producerId = producerId;
    this.#producerEpoch = epoch;
  }

  /** InitProducerId for the transactional id (fencing any earlier producer of it); throws KafkaError. */
  static async init(client: KafkaClient, options: TransactionalProducerOptions): Promise<TransactionalProducer> {
    const waitMs = options.retryWindowMs ?? 30_000;
    const answer = await retrying(waitMs, () =>
      initProducerId(client, {
        transactionalId: options.transactionalId,
        transactionTimeoutMs: options.transactionTimeoutMs ?? 60_000,
        waitMs,
        check: requireTransactionV2,
      }),
    );
    if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode);
    return new TransactionalProducer(client, options, answer.producerId, answer.producerEpoch);
  }

  /** The producer id and epoch the current transaction's batches carry. */
  get producer(): { producerId: bigint; producerEpoch: number } {
    return { producerId: this.#producerId, producerEpoch: this.#producerEpoch };
  }

  /**
   * Sends records to one partition inside the transaction (acks=all); the
   * partition joins the transaction on the way. Resolves with the batch's
   * base offset; throws KafkaError / ConnectionError when the retry window
   * is spent or the error is not retriable.
   */
  async send(topic: string, partition: number, records: readonly KafkaRecord[]): Promise<bigint> {
    const key = `${topic}/${partition}`;
    const baseSequence = this.#sequences.get(key) ?? 0;
    const batch = await encodeRecordBatch({
      records: [...records],
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      baseSequence,
      transactional: true,
    });
    this.#started = true;
    const result = await retrying(this.#retryWindowMs, () =>
      this.#client
        .produce(topic, partition, batch, {
          acks: -1,
          transactionalId: this.#transactionalId,
          transactionVersion: 2,
        })
        .then((r) => ({ errorCode: ErrorCode.NONE, baseOffset: r.baseOffset }))
        .catch((error: unknown) => {
          if (error instanceof KafkaError) return { errorCode: error.code, baseOffset: -1n };
          throw error;
        }),
    );
    if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode);
    this.#sequences.set(key, baseSequence + records.length);
    return result.baseOffset;
  }

  /**
   * Commits a consumer group's offsets with the transaction
   * (TxnOffsetCommit v5, which adds the group's offsets partition to it).
   * The group is committed to as a non-member (generation -1).
   */
  async sendOffsets(groupId: string, offsets: readonly TxnOffset[]): Promise<void> {
    this.#started = true;
    const byTopic = new Map<string, { partitionIndex: number; committedOffset: bigint }[]>();
    for (const o of offsets) {
      const list = byTopic.get(o.topic) ?? [];
      list.push({ partitionIndex: o.partition, committedOffset: o.offset });
      byTopic.set(o.topic, list);
    }
    const request: TxnOffsetCommitRequest = {
      transactionalId: this.#transactionalId,
      groupId,
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: [...byTopic].map(([name, partitions]) => ({
        name,
        partitions: partitions.map((p) => ({ ...p, committedLeaderEpoch: -1, committedMetadata: null })),
      })),
    };
    const target = { key: groupId, keyType: CoordinatorKeyType.group, waitMs: this.#retryWindowMs };
    const result = await retrying(this.#retryWindowMs, () =>
      onCoordinator(this.#client, target, async (connection) => {
        requireTransactionV2(connection);
        const response = await connection.request(ApiKeys.TxnOffsetCommit, request);
        const codes = response.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
        return { errorCode: codes.find((c) => c !== ErrorCode.NONE) ?? ErrorCode.NONE };
      }),
    );
    if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode);
  }

  commit(): Promise<void> {
    return this.#end(true);
  }

  /** Aborts the transaction; with nothing sent since the last end it is a no-op, as in Kafka's producer. */
  abort(): Promise<void> {
    return this.#end(false);
  }

  /** EndTxn v5, retried with the same epoch (the coordinator answers a retry as the first attempt). */
  async #end(commit: boolean): Promise<void> {
    if (!this.#started) return;
    const target = { key: this.#transactionalId, keyType: CoordinatorKeyType.transaction, waitMs: this.#retryWindowMs };
    const answer = await retrying(this.#retryWindowMs, () =>
      onCoordinator(this.#client, target, async (connection) => {
        requireTransactionV2(connection);
        return connection.request(ApiKeys.EndTxn, {
          transactionalId: this.#transactionalId,
          producerId: this.#producerId,
          producerEpoch: this.#producerEpoch,
          committed: commit,
        });
      }),
    );
    if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode);
    if (answer.producerId === undefined || answer.producerEpoch === undefined || answer.producerId < 0n) {
      throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, 'EndTxn v5 answered without the next producer epoch');
    }
    this.#producerId = answer.producerId;
    this.#producerEpoch = answer.producerEpoch;
    this.#sequences = new Map();
    this.#started = false;
  }
}

/** This producer needs a broker that serves transaction version 2's request versions. */
function requireTransactionV2(connection: Connection): void {
  const enough = (api: number, version: number) => (connection.versionOf(api) ?? -1) >= version;
  if (
    !enough(ApiKeys.EndTxn, endTxnVersionV2) ||
    !enough(ApiKeys.Produce, produceVersionV2) ||
    !enough(ApiKeys.TxnOffsetCommit, txnOffsetCommitVersionV2)
  ) {
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `${connection.address} does not serve transaction version 2`);
  }
}

/**
 * Runs `call` again, with backoff, while it answers a retriable code or
 * fails on its connection, until `windowMs` has passed; then returns (or
 * throws) what the last attempt gave.
 */
async function retrying<T extends { errorCode: number }>(windowMs: number, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + windowMs;
  for (let attempt = 0; ; attempt++) {
    let result: T;
    try {
      result = await call();
    } catch (error) {
      const retriable = error instanceof ConnectionError && error.reason !== 'unsupported_api';
      const moving = error instanceof KafkaError && coordinatorMovingCodes.has(error.code);
      if ((!retriable && !moving) || Date.now() > deadline) throw error;
      await backoff(attempt);
      continue;
    }
    if (!retriableCodes.has(result.errorCode) || Date.now() > deadline) return result;
    await backoff(attempt);
  }
}
