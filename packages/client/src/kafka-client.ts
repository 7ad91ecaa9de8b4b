/**
 * KafkaClient: connections to a cluster's brokers, routing by partition
 * leader, and the calls the CLI, gateway, bench and tests need.
 *
 * Errors: per-item Kafka error codes come back as data (createTopics,
 * deleteTopics, describeConfigs results; fetch's errorCode; metadata's topic
 * and partition codes). produce and listOffsets, which have one partition
 * and nothing useful to return on failure, throw KafkaError. Transport
 * failures throw ConnectionError. Leader changes (NOT_LEADER_OR_FOLLOWER,
 * LEADER_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PARTITION) are retried a bounded
 * number of times after refreshing metadata, before surfacing.
 */
import {
  ApiKeys,
  type CompressionCodec,
  ErrorCode,
  encodeRecordBatch,
  type KafkaRecord,
  type RecordsData,
} from '@runnel/protocol';
import {
  type ConfigResource,
  type ConfigResult,
  createTopicsRequest,
  createTopicsResults,
  deleteTopicsRequest,
  deleteTopicsResults,
  describeConfigsRequest,
  describeConfigsResults,
  type NewTopic,
  type TopicResult,
} from './admin-requests.ts';
import { type BrokerAddress, parseBootstrap } from './bootstrap.ts';
import { type ClusterMetadata, LeaderCache, type Route, toClusterMetadata } from './cluster-metadata.ts';
import { Connection } from './connection.ts';
import { type ConsumedRecord, type ConsumeOptions, consumePartition } from './consume.ts';
import { ConnectionError, KafkaError } from './errors.ts';
import {
  type Acks,
  type FetchOptions,
  type FetchResult,
  fetchRequest,
  fetchResult,
  type IsolationLevel,
  listOffsetsRequest,
  listOffsetsResult,
  type OffsetLookup,
  type ProduceResult,
  produceRequest,
  produceResult,
} from './partition-requests.ts';

export interface KafkaClientOptions {
  /** "host:port[,host:port...]" */
  bootstrap: string;
  clientId?: string;
  /** Per-request timeout. Default 30000. */
  requestTimeoutMs?: number;
  /** Attempts after the first on a leader change. Default 5. */
  retries?: number;
  /** First retry delay, doubled per attempt. Default 50. */
  retryBackoffMs?: number;
  /** Whether routing metadata requests may auto-create topics (broker permitting). Default true. */
  allowAutoTopicCreation?: boolean;
}

export interface ProduceOptions {
  acks: Acks;
  /** Codec for batches the client encodes; prebuilt Buffers are sent as they are. Default 'none'. */
  compression?: CompressionCodec;
  /** How long the broker may wait for acks=-1 replication. Default 30000. */
  timeoutMs?: number;
  /** The transactional id prebuilt transactional batches belong to (brokers refuse them without one). */
  transactionalId?: string;
  /**
   * 2 lets the produce go as v12, whose transactional batches the broker
   * adds to their transaction (KIP-890 part 2); otherwise Produce goes at
   * most as v11, as Kafka's clients send it without transaction version 2.
   */
  transactionVersion?: 1 | 2;
}

/** The last Produce version before transaction version 2 (v12 adds partitions to transactions). */
export const produceVersionBeforeTransactionV2 = 11;

/**
 * Fetch goes at most as v12: v13+ names topics by id (KIP-516), and this
 * client routes and reports by topic name with Metadata below v10, which
 * carries no ids. v12 already has everything else this client uses.
 */
export const fetchVersionBeforeTopicIds = 12;

/** Codes that mean "ask metadata again and retry": the write or read did not happen. */
const leaderChangeCodes: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

/**
 * Owned by its creator, who must close() it. Safe to use concurrently: calls
 * share connections and pipeline on them. A broken connection is dropped
 * and reopened by the next call that needs it; the client itself stays usable.
 */
