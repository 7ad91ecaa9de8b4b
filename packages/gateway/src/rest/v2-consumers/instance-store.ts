/**
 * Every gateway's view of every v2 consumer instance: the compacted,
 * single-partition topic `_runnel_rest_consumers` (created if missing, as
 * the registry creates `_schemas`) read from its start and tailed while the
 * gateway runs. One record per instance (instance-definition.ts); the last
 * one of a key wins, so compaction keeps exactly what a reader needs.
 *
 * `write` appends with acks=all and resolves once the tail has applied the
 * record, so the writer's next read sees it. `sync` is a read barrier: the
 * partition's end, read after the call, has been applied, so a lookup after
 * it sees every definition written before the request arrived, by any
 * gateway. `onChange` tells the owner when another gateway took one of its
 * instances or deleted it.
 *
 * Owned by ConsumerInstances, started on the first consumer request,
 * stopped with the gateway. The tail has its own client:
 * its long polls must not queue behind the gateway's other requests.
 */
import { ConnectionError, type KafkaClient, KafkaError } from '@runnel/client';
import type { Logger } from '@runnel/common';
import { decodeRecordBatches, ErrorCode, isControl } from '@runnel/protocol';
import { Backoff } from '../../backoff.ts';
import { RestError, restErrorCodes } from '../rest-error.ts';
import {
  decodeDefinition,
  decodeDefinitionKey,
  encodeDefinition,
  encodeDefinitionKey,
  type InstanceDefinition,
  instanceKey,
} from './instance-definition.ts';

export const instancesTopic = '_runnel_rest_consumers';

/** How long a write or a barrier waits for the tail before answering 50002. */
const readBackMs = 15_000;

interface Waiter {
  offset: bigint;
  resolve: () => void;
}

