/**
 * The transactional workload's producers, behind one small interface so
 * the same workload runs with either protocol:
 *
 * - `kafkajs`: kafkajs's transactional producer, transaction version 1
 *   (AddPartitionsToTxn, AddOffsetsToTxn, one producer epoch for all its
 *   transactions). No broker can defend it against an old EndTxn replayed
 *   during its next transaction (README "Replaying old requests").
 * - `tv2`: @runnel/client's TransactionalProducer, transaction version 2
 *   (Produce v12, TxnOffsetCommit v5, EndTxn v5 raising the epoch at every
 *   end), what Kafka's Java producer speaks to a broker that finalizes
 *   transaction.version 2.
 *
 * A session is one producer's life: `open` runs InitProducerId (fencing
 * the id's earlier producer); any error is the workload's cue to drop the
 * session and open a new one.
 */
import { KafkaClient, TransactionalProducer } from '@runnel/client';
import type { Kafka, Producer, Transaction } from 'kafkajs';

export type TxnProducerKind = 'kafkajs' | 'tv2';

export interface TxnSession {
  readonly kind: TxnProducerKind;
  /** Starts the next transaction. */
  begin(): Promise<void>;
  /** Sends one record (acks=all) inside the transaction; the acknowledged base offset, when the client tells it. */
  send(topic: string, partition: number, value: Buffer): Promise<bigint | undefined>;
  /** Commits a group's input offsets with the transaction. */
  sendOffsets(groupId: string, topic: string, offsets: readonly { partition: number; offset: bigint }[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
  close(): Promise<void>;
}

export interface SessionOptions {
  readonly transactionalId: string;
  readonly transactionTimeoutMs: number;
  readonly bootstrap: () => string;
  /** The workload's kafkajs instance (kafkajs sessions). */
  readonly kafka: Kafka;
}

/** A new session, or null when the producer could not start (the workload tries again). */
export async function openSession(kind: TxnProducerKind, options: SessionOptions): Promise<TxnSession | null> {
  return kind === 'kafkajs' ? openKafkajs(options) : openTv2(options);
}

async function openKafkajs(options: SessionOptions): Promise<TxnSession | null> {
  const producer: Producer = options.kafka.producer({
    transactionalId: options.transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    transactionTimeout: options.transactionTimeoutMs,
  });
  const connected = await producer.connect().then(
    () => true,
    () => false,
  );
  if (!connected) return null;
  let tx: Transaction | null = null;
  const current = (): Transaction => {
    if (tx === null) throw new Error('no transaction begun');
    return tx;
  };
  return {
    kind: 'kafkajs',
    async begin() {
      tx = await producer.transaction();
    },
    async send(topic, partition, value) {
      const [meta] = await current().send({ topic, acks: -1, messages: [{ partition, value }] });
      const offset = meta?.baseOffset ?? meta?.offset;
      return meta?.errorCode === 0 && offset !== undefined ? BigInt(offset) : undefined;
    },
    async sendOffsets(groupId, topic, offsets) {
      await current().sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic, partitions: offsets.map((o) => ({ partition: o.partition, offset: String(o.offset) })) }],
      });
    },
    async commit() {
      await current().commit();
    },
    async abort() {
      await current().abort();
    },
    async close() {
      await producer.disconnect().catch(() => {});
    },
  };
}

async function openTv2(options: SessionOptions): Promise<TxnSession | null> {
  let client: KafkaClient;
  try {
    client = await KafkaClient.connect({
      bootstrap: options.bootstrap(),
      clientId: `chaos-${options.transactionalId}`,
      requestTimeoutMs: 7000,
      allowAutoTopicCreation: false,
    });
  } catch {
    return null;
  }
  const producer = await TransactionalProducer.init(client, {
    transactionalId: options.transactionalId,
    transactionTimeoutMs: options.transactionTimeoutMs,
    retryWindowMs: 10_000,
  }).catch(() => null);
  if (producer === null) {
    client.close();
    return null;
  }
  return {
    kind: 'tv2',
    async begin() {},
    send: (topic, partition, value) => producer.send(topic, partition, [{ key: null, value }]),
    sendOffsets: (groupId, topic, offsets) =>
      producer.sendOffsets(
        groupId,
        offsets.map((o) => ({ topic, partition: o.partition, offset: o.offset })),
      ),
    commit: () => producer.commit(),
    abort: () => producer.abort(),
    async close() {
      client.close();
    },
  };
}