export class KafkaClient {
  readonly #bootstrap: BrokerAddress[];
  readonly #clientId: string;
  readonly #requestTimeoutMs: number;
  readonly #retries: number;
  readonly #retryBackoffMs: number;
  readonly #allowAutoTopicCreation: boolean;
  readonly #connections = new Map<string, Promise<Connection>>();
  readonly #leaders = new LeaderCache();
  #closed = false;

  private constructor(bootstrap: BrokerAddress[], options: KafkaClientOptions) {
    this.#bootstrap = bootstrap;
    this.#clientId = options.clientId ?? 'runnel-client';
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#retries = options.retries ?? 5;
    this.#retryBackoffMs = options.retryBackoffMs ?? 50;
    this.#allowAutoTopicCreation = options.allowAutoTopicCreation ?? true;
  }

  /** Connects to the first bootstrap server that answers; rejects with ConnectionError when none does. */
  static async connect(options: KafkaClientOptions): Promise<KafkaClient> {
    const parsed = parseBootstrap(options.bootstrap);
    if (!parsed.ok) throw new ConnectionError('connect_failed', parsed.message ?? 'invalid bootstrap list');
    const client = new KafkaClient(parsed.value, options);
    await client.#anyConnection();
    return client;
  }

  /** Topic and partition errors are data in the result; null asks for every topic. */
  async metadata(
    topics: string[] | null,
    options: { allowAutoTopicCreation?: boolean } = {},
  ): Promise<ClusterMetadata> {
    const connection = await this.#anyConnection();
    const v0 = connection.versionOf(ApiKeys.Metadata) === 0;
    const response = await connection.request(ApiKeys.Metadata, {
      // v0 has no null: an empty list means every topic there.
      topics: topics === null ? (v0 ? [] : null) : topics.map((name) => ({ name })),
      allowAutoTopicCreation: options.allowAutoTopicCreation ?? false,
    });
    const metadata = toClusterMetadata(response);
    this.#leaders.update(metadata);
    return metadata;
  }

  async createTopics(
    topics: readonly NewTopic[],
    options: { timeoutMs?: number; validateOnly?: boolean } = {},
  ): Promise<TopicResult[]> {
    const connection = await this.#anyConnection();
    const version = connection.versionOf(ApiKeys.CreateTopics) ?? 0;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const body = createTopicsRequest(topics, version, timeoutMs, options.validateOnly ?? false);
    const response = await connection.request(ApiKeys.CreateTopics, body, { timeoutMs: this.#withSlack(timeoutMs) });
    return createTopicsResults(response);
  }

  async deleteTopics(names: readonly string[], options: { timeoutMs?: number } = {}): Promise<TopicResult[]> {
    const connection = await this.#anyConnection();
    const timeoutMs = options.timeoutMs ?? 30_000;
    const version = connection.versionOf(ApiKeys.DeleteTopics) ?? 1;
    const response = await connection.request(ApiKeys.DeleteTopics, deleteTopicsRequest(names, version, timeoutMs), {
      timeoutMs: this.#withSlack(timeoutMs),
    });
    for (const name of names) this.#leaders.forget(name);
    return deleteTopicsResults(response);
  }

  async describeConfigs(resources: readonly ConfigResource[]): Promise<ConfigResult[]> {
    const connection = await this.#anyConnection();
    return describeConfigsResults(await connection.request(ApiKeys.DescribeConfigs, describeConfigsRequest(resources)));
  }

  /**
   * The offset for a timestamp: -1n the log end (latest), -2n the log start
   * (earliest), else the first offset whose timestamp is at or after it
   * (offset -1n when there is none). With `isolation: 'read_committed'`,
   * latest is the last stable offset. Throws KafkaError.
   */
  async listOffsets(
    topic: string,
    partition: number,
    timestamp: bigint,
    options: { isolation?: IsolationLevel } = {},
  ): Promise<{ offset: bigint; timestamp: bigint }> {
    const body = listOffsetsRequest(topic, partition, timestamp, options.isolation);
    const result = await this.#onLeader<OffsetLookup>(topic, partition, true, async (connection) =>
      listOffsetsResult(await connection.request(ApiKeys.ListOffsets, body), topic, partition),
    );
    if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode);
    return { offset: result.offset, timestamp: result.timestamp };
  }

