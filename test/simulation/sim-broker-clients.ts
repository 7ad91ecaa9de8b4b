/**
 * What a simulated broker's request handlers do for clients, on the real
 * Partition: Produce (acks=all; plain, idempotent or transactional batches,
 * through the real handler's KIP-890 step `verifyTransactionalProduce`:
 * part 1 verification of a batch that would open its producer's
 * transaction at Produce v8; at v12, transaction version 2's add, with a
 * new guard and a second question when the previous transaction's marker
 * dropped the guard meanwhile), WriteTxnMarkers (Partition.writeTxnMarker,
 * which is always acks=all) and a consumer's Fetch
 * (Partition.readCommitted with its isolation level). Like the real
 * handlers, everything past validation is Partition's and the log's to
 * decide; this glue only carries the answers back. Verification asks the
 * model's transaction coordinator over the network (`verify`), so a marker
 * may overtake it, as in production.
 *
 * Used by SimBroker, one glue per process; nothing is sent once the
 * process is dead.
 */
import { type Partition, type VerifyProduceOptions, verifyTransactionalProduce } from '@runnel/broker';
import type { ManualClock } from '@runnel/common';
import {
  ATTRIBUTE_TRANSACTIONAL,
  type BatchSummary,
  decodeRecordBatchesSync,
  decodeTxnMarkerType,
  ErrorCode,
  encodeRecordBatchSync,
  isControl,
  isTransactional,
} from '@runnel/protocol';
import type { PartitionLog, TxnVerification } from '@runnel/storage';
import { coordinatorNode, type MarkerOutcome, type ProduceOutcome, type SimMessage } from './sim-messages.ts';
import type { SimProcess } from './sim-process.ts';
import type { SimBrokerTiming } from './sim-timing.ts';

export interface ClientGlue {
  readonly partition: Partition;
  readonly log: PartitionLog;
  readonly clock: ManualClock;
  readonly timing: SimBrokerTiming;
  alive(): boolean;
  minIsr(): number;
  send(to: number, message: SimMessage): void;
  /** The transaction coordinator's verdict as an error code (null: no answer in time). */
  verify(producerId: bigint, producerEpoch: number, add: boolean, again: boolean): Promise<number | null>;
  bug(what: string, error: unknown): void;
}

export interface ClientGlueOptions {
  readonly sim: SimProcess;
  readonly log: PartitionLog;
  readonly partition: Partition;
  readonly clock: ManualClock;
  readonly timing: SimBrokerTiming;
  minIsr(): number;
  send(to: number, message: SimMessage): void;
  nextId(): number;
  bug(what: string, error: unknown): void;
}

/** The glue of one process, and its produces waiting for a verdict by request id (answered by `verify-response`). */
export function clientGlue(options: ClientGlueOptions): {
  glue: ClientGlue;
  verifying: Map<number, (errorCode: number | null) => void>;
} {
  const { sim, timing } = options;
  const verifying = new Map<number, (errorCode: number | null) => void>();
  const send = (to: number, message: SimMessage) => {
    if (sim.alive) options.send(to, message);
  };
  const glue: ClientGlue = {
    partition: options.partition,
    log: options.log,
    clock: options.clock,
    timing,
    alive: () => sim.alive,
    minIsr: options.minIsr,
    send,
    bug: options.bug,
    verify: (producerId, producerEpoch, add, again) =>
      new Promise((resolve) => {
        const requestId = options.nextId();
        const finish = (errorCode: number | null) => {
          verifying.delete(requestId);
          timer.cancel();
          resolve(errorCode);
        };
        // The real verifier gives up too (coordinator trouble).
        const timer = sim.timers.setTimeout(() => finish(null), timing.requestTimeoutSteps * timing.msPerStep);
        verifying.set(requestId, finish);
        send(coordinatorNode, { type: 'verify', requestId, producerId, producerEpoch, add, again });
      }),
  };
  return { glue, verifying };
}

