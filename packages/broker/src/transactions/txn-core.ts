/**
 * What the transaction machine's rules share: the transactional ids of one
 * `__transaction_state` partition, the effects a step produced (replies by
 * ticket, state records to write, markers to write), the continuations of
 * writes in flight and the markers being written. No timers and no I/O:
 * time comes in as `nowMs`, effects go out as data, and their outcomes come
 * back through `written` and `markersWritten`.
 */
import { assert, type Result } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { TransactionLogValue } from './transaction-records.ts';
import type {
  EndTxnResult,
  InitProducerIdResult,
  ProducerIdentity,
  StoreError,
  StoreResult,
  TopicPartition,
  TransactionCoordinatorConfig,
  TransactionResult,
} from './txn-api.ts';
import { noProducerEpoch, noProducerId, type QueuedRequest, type TxnEntry } from './txn-model.ts';

/** The result each kind of request gets back. */
export interface ReplyByKind {
  initProducerId: InitProducerIdResult;
  addPartitions: number;
  addOffsets: number;
  endTxn: EndTxnResult;
}

export type ReplyKind = keyof ReplyByKind;

export type Reply = {
  [K in ReplyKind]: { readonly kind: K; readonly ticket: number; readonly result: ReplyByKind[K] };
}[ReplyKind];

/** One record for the id's `__transaction_state` partition; resolve through `written` once committed (acks=all). */
export interface WriteRequest {
  readonly writeId: number;
  readonly transactionalId: string;
  /** null writes the id's tombstone (expiry). */
  readonly value: TransactionLogValue | null;
}

/**
 * Commit or abort markers for every partition of a prepared transaction
 * (WriteTxnMarkers to each partition's leader). The runtime retries each
 * partition until its marker is written (or the partition is gone), then
 * calls `markersWritten(markersId)` once for the whole request.
 */
export interface MarkerRequest {
  readonly markersId: number;
  readonly transactionalId: string;
  readonly result: TransactionResult;
  readonly producerId: bigint;
  readonly producerEpoch: number;
  /** The leader epoch of the `__transaction_state` partition: leaders refuse markers from an older coordinator. */
  readonly coordinatorEpoch: number;
  readonly partitions: readonly TopicPartition[];
}

export interface Effects {
  readonly replies: readonly Reply[];
  readonly writes: readonly WriteRequest[];
  readonly markers: readonly MarkerRequest[];
}

export type WriteDone = (result: StoreResult, nowMs: number) => void;

export type NextProducerId = () => Result<bigint, 'unavailable'>;

export function initError(errorCode: number): InitProducerIdResult {
  return { errorCode, producerId: noProducerId, producerEpoch: noProducerEpoch };
}

/** An EndTxn answer without a producer to use next: every error, and every version 1 answer. */
export function endError(errorCode: number): EndTxnResult {
  return { errorCode, producerId: noProducerId, producerEpoch: noProducerEpoch };
}

/**
 * Whether a request comes from the producer that holds the transactional
 * id now: an empty id is malformed, an unknown id or another producer id
 * is not this producer's (INVALID_PRODUCER_ID_MAPPING), an older or newer
 * epoch is fenced. Null when it does.
 */
export function checkProducer(entry: TxnEntry | undefined, input: ProducerIdentity): number | null {
  if (input.transactionalId === '') return ErrorCode.INVALID_REQUEST;
  if (entry === undefined || entry.current.producerId !== input.producerId)
    return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (entry.current.producerEpoch !== input.producerEpoch) return ErrorCode.PRODUCER_FENCED;
  return null;
}

export class TxnCore {
  readonly config: TransactionCoordinatorConfig;
  readonly coordinatorEpoch: number;
  readonly nextProducerId: NextProducerId;
  readonly entries = new Map<string, TxnEntry>();
  /** Requests that waited on an id which was then deleted (expiry): they run again against no entry. */
  readonly orphans: QueuedRequest[] = [];
  /** Ids that may have come to rest since waiting requests last ran. */
  readonly woken = new Set<string>();
  #replies: Reply[] = [];
  #writes: WriteRequest[] = [];
  #markers: MarkerRequest[] = [];
  #nextWriteId = 1;
  #nextMarkersId = 1;
  readonly #writesInFlight = new Map<number, { entry: TxnEntry; done: WriteDone }>();
  readonly #markersInFlight = new Map<number, TxnEntry>();

