/**
 * A single writer's producer, fenced by producer epoch: an idempotent
 * producer whose producer id and epoch come from InitProducerId for a
 * transactional id, so that each `init` for the same id raises the epoch.
 * Once the newest holder has written a batch to a partition, that
 * partition refuses every batch of an older epoch with
 * INVALID_PRODUCER_EPOCH, so a paused or partitioned former writer (a
 * zombie) can no longer append there. It never opens a transaction: its
 * batches are plain idempotent ones, visible to every reader at once.
 *
 * This is how a group of processes that elect one writer (the gateway's
 * Schema Registry) make sure two of them can never both append decisions
 * taken from the same state, whatever the election believes.
 *
 * A send that fails leaves the producer's sequence unknown; the producer
 * is then `broken` and the caller must `init` a new one (which fences this
 * one as well).
 */
import { ErrorCode, encodeRecordBatch, type KafkaRecord } from '@runnel/protocol';
import { initProducerId } from './coordinator-lookup.ts';
import { KafkaError } from './errors.ts';
import type { KafkaClient } from './kafka-client.ts';
import type { ProduceResult } from './partition-requests.ts';

export interface FencedProducerOptions {
  /** The name every writer of the group shares; a new `init` fences the holder before it. */
  readonly transactionalId: string;
  /** How long a moving transaction coordinator is waited for. Default 30000. */
  readonly coordinatorWaitMs?: number;
  /** How long the broker may wait for acks=all replication. Default 30000. */
  readonly produceTimeoutMs?: number;
}

export class FencedProducer {
  readonly #client: KafkaClient;
  readonly #producerId: bigint;
  readonly #producerEpoch: number;
  readonly #produceTimeoutMs: number;
  readonly #sequences = new Map<string, number>();
  #broken = false;

  private constructor(client: KafkaClient, producerId: bigint, producerEpoch: number, produceTimeoutMs: number) {
    this.#client = client;
    this.#producerId = producerId;
    this.#producerEpoch = producerEpoch;
    this.#produceTimeoutMs = produceTimeoutMs;
  }

  /** InitProducerId for the id: this producer's epoch is newer than every earlier holder's. Throws KafkaError. */
  static async init(client: KafkaClient, options: FencedProducerOptions): Promise<FencedProducer> {
    const answer = await initProducerId(client, {
      transactionalId: options.transactionalId,
      // Never used: this producer opens no transaction.
      transactionTimeoutMs: 60_000,
      waitMs: options.coordinatorWaitMs ?? 30_000,
    });
    if (answer.errorCode !== ErrorCode.NONE) throw new KafkaError(answer.errorCode);
    return new FencedProducer(client, answer.producerId, answer.producerEpoch, options.produceTimeoutMs ?? 30_000);
  }

  get producer(): { producerId: bigint; producerEpoch: number } {
    return { producerId: this.#producerId, producerEpoch: this.#producerEpoch };
  }

  /** True after a failed send: the sequence is unknown, so nothing more may be sent with this epoch. */
  get broken(): boolean {
    return this.#broken;
  }

  /**
   * Appends the records as one idempotent batch (acks=all). Throws
   * KafkaError (INVALID_PRODUCER_EPOCH once a newer holder has written to
   * the partition) or ConnectionError; either leaves the producer broken.
   */
  async send(topic: string, partition: number, records: readonly KafkaRecord[]): Promise<ProduceResult> {
    if (this.#broken) throw new KafkaError(ErrorCode.INVALID_PRODUCER_EPOCH, 'this producer failed a send before');
    const key = `${topic}/${partition}`;
    const baseSequence = this.#sequences.get(key) ?? 0;
    const batch = await encodeRecordBatch({
      records: [...records],
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      baseSequence,
    });
    try {
      const result = await this.#client.produce(topic, partition, batch, {
        acks: -1,
        timeoutMs: this.#produceTimeoutMs,
      });
      this.#sequences.set(key, (baseSequence + records.length) % 2 ** 31);
      return result;
    } catch (error) {
      this.#broken = true;
      throw error;
    }
  }
}
