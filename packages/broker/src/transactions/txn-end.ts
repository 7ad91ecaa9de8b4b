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
 */
import { AssertionError, assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { coordinatorWriteErrorCode, type StoreResult, type TransactionResult } from './txn-api.ts';
import { checkProducer, type TxnCore } from './txn-core.ts';
import {
  isPrepared,
  noProducerEpoch,
  partitionList,
  producerEpochMax,
  type QueuedRequest,
  type TxnEntry,
  toValue,
  transit,
} from './txn-model.ts';

export function endTxn(core: TxnCore, request: Extract<QueuedRequest, { kind: 'endTxn' }>, nowMs: number): void {
  const { input, ticket } = request;
  const entry = core.entries.get(input.transactionalId);
  const refused = checkProducer(entry, input);
  if (refused !== null) {
    core.reply('endTxn', ticket, refused);
    return;
  }
  assert(entry !== undefined);
  const wanted: TransactionResult = input.commit ? 'commit' : 'abort';
  const state = entry.current.state;
  if (entry.writeId !== null && !isPrepared(state)) {
    // The write in flight may be the Prepare this request is a retry of; once it resolves the answer is known.
    core.enqueue(entry, request);
  } else if (state === 'Ongoing') {
    prepare(core, entry, wanted, nowMs, (result) => {
      core.reply('endTxn', ticket, result.ok ? ErrorCode.NONE : coordinatorWriteErrorCode(result.error));
    });
  } else {
    core.reply('endTxn', ticket, decidedAnswer(entry, wanted));
  }
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
  prepare(core, entry, 'abort', nowMs, (result, atMs) => {
    if (!result.ok) {
      entry.hasFailedEpochFence = true;
      entry.retryAtMs = atMs + core.config.writeRetryBackoffMs;
    }
    done(result, atMs);
  });
}

/** Writes PrepareCommit/PrepareAbort; once it is committed, sends the markers. `done` hears the write's outcome. */
function prepare(
  core: TxnCore,
  entry: TxnEntry,
  result: TransactionResult,
  nowMs: number,
  done: (result: StoreResult, nowMs: number) => void,
): void {
  const next = transit(entry, { state: result === 'commit' ? 'PrepareCommit' : 'PrepareAbort', lastUpdateMs: nowMs });
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
  const next = transit(entry, {
    state: entry.current.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort',
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