  constructor(config: TransactionCoordinatorConfig, coordinatorEpoch: number, nextProducerId: NextProducerId) {
    this.config = config;
    this.coordinatorEpoch = coordinatorEpoch;
    this.nextProducerId = nextProducerId;
  }

  reply<K extends ReplyKind>(kind: K, ticket: number, result: ReplyByKind[K]): void {
    this.#replies.push({ kind, ticket, result } as Reply);
  }

  /** Answers a request with an error, in the shape of its kind. */
  fail(request: QueuedRequest, errorCode: number): void {
    if (request.kind === 'initProducerId') this.reply('initProducerId', request.ticket, initError(errorCode));
    else if (request.kind === 'endTxn') this.reply('endTxn', request.ticket, endError(errorCode));
    else this.reply(request.kind, request.ticket, errorCode);
  }

  /** Lets the request wait for the id to be at rest; past the bound it is refused as Kafka would refuse it. */
  enqueue(entry: TxnEntry, request: QueuedRequest): void {
    if (entry.queue.length >= this.config.queuedRequestsMax) this.fail(request, ErrorCode.CONCURRENT_TRANSACTIONS);
    else entry.queue.push(request);
  }

  write(entry: TxnEntry, value: TransactionLogValue | null, done: WriteDone): void {
    assert(entry.writeId === null, `${entry.transactionalId}: a second write while one is in flight`);
    const writeId = this.#nextWriteId++;
    entry.writeId = writeId;
    this.#writesInFlight.set(writeId, { entry, done });
    this.#writes.push({ writeId, transactionalId: entry.transactionalId, value });
  }

  /** Runs the continuation of a write. */
  written(writeId: number, result: StoreResult, nowMs: number): void {
    const write = this.#writesInFlight.get(writeId);
    assert(write !== undefined, `write ${writeId} resolved twice or never issued`);
    this.#writesInFlight.delete(writeId);
    write.entry.writeId = null;
    this.woken.add(write.entry.transactionalId);
    write.done(result, nowMs);
  }

  sendMarkers(entry: TxnEntry, result: TransactionResult, partitions: readonly TopicPartition[]): void {
    assert(entry.markersId === null, `${entry.transactionalId}: markers already in flight`);
    const markersId = this.#nextMarkersId++;
    entry.markersId = markersId;
    this.#markersInFlight.set(markersId, entry);
    this.#markers.push({
      markersId,
      transactionalId: entry.transactionalId,
      result,
      producerId: entry.current.producerId,
      producerEpoch: entry.current.producerEpoch,
      coordinatorEpoch: this.coordinatorEpoch,
      partitions,
    });
  }

  /** The entry whose markers are now all written. */
  markersDone(markersId: number): TxnEntry {
    const entry = this.#markersInFlight.get(markersId);
    assert(entry !== undefined, `markers ${markersId} reported twice or never sent`);
    this.#markersInFlight.delete(markersId);
    entry.markersId = null;
    return entry;
  }

  /** Resolves every write in flight as failed with `error`, for a machine being dropped. */
  failAllWrites(error: StoreError, nowMs: number): void {
    for (const writeId of [...this.#writesInFlight.keys()]) this.written(writeId, { ok: false, error }, nowMs);
  }

  /** Forgets the markers in flight: the next coordinator of the partition sends them again. */
  dropMarkers(): void {
    for (const entry of this.#markersInFlight.values()) entry.markersId = null;
    this.#markersInFlight.clear();
  }

  drain(): Effects {
    const effects = { replies: this.#replies, writes: this.#writes, markers: this.#markers };
    this.#replies = [];
    this.#writes = [];
    this.#markers = [];
    return effects;
  }
}