/** One batch of a consumer's read, as a client decodes it. */
export interface ReadBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly producerId: bigint;
  readonly transactional: boolean;
  /** A transaction marker's type; null for a data batch. */
  readonly marker: 'commit' | 'abort' | null;
  readonly records: readonly { readonly offset: number; readonly value: string }[];
}

export interface ConsumerRead {
  readonly batches: readonly ReadBatch[];
  readonly highWatermark: bigint;
  readonly lastStableOffset: bigint;
  /** read_committed: the aborted transactions the returned batches may hold; null for read_uncommitted. */
  readonly abortedTransactions: readonly { producerId: bigint; firstOffset: bigint }[] | null;
}

/** Fetch's isolation_level, as Partition.readCommitted takes it. */
export type IsolationLevel = NonNullable<Parameters<Partition['readCommitted']>[2]>;

type ProduceMessage = Extract<SimMessage, { type: 'produce' }>;
type MarkerMessage = Extract<SimMessage, { type: 'txn-marker' }>;

/** The produce handler's part for acks=all. */
export function serveProduce(glue: ClientGlue, client: number, message: ProduceMessage): void {
  const { produceId, values, producer } = message;
  const respond = (outcome: ProduceOutcome, baseOffset: bigint, duplicate: boolean) => {
    if (glue.alive()) {
      glue.send(client, { type: 'produce-response', produceId, outcome, baseOffset, values, duplicate });
    }
  };
  const batch = encodeRecordBatchSync({
    records: values.map((v) => ({ key: null, value: Buffer.from(v) })),
    baseTimestamp: BigInt(glue.clock.nowMs()),
    ...(producer === undefined
      ? {}
      : {
          producerId: producer.producerId,
          producerEpoch: producer.producerEpoch,
          baseSequence: producer.baseSequence,
          transactional: producer.transactional,
        }),
  });
  const append = async (verification: TxnVerification | undefined): Promise<void> => {
    const options = {
      acks: -1,
      minInsyncReplicas: glue.minIsr(),
      timeoutMs: glue.timing.ackTimeoutMs,
      verification,
    } as const;
    const appended = await glue.partition.appendAsLeader(batch, values.length, options);
    if (!appended.ok) {
      if (producer === undefined && appended.error !== 'not_leader' && appended.error !== 'not_enough_replicas') {
        glue.bug('producer checks refused a batch without a producer id', appended.message);
      } else respond(appended.error, -1n, false);
      return;
    }
    const outcome = await appended.value.replicated;
    respond(outcome, appended.value.baseOffset, appended.value.duplicate);
  };
  const verified = async (): Promise<void> => {
    if (producer === undefined || !producer.transactional) return append(undefined);
    // The handler answers NOT_LEADER_OR_FOLLOWER before it asks the coordinator anything.
    if (glue.partition.closed || glue.partition.role !== 'leader') return respond('not_leader', -1n, false);
    const checked = await verifyTransactionalProduce({
      transactionalId: 'sim-txn',
      topic: 't',
      partition: 0,
      batches: [summary(producer)],
      version: message.version ?? produceVersionDefault,
      log: glue.log,
      verifier: verifierOf(glue),
      verificationEnabled: true,
    });
    if (!glue.alive()) return;
    if (checked.ok) await append(checked.verification);
    else respond(verificationOutcome(glue, checked.errorCode), -1n, false);
  };
  verified().catch((error: unknown) => glue.bug('produce append failed', error));
}

/** The Produce version of a transaction version 1 producer here (librdkafka's and Java's before v12). */
const produceVersionDefault = 8;

/** The handler's view of the one transactional batch (it reads the producer fields and attributes only). */
function summary(producer: NonNullable<ProduceMessage['producer']>): BatchSummary {
  return {
    position: 0,
    sizeBytes: 0,
    lastOffsetDelta: 0,
    recordCount: 1,
    maxTimestamp: 0n,
    baseTimestamp: 0n,
    producerId: producer.producerId,
    producerEpoch: producer.producerEpoch,
    baseSequence: producer.baseSequence,
    attributes: ATTRIBUTE_TRANSACTIONAL,
  };
}

