/**
 * Ending transactions: EndTxn, the two phases every end goes through
 * (Prepare* written → markers to every partition → Complete* written), the
 * fence that aborts a producer's open transaction (InitProducerId of a new
 * producer, transaction timeout), and finishing what a previous
 * coordinator had prepared.
 *
 *   Ongoing ──EndTxn / fence──▶ PrepareCommit|PrepareAbort ──markersWritten──▶ CompleteCommit|CompleteAbort
 *
 * EndTxn is answered once the Prepare record is committed: from then on
 * the outcome survives any coordinator failure, because a coordinator that
 * loads a Prepare record sends its markers again.
 *
 * Transaction version 2 (KIP-890 part 2, EndTxn v5+): the
 * Prepare record raises the producer epoch, the markers carry the raised
 * epoch, and the answer names the producer id and epoch to use next; an
 * exhausted epoch moves to a new producer id once the Complete record is
 * written. A transaction the coordinator ends on its own (timeout, fence)
 * raises it the same way when its client uses version 2.
 */
import { AssertionError, assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { TransactionState } from './transaction-records.ts';
import { coordinatorWriteErrorCode, type EndTxnInput, type StoreResult, type TransactionResult } from './txn-api.ts';
import { checkProducer, endError, type TxnCore } from './txn-core.ts';
import {
  isEpochExhausted,
  isPrepared,
  noProducerEpoch,
  noProducerId,
  partitionList,
  producerEpochMax,
  type QueuedRequest,
  type TxnEntry,
  type TxnSnapshot,
  toValue,
  transit,
} from './txn-model.ts';

export function endTxn(core: TxnCore, request: Extract<QueuedRequest, { kind: 'endTxn' }>, nowMs: number): void {
  if (request.input.transactionVersion >= 2) {
    endTxnV2(core, request, nowMs);
    return;
  }
  const { input, ticket } = request;
  const entry = core.entries.get(input.transactionalId);
  const refused = checkProducer(entry, input);
  if (refused !== null) {
    core.reply('endTxn', ticket, endError(refused));
    return;
  }
  assert(entry !== undefined);
  const wanted: TransactionResult = input.commit ? 'commit' : 'abort';
  const state = entry.current.state;
  if (entry.writeId !== null && !isPrepared(state)) {
    // The write in flight may be the Prepare this request is a retry of; once it resolves the answer is known.
    core.enqueue(entry, request);
  } else if (state === 'Ongoing') {
    prepare(core, entry, wanted, nowMs, 1, (result) => {
      core.reply('endTxn', ticket, endError(result.ok ? ErrorCode.NONE : coordinatorWriteErrorCode(result.error)));
    });
  } else {
    core.reply('endTxn', ticket, endError(decidedAnswer(entry, wanted)));
  }
}

/**
 * EndTxn at transaction version 2 (Kafka's rules for EndTxn v5+). Besides
 * the producer's current epoch it accepts the epoch just before it, which
 * is a retry of an end that already raised the epoch (or, after an
 * exhausted epoch, the previous producer id at the last epoch a client
 * gets): a retry of the decided end is answered NONE with the producer id
 * and epoch to use next, and changes nothing. Any older epoch — a
 * duplicated or delayed EndTxn of an earlier transaction — is
 * PRODUCER_FENCED, so it can never end the producer's next transaction.
 * An abort with no transaction open still raises the epoch (the client
 * may have sent records whose partitions never reached the coordinator).
 */
function endTxnV2(core: TxnCore, request: Extract<QueuedRequest, { kind: 'endTxn' }>, nowMs: number): void {
  const { input, ticket } = request;
  const entry = core.entries.get(input.transactionalId);
  const check = checkEndV2(entry, input);
  if (check === 'wait') {
    assert(entry !== undefined);
    core.enqueue(entry, request);
    return;
  }
  if (typeof check === 'number') {
    core.reply('endTxn', ticket, endError(check));
    return;
  }
  assert(entry !== undefined);
  const s = entry.current;
  const wanted: TransactionResult = input.commit ? 'commit' : 'abort';
  const done = (result: StoreResult): void => {
    core.reply(
      'endTxn',
      ticket,
      result.ok
        ? { errorCode: ErrorCode.NONE, ...nextProducer(entry.current) }
        : endError(coordinatorWriteErrorCode(result.error)),
    );
  };
  if (s.state === 'Ongoing') {
    prepare(core, entry, wanted, nowMs, 2, done);
  } else if (check.isRetry && decidedResult(s.state) === wanted) {
    core.reply('endTxn', ticket, { errorCode: ErrorCode.NONE, ...nextProducer(s) });
  } else if (wanted === 'abort' && !isPrepared(s.state) && !check.isRetry) {
    // Empty, CompleteCommit, CompleteAbort at the current epoch: an abort of nothing, which still raises the epoch.
    prepare(core, entry, 'abort', nowMs, 2, done, { startMs: nowMs, partitions: new Map() });
  } else {
    core.reply('endTxn', ticket, endError(ErrorCode.INVALID_TXN_STATE));
  }
}

/**
 * Whether a version 2 EndTxn may run: its refusal code, 'wait' while a
 * write of the id is in flight (it may be the Prepare this is a retry of),
 * or whether it is a retry of an end that already raised the epoch.
 */
function checkEndV2(entry: TxnEntry | undefined, input: EndTxnInput): number | 'wait' | { isRetry: boolean } {
  if (input.transactionalId === '') return ErrorCode.INVALID_REQUEST;
  if (entry === undefined) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  const s = entry.current;
  const sameId = s.producerId === input.producerId;
  const retryOnEpochBump = sameId && s.producerEpoch === input.producerEpoch + 1;
  const retryOnOverflow =
    s.prevProducerId === input.producerId && input.producerEpoch === producerEpochMax - 1 && s.producerEpoch === 0;
  if (!sameId && !retryOnOverflow) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
  if (entry.writeId !== null && !isPrepared(s.state)) return 'wait';
  const isRetry = retryOnEpochBump || retryOnOverflow;
  const current = sameId && input.producerEpoch === s.producerEpoch;
  let validEpoch: boolean;
  if (s.state === 'Ongoing' || s.state === 'Empty') validEpoch = current;
  else if (isPrepared(s.state)) validEpoch = retryOnEpochBump;
  else validEpoch = current || isRetry;
  return validEpoch ? { isRetry } : ErrorCode.PRODUCER_FENCED;
}

function decidedResult(state: TransactionState): TransactionResult | null {
  if (state === 'PrepareCommit' || state === 'CompleteCommit') return 'commit';
  if (state === 'PrepareAbort' || state === 'CompleteAbort') return 'abort';
  return null;
}

/** The producer id and epoch a version 2 client uses after this end: the new producer id once an exhausted epoch moves. */
function nextProducer(s: TxnSnapshot): { producerId: bigint; producerEpoch: number } {
  return s.nextProducerId === noProducerId
    ? { producerId: s.producerId, producerEpoch: s.producerEpoch }
    : { producerId: s.nextProducerId, producerEpoch: 0 };
}

/**
 * The epoch raise of a version 2 end: epoch + 1, the epoch before it kept
 * for a retried InitProducerId, and a new producer id (epoch 0) when the
 * raised epoch is the last one a client may hold. Null when no producer id
 * is at hand (retriable). An epoch already at the maximum (a fence of an
 * exhausted epoch) is not raised again.
 */
function bumpForEnd(core: TxnCore, entry: TxnEntry): Partial<TxnSnapshot> | null {
  const epoch = entry.current.producerEpoch;
  if (epoch >= producerEpochMax) return {};
  let nextProducerId = noProducerId;
  if (isEpochExhausted(epoch)) {
    const id = core.nextProducerId();
    if (!id.ok) return null;
    nextProducerId = id.value;
  }
  return {
    producerEpoch: epoch + 1,
    lastProducerEpoch: epoch,
    nextProducerId,
    nextProducerEpoch: nextProducerId === noProducerId ? noProducerEpoch : 0,
    clientTransactionVersion: 2,
  };
}

/** EndTxn when no transaction is open: a retry of an end already decided (and durable) gets the first attempt's answer. */
function decidedAnswer(entry: TxnEntry, wanted: TransactionResult): number {
  const state = entry.current.state;
  switch (state) {
    case 'PrepareCommit':
    case 'CompleteCommit':
      return wanted === 'commit' ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
    case 'PrepareAbort':
    case 'CompleteAbort':
      return wanted === 'abort' ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
    case 'Empty':
      return ErrorCode.INVALID_TXN_STATE;
    case 'Ongoing':
    case 'Dead':
    case 'PrepareEpochFence':
      throw new AssertionError(`${entry.transactionalId}: no decided answer in ${state}`);
  }
}

/**
 * Kafka's epoch fence: raises the epoch in memory at once, so the producer
 * that holds the id is refused from now on, then aborts its transaction
 * with the raised epoch. A fence whose write failed already raised the
 * epoch; the next one does not raise it again (the raised epoch was never
 * handed out, so reusing it is safe).
 */
export function fenceAndAbort(
  core: TxnCore,
  entry: TxnEntry,
  nowMs: number,
  done: (result: StoreResult, nowMs: number) => void,
): void {
  assert(entry.current.state === 'Ongoing', `${entry.transactionalId}: fencing needs an open transaction`);
  const epoch = entry.current.producerEpoch;
  const fenced = entry.hasFailedEpochFence || epoch >= producerEpochMax ? epoch : epoch + 1;
  entry.current = { ...entry.current, producerEpoch: fenced, lastProducerEpoch: noProducerEpoch };
  prepare(core, entry, 'abort', nowMs, entry.current.clientTransactionVersion, (result, atMs) => {
    if (!result.ok) {
      entry.hasFailedEpochFence = true;
      entry.retryAtMs = atMs + core.config.writeRetryBackoffMs;
    }
    done(result, atMs);
  });
}

/**
 * Writes PrepareCommit/PrepareAbort; once it is committed, sends the
 * markers. `done` hears the write's outcome. At transaction version 2 the
 * record raises the epoch (and names the next producer id when the epoch
 * is exhausted); with no producer id at hand `done` hears
 * 'coordinator_load_in_progress' without a write.
 */
export function prepare(
  core: TxnCore,
  entry: TxnEntry,
  result: TransactionResult,
  nowMs: number,
  transactionVersion: number,
  done: (result: StoreResult, nowMs: number) => void,
  changes: Partial<TxnSnapshot> = {},
): void {
  const bump = transactionVersion >= 2 ? bumpForEnd(core, entry) : {};
  if (bump === null) {
    done({ ok: false, error: 'coordinator_load_in_progress' }, nowMs);
    return;
  }
  const next = transit(entry, {
    ...changes,
    ...bump,
    state: result === 'commit' ? 'PrepareCommit' : 'PrepareAbort',
    lastUpdateMs: nowMs,
  });
  core.write(entry, toValue(next), (written, atMs) => {
    if (written.ok) {
      entry.current = next;
      entry.hasFailedEpochFence = false;
      entry.retryAtMs = null;
      sendMarkers(core, entry, atMs);
    }
    done(written, atMs);
  });
}

/** Markers for every partition of a prepared transaction; with none, straight to Complete. */
export function sendMarkers(core: TxnCore, entry: TxnEntry, nowMs: number): void {
  const state = entry.current.state;
  assert(isPrepared(state), `${entry.transactionalId}: markers for a transaction in ${state}`);
  const partitions = partitionList(entry.current.partitions);
  if (partitions.length === 0) complete(core, entry, nowMs);
  else core.sendMarkers(entry, state === 'PrepareCommit' ? 'commit' : 'abort', partitions);
}

/** Every marker of the transaction is written: record its end. */
export function markersWritten(core: TxnCore, markersId: number, nowMs: number): void {
  complete(core, core.markersDone(markersId), nowMs);
}

/**
 * Writes CompleteCommit/CompleteAbort. Once committed, the id is at rest and
 * the requests that waited behind the markers run. A failed write is tried
 * again `writeRetryBackoffMs` later (tick): the markers are on the
 * partitions already, only the record of it is missing.
 */
function complete(core: TxnCore, entry: TxnEntry, nowMs: number): void {
  const s = entry.current;
  // Transaction version 2 with an exhausted epoch: the producer id named in the Prepare record takes over.
  const rotation: Partial<TxnSnapshot> =
    s.nextProducerId === noProducerId
      ? {}
      : {
          producerId: s.nextProducerId,
          producerEpoch: 0,
          nextProducerId: noProducerId,
          nextProducerEpoch: noProducerEpoch,
        };
  const next = transit(entry, {
    ...rotation,
    state: s.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort',
    partitions: new Map(),
    lastUpdateMs: nowMs,
  });
  core.write(entry, toValue(next), (written, atMs) => {
    if (written.ok) {
      entry.current = next;
      entry.retryAtMs = null;
    } else {
      entry.retryAtMs = atMs + core.config.writeRetryBackoffMs;
    }
  });
}

/** When the coordinator must act on its own for this id (timeout abort, Complete retry); null when never. */
export function ownDeadlineMs(entry: TxnEntry): number | null {
  if (entry.writeId !== null) return null;
  const s = entry.current;
  const notBefore = entry.retryAtMs ?? Number.NEGATIVE_INFINITY;
  if (s.state === 'Ongoing') return Math.max(s.startMs + s.timeoutMs, notBefore);
  if (isPrepared(s.state) && entry.markersId === null && entry.retryAtMs !== null) return entry.retryAtMs;
  return null;
}

/**
 * Aborts a transaction open longer than its timeout, fencing its producer
 * (whose later requests answer PRODUCER_FENCED), and writes a failed
 * Complete record again.
 */
export function runOwnDeadline(core: TxnCore, entry: TxnEntry, nowMs: number): void {
  const deadline = ownDeadlineMs(entry);
  if (deadline === null || deadline > nowMs) return;
  if (entry.current.state === 'Ongoing') fenceAndAbort(core, entry, nowMs, () => {});
  else complete(core, entry, nowMs);
}
