/**
 * InitProducerId with a transactional id (KIP-98, KIP-360): the first call
 * gets a new producer id at epoch 0; every later one bumps the epoch,
 * fencing whichever producer held the id before. A producer that names its
 * current id and epoch (v3+) is bumping its own epoch after an error: it
 * gets epoch + 1 if it still holds the id, the same answer again if this
 * is a retry of a bump that succeeded, PRODUCER_FENCED otherwise. An
 * exhausted epoch moves the id to a new producer id at epoch 0.
 *
 * An open transaction is aborted first (fence + abort) and the request
 * waits for the abort to complete, then bumps the epoch once more: the
 * fenced epoch is never handed out. Kafka answers CONCURRENT_TRANSACTIONS
 * there and lets the client retry; waiting gives the same result in one
 * round trip.
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { coordinatorWriteErrorCode, type InitProducerIdInput } from './txn-api.ts';
import type { TxnCore } from './txn-core.ts';
import { fenceAndAbort } from './txn-end.ts';
import {
  isAtRest,
  isEpochExhausted,
  newEntry,
  noProducerEpoch,
  noProducerId,
  type QueuedRequest,
  type TxnEntry,
  type TxnSnapshot,
  toValue,
  transit,
} from './txn-model.ts';

type InitRequest = Extract<QueuedRequest, { kind: 'initProducerId' }>;

export function initProducerId(core: TxnCore, request: InitRequest, nowMs: number): void {
  const { input } = request;
  const refused = malformed(core, input);
  const entry = refused === null ? entryFor(core, input, nowMs) : null;
  if (refused !== null || entry === null) {
    // Without an entry, no producer id block was at hand: Kafka's retriable answer.
    core.fail(request, refused ?? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  } else if (!isAtRest(entry)) {
    core.enqueue(entry, request);
  } else if (input.current !== null && !holdsOrHeld(entry, input.current)) {
    core.fail(request, ErrorCode.PRODUCER_FENCED);
  } else if (entry.current.state === 'Ongoing') {
    fenceAndAbort(core, entry, nowMs, (result) => {
      // Runs again once the abort is complete (the id is at rest), bumping the epoch past the fenced one.
      if (result.ok) core.enqueue(entry, request);
      else core.fail(request, coordinatorWriteErrorCode(result.error));
    });
  } else {
    bumpEpoch(core, entry, request, nowMs);
  }
}

function malformed(core: TxnCore, input: InitProducerIdInput): number | null {
  if (input.transactionalId === '') return ErrorCode.INVALID_REQUEST;
  const timeoutMs = input.transactionTimeoutMs;
  if (timeoutMs <= 0 || timeoutMs > core.config.transactionMaxTimeoutMs) return ErrorCode.INVALID_TRANSACTION_TIMEOUT;
  return null;
}

/**
 * The id's entry; a new one (producer id from the injected source, epoch
 * -1) on first use, in memory before its first write as in Kafka, so a
 * concurrent call for the id waits instead of taking a second producer id.
 * Null when no producer id is at hand.
 */
function entryFor(core: TxnCore, input: InitProducerIdInput, nowMs: number): TxnEntry | null {
  const existing = core.entries.get(input.transactionalId);
  if (existing !== undefined) return existing;
  const id = core.nextProducerId();
  if (!id.ok) return null;
  const entry = newEntry(input.transactionalId, freshSnapshot(id.value, input.transactionTimeoutMs, nowMs));
  core.entries.set(input.transactionalId, entry);
  return entry;
}

function freshSnapshot(producerId: bigint, timeoutMs: number, nowMs: number): TxnSnapshot {
  return {
    producerId,
    prevProducerId: noProducerId,
    nextProducerId: noProducerId,
    nextProducerEpoch: noProducerEpoch,
    producerEpoch: noProducerEpoch,
    lastProducerEpoch: noProducerEpoch,
    timeoutMs,
    state: 'Empty',
    partitions: new Map(),
    startMs: -1,
    lastUpdateMs: nowMs,
    clientTransactionVersion: 0,
  };
}

/**
 * KIP-360: the id and epoch a producer names must be the id's current
 * producer id, or (a retry of a bump that moved the id to a new producer
 * id) the previous one with an exhausted epoch. An id never handed out
 * (epoch -1) accepts any: the producer recovers from UNKNOWN_PRODUCER_ID.
 */
function holdsOrHeld(
  entry: TxnEntry,
  current: { readonly producerId: bigint; readonly producerEpoch: number },
): boolean {
  const s = entry.current;
  return (
    s.producerEpoch === noProducerEpoch ||
    current.producerId === s.producerId ||
    (current.producerId === s.prevProducerId && isEpochExhausted(current.producerEpoch))
  );
}

/** Kafka's prepareIncrementProducerEpoch decision for the epoch the producer named (null when it named none). */
function epochDecision(s: TxnSnapshot, expectedEpoch: number | null): 'bump' | 'same' | 'fenced' {
  if (expectedEpoch === null || s.producerEpoch === noProducerEpoch || expectedEpoch === s.producerEpoch) return 'bump';
  // The producer's earlier bump succeeded but it never heard: give it the same epoch again.
  if (expectedEpoch === s.lastProducerEpoch) return 'same';
  return 'fenced';
}

function bumpEpoch(core: TxnCore, entry: TxnEntry, request: InitRequest, nowMs: number): void {
  const state = entry.current.state;
  assert(state === 'Empty' || state === 'CompleteCommit' || state === 'CompleteAbort', `InitProducerId in ${state}`);
  const next = nextSnapshot(core, entry, request.input, nowMs);
  if (typeof next === 'number') {
    core.fail(request, next);
    return;
  }
  core.write(entry, toValue(next), (written) => {
    if (!written.ok) {
      core.fail(request, coordinatorWriteErrorCode(written.error));
      return;
    }
    entry.current = next;
    core.reply('initProducerId', request.ticket, {
      errorCode: ErrorCode.NONE,
      producerId: next.producerId,
      producerEpoch: next.producerEpoch,
    });
  });
}

/** The id's state after this InitProducerId, or the error code that refuses it. */
function nextSnapshot(core: TxnCore, entry: TxnEntry, input: InitProducerIdInput, nowMs: number): TxnSnapshot | number {
  const s = entry.current;
  const decision = epochDecision(s, input.current?.producerEpoch ?? null);
  if (decision === 'fenced') return ErrorCode.PRODUCER_FENCED;
  const reset: Partial<TxnSnapshot> = {
    state: 'Empty',
    timeoutMs: input.transactionTimeoutMs,
    partitions: new Map(),
    startMs: -1,
    lastUpdateMs: nowMs,
  };
  if (decision === 'same') return transit(entry, reset);
  // A producer that named its epoch may retry this call: remember the epoch it had (Kafka's lastProducerEpoch).
  const lastProducerEpoch = input.current === null ? noProducerEpoch : s.producerEpoch;
  if (!isEpochExhausted(s.producerEpoch)) {
    return transit(entry, { ...reset, producerEpoch: s.producerEpoch + 1, lastProducerEpoch });
  }
  const id = core.nextProducerId();
  if (!id.ok) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
  return transit(entry, { ...reset, producerId: id.value, producerEpoch: 0, lastProducerEpoch });
}