/**
 * The real verifier's seam for one produce: the model coordinator's
 * verdict for the partition; no answer in time is REQUEST_TIMED_OUT.
 */
function verifierOf(glue: ClientGlue): NonNullable<VerifyProduceOptions['verifier']> {
  let asks = 0;
  return {
    async verify(input) {
      asks += 1;
      const code = await glue.verify(input.producerId, input.producerEpoch, input.add ?? false, asks > 1);
      return input.partitions.map((p) => ({ ...p, errorCode: code ?? ErrorCode.REQUEST_TIMED_OUT }));
    },
  };
}

/** The error code Produce answers for a verification the coordinator did not give, as the simulated client reads it. */
function verificationOutcome(glue: ClientGlue, errorCode: number): ProduceOutcome {
  switch (errorCode) {
    case ErrorCode.NOT_ENOUGH_REPLICAS:
      return 'not_enough_replicas';
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return 'concurrent_transactions';
    case ErrorCode.TRANSACTION_ABORTABLE:
      return 'transaction_abortable';
    case ErrorCode.INVALID_TXN_STATE:
      return 'invalid_txn_state';
    case ErrorCode.INVALID_PRODUCER_EPOCH:
      return 'invalid_producer_epoch';
    default:
      glue.bug('produce verification', `error code ${errorCode}, which the simulation does not expect`);
      return 'invalid_txn_state';
  }
}

/** WriteTxnMarkers for the partition: the marker, then its acks=all wait. */
export function serveTxnMarker(glue: ClientGlue, from: number, message: MarkerMessage): void {
  const respond = (outcome: MarkerOutcome) => {
    if (glue.alive()) glue.send(from, { type: 'txn-marker-response', requestId: message.requestId, outcome });
  };
  const write = async (): Promise<void> => {
    const written = await glue.partition.writeTxnMarker(
      message.producerId,
      message.producerEpoch,
      message.coordinatorEpoch,
      message.marker,
      { minInsyncReplicas: glue.minIsr(), timeoutMs: glue.timing.ackTimeoutMs },
    );
    if (!written.ok) return respond(written.error);
    respond(await written.value.replicated);
  };
  write().catch((error: unknown) => glue.bug('transaction marker append failed', error));
}

/** A consumer's Fetch from `fetchOffset`, decoded as a client would; null when the offset is out of range. */
export async function serveRead(
  glue: ClientGlue,
  fetchOffset: bigint,
  isolation: IsolationLevel,
): Promise<ConsumerRead | null> {
  const read = await glue.partition.readCommitted(fetchOffset, 1 << 20, isolation);
  if (!read.ok) return null;
  const batches: ReadBatch[] = [];
  for (const batch of decodeRecordBatchesSync(Buffer.concat(read.records))) {
    const h = batch.header;
    const control = isControl(h.attributes);
    batches.push({
      baseOffset: Number(h.baseOffset),
      lastOffset: Number(h.baseOffset) + h.lastOffsetDelta,
      producerId: h.producerId,
      transactional: isTransactional(h.attributes),
      marker: control ? (decodeTxnMarkerType(batch.records[0]?.key ?? null) ?? 'commit') : null,
      records: control
        ? []
        : batch.records.map((r) => ({ offset: Number(r.offset), value: r.value?.toString() ?? '' })),
    });
  }
  return {
    batches,
    highWatermark: read.highWatermark,
    lastStableOffset: read.lastStableOffset,
    abortedTransactions: read.abortedTransactions,
  };
}

/** The records of a read below its high watermark (a read_uncommitted consumer's view), as (offset, value). */
export function belowHighWatermark(read: ConsumerRead | null): { offset: number; value: string }[] {
  if (read === null) return [];
  return read.batches.flatMap((b) => b.records.filter((r) => r.offset < Number(read.highWatermark)));
}
