/**
 * The transaction coordinator for the transactional ids of one
 * `__transaction_state` partition, as a pure state machine: every input
 * carries the time and, for requests, a ticket chosen by the caller; every
 * step returns the effects to carry out — replies (by ticket), state
 * records to write, markers to write — and `nextDeadlineMs()` says when to
 * call `tick`. Outcomes come back through `written` (a state record is
 * committed or failed) and `markersWritten` (all markers of a transaction
 * are on their partitions).
 *
 * A request that finds its id busy (a write in flight, or a prepared
 * transaction whose markers are being written) waits in the id's queue and
 * runs when the id is at rest again; it is answered CONCURRENT_TRANSACTIONS
 * only if it waited `queuedRequestTimeoutMs` or the queue is full.
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { TransactionLogValue } from './transaction-records.ts';
import { addToTransaction } from './txn-add.ts';
import type {
  AddOffsetsInput,
  AddPartitionsInput,
  EndTxnInput,
  InitProducerIdInput,
  StoreResult,
  TransactionCoordinatorConfig,
  TransactionDescription,
} from './txn-api.ts';
import { type Effects, type NextProducerId, TxnCore } from './txn-core.ts';
import { endTxn, markersWritten, ownDeadlineMs, runOwnDeadline, sendMarkers } from './txn-end.ts';
import { initProducerId } from './txn-init.ts';
import { canRun, describeEntry, fromValue, isAtRest, isPrepared, type QueuedRequest } from './txn-model.ts';
import { type PartitionVerdict, type VerifyInput, verifyInTransaction } from './txn-verify.ts';

export interface TransactionMachineOptions {
  readonly config: TransactionCoordinatorConfig;
  /** The leader epoch of the `__transaction_state` partition this machine serves; markers carry it. */
  readonly coordinatorEpoch: number;
  /** A new producer id, without waiting (ids come from controller-allocated blocks); 'unavailable' is retriable. */
  readonly nextProducerId: NextProducerId;
  /** What the partition's log held when this broker became its leader (TransactionLogState); nothing for an empty one. */
  readonly loaded?: ReadonlyMap<string, TransactionLogValue>;
}

/**
 * Owned by the transaction coordinator runtime of the partition (or a
 * test). Not re-entrant; every call runs to completion. A thrown error is a
 * bug (broken invariant) and leaves the machine unusable.
 */
export class TransactionMachine {
  readonly #core: TxnCore;

  constructor(options: TransactionMachineOptions) {
    this.#core = new TxnCore(options.config, options.coordinatorEpoch, options.nextProducerId);
    for (const [transactionalId, value] of options.loaded ?? []) {
      this.#core.entries.set(transactionalId, fromValue(transactionalId, value));
    }
  }