  /**
   * DeleteRecords on the partition leader: records below `offset` (-1n: the
   * high watermark) are no longer served. Resolves with the new low
   * watermark once every live replica has dropped them. Throws KafkaError
   * (OFFSET_OUT_OF_RANGE past the high watermark, POLICY_VIOLATION on a
   * compact-only topic, REQUEST_TIMED_OUT, ...).
   */
  async deleteRecords(
    topic: string,
    partition: number,
    offset: bigint,
    options: { timeoutMs?: number } = {},
  ): Promise<bigint> {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const body = { topics: [{ name: topic, partitions: [{ partitionIndex: partition, offset }] }], timeoutMs };
    // Moving the log start twice to the same offset is harmless, so a broken connection is retried.
    const result = await this.#onLeader(topic, partition, true, async (connection) => {
      const response = await connection.request(ApiKeys.DeleteRecords, body, { timeoutMs: this.#withSlack(timeoutMs) });
      const p = response.topics.find((t) => t.name === topic)?.partitions.find((x) => x.partitionIndex === partition);
      if (p === undefined)
        throw new ConnectionError('malformed_response', `DeleteRecords response lacks ${topic}-${partition}`);
      return p;
    });
    if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode);
    return result.lowWatermark;
  }

  /**
   * Appends records (encoded into one batch here) or prebuilt batches (sent
   * as they are, never copied). acks=0 resolves once the request is written:
   * the broker sends no response. Throws KafkaError.
   */
  async produce(
    topic: string,
    partition: number,
    records: readonly KafkaRecord[] | Buffer,
    options: ProduceOptions,
  ): Promise<ProduceResult> {
    const batch: RecordsData = Buffer.isBuffer(records)
      ? records
      : await encodeRecordBatch({ records: [...records], compression: options.compression ?? 'none' });
    const timeoutMs = options.timeoutMs ?? 30_000;
    const body = produceRequest(topic, partition, batch, options.acks, timeoutMs, options.transactionalId ?? null);
    const maxVersion = options.transactionVersion === 2 ? undefined : produceVersionBeforeTransactionV2;
    if (options.acks === 0) {
      const route = await this.#route(topic, partition);
      if (!route.ok) throw new KafkaError(route.errorCode);
      await (await this.#connection(route.address)).send(ApiKeys.Produce, body, { maxVersion });
      return { baseOffset: -1n, logAppendTimeMs: -1n };
    }
    // Not retried on connection errors: without idempotence a resend could duplicate the batch.
    const result = await this.#onLeader(topic, partition, false, async (connection) =>
      produceResult(
        await connection.request(ApiKeys.Produce, body, { timeoutMs: this.#withSlack(timeoutMs), maxVersion }),
        topic,
        partition,
      ),
    );
    if (result.errorCode !== ErrorCode.NONE) throw new KafkaError(result.errorCode);
    return { baseOffset: result.baseOffset, logAppendTimeMs: result.logAppendTimeMs };
  }

  /** One fetch from the partition leader; the partition's error code is data in the result. */
  fetch(topic: string, partition: number, offset: bigint, options: FetchOptions = {}): Promise<FetchResult> {
    const body = fetchRequest(topic, partition, offset, options);
    const timeoutMs = this.#withSlack(body.maxWaitMs);
    return this.#onLeader(topic, partition, true, async (connection) =>
      fetchResult(
        await connection.request(ApiKeys.Fetch, body, { timeoutMs, maxVersion: fetchVersionBeforeTopicIds }),
        topic,
        partition,
      ),
    );
  }

  /** Records of one partition in offset order, decoded; see ConsumeOptions. Throws KafkaError. */
  consume(topic: string, partition: number, options: ConsumeOptions): AsyncGenerator<ConsumedRecord> {
    return consumePartition(this, topic, partition, options);
  }

  /**
   * The pooled connection to one broker, for APIs this class does not wrap
   * (GroupAdmin). The client owns it: callers must not close it.
   */
  connectionTo(address: BrokerAddress): Promise<Connection> {
    return this.#connection(address);
  }

  /** Any live pooled connection (see connectionTo); rejects with ConnectionError when no broker answers. */
  anyConnection(): Promise<Connection> {
    return this.#anyConnection();
  }

  /** Closes every connection; pending calls reject with ConnectionError. */
  close(): void {
    this.#closed = true;
    const connections = [...this.#connections.values()];
    this.#connections.clear();
    for (const c of connections)
      c.then(
        (connection) => connection.close(),
        () => {},
      );
  }

  #withSlack(brokerWaitMs: number): number {
    return this.#requestTimeoutMs + Math.max(0, brokerWaitMs);
  }

  /**
   * Runs `call` on the partition leader, refreshing metadata and retrying
   * (with backoff) while the answer is a leader change; `readOnly` calls are
   * also retried after a broken connection.
   */
  async #onLeader<T extends { errorCode: number }>(
    topic: string,
    partition: number,
    readOnly: boolean,
    call: (connection: Connection) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const lastAttempt = attempt >= this.#retries;
      const route = await this.#route(topic, partition);
      if (!route.ok) {
        if (lastAttempt || !leaderChangeCodes.has(route.errorCode)) throw new KafkaError(route.errorCode);
      } else {
        try {
          const result = await call(await this.#connection(route.address));
          if (lastAttempt || !leaderChangeCodes.has(result.errorCode)) return result;
        } catch (error) {
          const retriable =
            error instanceof ConnectionError && (error.reason === 'closed' || error.reason === 'connect_failed');
          if (lastAttempt || !readOnly || !retriable) throw error;
        }
      }
      this.#leaders.forget(topic);
      await delay(this.#retryBackoffMs * 2 ** attempt);
    }
  }

  async #route(topic: string, partition: number): Promise<Route> {
    const cached = this.#leaders.route(topic, partition);
    if (cached !== undefined) return cached;
    const metadata = await this.metadata([topic], { allowAutoTopicCreation: this.#allowAutoTopicCreation });
    const info = metadata.topics.find((t) => t.name === topic);
    return (
      this.#leaders.route(topic, partition, info?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) ?? {
        ok: false,
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      }
    );
  }

  /** A live connection to any broker: an open one if there is one, else the bootstrap servers in order. */
  async #anyConnection(): Promise<Connection> {
    for (const pending of this.#connections.values()) {
      const connection = await pending.catch(() => null);
      if (connection !== null && !connection.closed) return connection;
    }
    let lastError: unknown = null;
    for (const address of this.#bootstrap) {
      try {
        return await this.#connection(address);
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof ConnectionError
      ? lastError
      : new ConnectionError('connect_failed', 'no bootstrap server answered', { cause: lastError });
  }

  #connection(address: BrokerAddress): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionError('closed', 'the client is closed'));
    const key = `${address.host}:${address.port}`;
    const existing = this.#connections.get(key);
    if (existing !== undefined) return existing;
    const opening = Connection.connect({
      host: address.host,
      port: address.port,
      clientId: this.#clientId,
      requestTimeoutMs: this.#requestTimeoutMs,
    });
    this.#connections.set(key, opening);
    const drop = (): void => {
      if (this.#connections.get(key) === opening) this.#connections.delete(key);
    };
    opening.then((connection) => connection.onClose(drop), drop);
    return opening;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