export class InstanceStore {
  readonly #definitions = new Map<string, InstanceDefinition>();
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  readonly #listeners: ((key: string, definition: InstanceDefinition | null) => void)[] = [];
  #client: KafkaClient | null = null;
  #reader: KafkaClient | null = null;
  #position = 0n;
  #waiters: Waiter[] = [];
  #tail: Promise<void> = Promise.resolve();
  #started: Promise<void> | null = null;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Creates the topic if missing and starts the tail (once: later calls share the first). */
  start(client: KafkaClient, connectReader: () => Promise<KafkaClient>): Promise<void> {
    this.#started ??= (async () => {
      this.#client = client;
      // A cluster just started may not take CreateTopics yet: retried until it does or the gateway stops.
      const backoff = new Backoff(100, 2_000);
      let reader: KafkaClient;
      for (;;) {
        try {
          await this.#ensureTopic(client);
          reader = await connectReader();
          break;
        } catch (error) {
          if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
          if (this.#abort.signal.aborted) return;
          this.#logger.warn({ err: error, topic: instancesTopic }, 'consumer instances topic not ready; retrying');
          await backoff.wait(this.#abort.signal);
        }
      }
      if (this.#abort.signal.aborted) {
        reader.close();
        return;
      }
      this.#reader = reader;
      this.#tail = this.#tailLoop(reader).catch((error: unknown) => {
        this.#logger.error({ err: error, topic: instancesTopic }, 'consumer instances topic tail stopped');
      });
    })();
    return this.#started;
  }

  get(group: string, name: string): InstanceDefinition | null {
    return this.#definitions.get(instanceKey(group, name)) ?? null;
  }

  all(): IterableIterator<InstanceDefinition> {
    return this.#definitions.values();
  }

  onChange(listener: (key: string, definition: InstanceDefinition | null) => void): void {
    this.#listeners.push(listener);
  }

  /** Appends the definition (or, with null, deletes it) and waits until this gateway's view holds it. */
  async write(group: string, name: string, definition: InstanceDefinition | null): Promise<void> {
    const client = this.#requireClient();
    const record = {
      key: encodeDefinitionKey(group, name),
      value: definition === null ? null : encodeDefinition(definition),
    };
    let baseOffset: bigint;
    try {
      ({ baseOffset } = await client.produce(instancesTopic, 0, [record], { acks: -1 }));
    } catch (error) {
      throw kafkaFailure('writing the consumer instance', error);
    }
    await this.#readBack(baseOffset + 1n);
  }

  /** Resolves once the view holds every record written before the call. */
  async sync(): Promise<void> {
    const client = this.#requireClient();
    if (this.#started !== null) await this.#started;
    let end: bigint;
    try {
      end = (await client.listOffsets(instancesTopic, 0, -1n)).offset;
    } catch (error) {
      throw kafkaFailure('reading the consumer instances topic', error);
    }
    await this.#readBack(end);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#tail;
    this.#reader?.close();
    this.#reader = null;
  }

  #requireClient(): KafkaClient {
    if (this.#client === null) {
      throw new RestError(restErrorCodes.kafkaUnavailable, 'the cluster has not answered yet');
    }
    return this.#client;
  }

  async #readBack(after: bigint): Promise<void> {
    if (this.#position >= after) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new RestError(restErrorCodes.kafkaError, `timed out reading ${instancesTopic} to offset ${after}`));
      }, readBackMs);
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

  async #ensureTopic(client: KafkaClient): Promise<void> {
    const metadata = await client.metadata([instancesTopic], { allowAutoTopicCreation: false });
    const existing = metadata.topics.find((t) => t.name === instancesTopic);
    if (existing !== undefined && existing.errorCode === 0) return;
    // One partition orders every gateway's writes; compaction keeps each instance's last record.
    const replicationFactor = Math.min(3, Math.max(1, metadata.brokers.length));
    const [result] = await client.createTopics([
      { name: instancesTopic, numPartitions: 1, replicationFactor, configs: { 'cleanup.policy': 'compact' } },
    ]);
    if (result !== undefined && result.errorCode !== 0 && result.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new KafkaError(result.errorCode, `creating ${instancesTopic}: ${result.errorMessage ?? result.errorName}`);
    }
    this.#logger.info({ topic: instancesTopic, replicationFactor }, 'created the consumer instances topic');
  }

  async #tailLoop(reader: KafkaClient): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff(50, 2_000);
    while (!signal.aborted) {
      try {
        const fetched = await reader.fetch(instancesTopic, 0, this.#position, { maxWaitMs: 500 });
        if (fetched.errorCode === ErrorCode.OFFSET_OUT_OF_RANGE) {
          this.#position = (await reader.listOffsets(instancesTopic, 0, -2n)).offset;
          continue;
        }
        if (fetched.errorCode !== 0) throw new KafkaError(fetched.errorCode);
        for (const batch of await decodeRecordBatches(fetched.records)) {
          if (!isControl(batch.header.attributes)) {
            for (const record of batch.records) {
              if (record.offset >= this.#position) this.#apply(record.key, record.value);
            }
          }
          const next = batch.header.baseOffset + BigInt(batch.header.lastOffsetDelta) + 1n;
          if (next > this.#position) this.#position = next;
        }
        backoff.reset();
        this.#release();
      } catch (error) {
        if (!(error instanceof KafkaError || error instanceof ConnectionError)) throw error;
        if (signal.aborted) return;
        this.#logger.warn({ err: error, topic: instancesTopic }, 'consumer instances topic read failed; retrying');
        await backoff.wait(signal);
      }
    }
  }

  #apply(keyBytes: Buffer | null, value: Buffer | null): void {
    const key = decodeDefinitionKey(keyBytes);
    if (key === null) return;
    const id = instanceKey(key.group, key.name);
    const definition = value === null ? null : decodeDefinition(value);
    if (definition === null) this.#definitions.delete(id);
    else this.#definitions.set(id, definition);
    for (const listener of this.#listeners) listener(id, definition);
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
}

function kafkaFailure(what: string, error: unknown): RestError {
  if (error instanceof RestError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new RestError(restErrorCodes.kafkaError, `${what}: ${message}`, { cause: error });
}