  /**
   * Finishes what the previous coordinator prepared: sends the markers of
   * every transaction loaded in PrepareCommit/PrepareAbort again (it may
   * have died before they were all written). Call once, after construction.
   */
  resume(nowMs: number): Effects {
    return this.#step(nowMs, () => {
      for (const entry of this.#core.entries.values()) {
        if (isPrepared(entry.current.state) && entry.markersId === null && entry.writeId === null) {
          sendMarkers(this.#core, entry, nowMs);
        }
      }
    });
  }

  initProducerId(ticket: number, input: InitProducerIdInput, nowMs: number): Effects {
    return this.#step(nowMs, () =>
      initProducerId(this.#core, { kind: 'initProducerId', ticket, input, deadlineMs: this.#deadline(nowMs) }, nowMs),
    );
  }

  addPartitions(ticket: number, input: AddPartitionsInput, nowMs: number): Effects {
    return this.#step(nowMs, () =>
      addToTransaction(this.#core, { kind: 'addPartitions', ticket, input, deadlineMs: this.#deadline(nowMs) }, nowMs),
    );
  }

  addOffsets(ticket: number, input: AddOffsetsInput, nowMs: number): Effects {
    return this.#step(nowMs, () =>
      addToTransaction(this.#core, { kind: 'addOffsets', ticket, input, deadlineMs: this.#deadline(nowMs) }, nowMs),
    );
  }

  endTxn(ticket: number, input: EndTxnInput, nowMs: number): Effects {
    return this.#step(nowMs, () =>
      endTxn(this.#core, { kind: 'endTxn', ticket, input, deadlineMs: this.#deadline(nowMs) }, nowMs),
    );
  }

  /** The outcome of a state record this machine asked for. */
  written(writeId: number, result: StoreResult, nowMs: number): Effects {
    return this.#step(nowMs, () => this.#core.written(writeId, result, nowMs));
  }

  /** Every marker of a MarkerRequest is written: the transaction's Complete record follows. */
  markersWritten(markersId: number, nowMs: number): Effects {
    return this.#step(nowMs, () => markersWritten(this.#core, markersId, nowMs));
  }

  /** Runs what is due: transaction timeouts (abort + fence), queued requests past their wait, write retries. */
  tick(nowMs: number): Effects {
    return this.#step(nowMs, () => {
      for (const entry of [...this.#core.entries.values()]) {
        const waited = entry.queue.filter((r) => r.deadlineMs <= nowMs);
        if (waited.length > 0) {
          entry.queue = entry.queue.filter((r) => r.deadlineMs > nowMs);
          for (const r of waited) this.#core.fail(r, ErrorCode.CONCURRENT_TRANSACTIONS);
        }
        runOwnDeadline(this.#core, entry, nowMs);
      }
    });
  }

  /**
   * The periodic transactional-id expiry: an id with no transaction open,
   * nothing in flight and no update for `transactionalIdExpirationMs` is
   * deleted (tombstone); a producer that comes back starts from a new
   * producer id.
   */
  expire(nowMs: number): Effects {
    const core = this.#core;
    return this.#step(nowMs, () => {
      for (const entry of core.entries.values()) {
        const s = entry.current;
        const idle = s.state === 'Empty' || s.state === 'CompleteCommit' || s.state === 'CompleteAbort';
        if (!idle || !isAtRest(entry) || entry.queue.length > 0) continue;
        if (s.lastUpdateMs + core.config.transactionalIdExpirationMs > nowMs) continue;
        core.write(entry, null, (written) => {
          if (!written.ok) return;
          core.entries.delete(entry.transactionalId);
          // Requests that arrived during the tombstone's write run again against no entry.
          core.orphans.push(...entry.queue.splice(0));
        });
      }
    });
  }

  /**
   * The machine is being dropped (its partition moved): writes in flight
   * fail as not_coordinator, waiting requests are answered NOT_COORDINATOR
   * so clients find the new coordinator, and markers in flight are
   * forgotten — the new coordinator sends them again.
   */
  abandon(nowMs: number): Effects {
    const core = this.#core;
    core.failAllWrites('not_coordinator', nowMs);
    core.dropMarkers();
    for (const entry of core.entries.values()) {
      for (const r of entry.queue.splice(0)) core.fail(r, ErrorCode.NOT_COORDINATOR);
    }
    for (const r of core.orphans.splice(0)) core.fail(r, ErrorCode.NOT_COORDINATOR);
    core.entries.clear();
    core.woken.clear();
    return core.drain();
  }

  /** KIP-890 part 1: whether each partition is in the producer's ongoing transaction (txn-verify.ts). Read-only. */
  verify(input: VerifyInput): PartitionVerdict[] {
    return verifyInTransaction(this.#core.entries.get(input.transactionalId), input);
  }

  describe(transactionalId: string): TransactionDescription | null {
    const entry = this.#core.entries.get(transactionalId);
    return entry === undefined ? null : describeEntry(entry);
  }

  list(): TransactionDescription[] {
    return [...this.#core.entries.values()].map(describeEntry);
  }

  nextDeadlineMs(): number | null {
    let next: number | null = null;
    const consider = (d: number | null): void => {
      if (d !== null && (next === null || d < next)) next = d;
    };
    for (const entry of this.#core.entries.values()) {
      for (const r of entry.queue) consider(r.deadlineMs);
      consider(ownDeadlineMs(entry));
    }
    return next;
  }

  #deadline(nowMs: number): number {
    return nowMs + this.#core.config.queuedRequestTimeoutMs;
  }

  /** Runs one input, then the requests that were waiting for an id that is now at rest. */
  #step(nowMs: number, body: () => void): Effects {
    assert(Number.isFinite(nowMs), 'nowMs must be a finite time');
    body();
    this.#runWaiting(nowMs);
    return this.#core.drain();
  }

  #runWaiting(nowMs: number): void {
    const core = this.#core;
    for (const r of core.orphans.splice(0)) this.#dispatch(r, nowMs);
    for (const transactionalId of [...core.woken]) {
      core.woken.delete(transactionalId);
      const entry = core.entries.get(transactionalId);
      // In arrival order, up to the first that cannot run yet. Each run either answers its
      // request or starts a write (the id is busy again), so this ends.
      for (let next = entry?.queue[0]; entry !== undefined && next !== undefined && canRun(entry, next); ) {
        entry.queue.shift();
        this.#dispatch(next, nowMs);
        next = entry.queue[0];
      }
    }
  }

  #dispatch(request: QueuedRequest, nowMs: number): void {
    if (request.kind === 'initProducerId') initProducerId(this.#core, request, nowMs);
    else if (request.kind === 'endTxn') endTxn(this.#core, request, nowMs);
    else addToTransaction(this.#core, request, nowMs);
  }
}
