/**
 * The transaction coordinator's part in the simulation, as a model (the
 * real coordinator is not run here): it knows the transactional producer's
 * ongoing transaction, answers the leaders' KIP-890 verification (the
 * partition is in the producer's ongoing transaction, under its epoch),
 * decides COMMIT or ABORT when the producer ends a transaction, and writes
 * the marker through the partition's current leader (WriteTxnMarkers ->
 * Partition.writeTxnMarker) as the real marker writer does: the same
 * marker again, to the leader the controller names now, after any failure
 * (not leader, not enough replicas, not replicated in time, no answer),
 * until the partition has it on every ISR member. Only then is the
 * transaction complete and the producer told.
 *
 * Transaction version 2 (`transactionVersion` 2, KIP-890 part 2): the
 * decision raises the producer epoch, the markers carry the raised epoch,
 * and `end` returns it at once (EndTxn answers after the Prepare record,
 * before any marker), so the producer may start its next transaction at
 * that epoch while the markers are still on their way. Partitions join
 * through the leaders' adds (`verify` with `add`): the first add of the
 * next transaction opens it; one that comes while the previous transaction
 * is still ending waits until it is complete (as the real coordinator
 * queues it) or, now and then, is answered CONCURRENT_TRANSACTIONS at once
 * (retriable). Any other epoch is PRODUCER_FENCED.
 *
 * `failOver` stands for the __transaction_state partition moving to another
 * broker: a new coordinator epoch, which the markers carry from then on
 * (the log fences markers of an older one).
 *
 * Owned by ReplicationCluster; ticked every step, fed its messages.
 */
import type { Random } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { MarkerOutcome, SimMessage } from './sim-messages.ts';

export interface SimTxnCoordinatorHooks {
  leader(): number;
  send(to: number, message: SimMessage): void;
  nextId(): number;
  note(line: string): void;
  /** Decided before any marker is written: what the transaction's records must be to read_committed readers. */
  onDecided(txn: number, decision: 'commit' | 'abort'): void;
  onCompleted(txn: number): void;
  /** The log fenced a marker of the current coordinator epoch (epochs only grow here: never due). */
  onFenced(detail: string): void;
}

type VerifyMessage = Extract<SimMessage, { type: 'verify' }>;

/** How often a version 2 add that finds the previous transaction ending is answered CONCURRENT_TRANSACTIONS rather than queued. */
const concurrentAnswerProbability = 0.3;

type TxnState =
  | { readonly status: 'ongoing'; readonly txn: number }
  | { readonly status: 'ending'; readonly txn: number; readonly decision: 'commit' | 'abort' };

export class SimTxnCoordinator {
  readonly stats = {
    commits: 0,
    aborts: 0,
    markerAttempts: 0,
    markerRetries: 0,
    fenced: 0,
    verified: 0,
    refused: 0,
    /** Version 2: adds that came while the previous transaction was ending (queued or answered CONCURRENT_TRANSACTIONS). */
    addsWhileEnding: 0,
    /** Version 2: adds of a partition already in the ongoing transaction (a leader asking again, or a new leader). */
    addsAgain: 0,
    /** Version 2: a leader's second add for the same produce, its guard dropped by the previous transaction's marker. */
    asksAgain: 0,
  };
  readonly transactionVersion: 1 | 2;
  readonly #producerId: bigint;
  #producerEpoch: number;
  readonly #hooks: SimTxnCoordinatorHooks;
  readonly #requestTimeoutSteps: number;
  #coordinatorEpoch = 0;
  #state: TxnState | null = null;
  #inFlight: { requestId: number; sentStep: number } | null = null;
  #retryAtStep = 0;
  /** Version 2: the transaction the producer began and no add opened yet. */
  #nextTxn: number | null = null;
  /** Version 2: adds queued until the previous transaction is complete, with who asked. */
  #queuedAdds: { readonly from: number; readonly message: VerifyMessage }[] = [];
  readonly #random: Random;

  constructor(
    producerId: bigint,
    producerEpoch: number,
    requestTimeoutSteps: number,
    transactionVersion: 1 | 2,
    random: Random,
    hooks: SimTxnCoordinatorHooks,
  ) {
    this.#producerId = producerId;
    this.#producerEpoch = producerEpoch;
    this.#requestTimeoutSteps = requestTimeoutSteps;
    this.transactionVersion = transactionVersion;
    this.#random = random;
    this.#hooks = hooks;
  }

  get idle(): boolean {
    return this.#state === null;
  }

  /** InitProducerId gave the producer a new epoch (only between transactions here). */
  producerEpochBumped(epoch: number): void {
    if (this.#state === null) this.#producerEpoch = epoch;
  }

  /**
   * The producer began `txn`. Version 1: its AddPartitionsToTxn, the
   * partition is in `txn` from now on. Version 2: nothing yet; the first
   * leader's add opens it.
   */
  begin(txn: number): void {
    if (this.transactionVersion === 2) this.#nextTxn = txn;
    else this.#state = { status: 'ongoing', txn };
  }

  /**
   * EndTxn: the decision is logged (PrepareCommit/PrepareAbort), then
   * markers are written until they stick. Returns the producer epoch the
   * answer names (version 2: raised; the markers carry it); null if `txn`
   * is not the ongoing transaction.
   */
  end(txn: number, decision: 'commit' | 'abort'): number | null {
    if (this.#state?.txn !== txn || this.#state.status !== 'ongoing') return null;
    this.#state = { status: 'ending', txn, decision };
    if (this.transactionVersion === 2) this.#producerEpoch += 1;
    if (decision === 'commit') this.stats.commits += 1;
    else this.stats.aborts += 1;
    this.#hooks.onDecided(txn, decision);
    this.#hooks.note(`coordinator: ${decision} transaction ${txn} (producer epoch ${this.#producerEpoch})`);
    return this.#producerEpoch;
  }

  /** A new coordinator (epoch + 1) takes over and writes the pending marker again. */
  failOver(): void {
    this.#coordinatorEpoch += 1;
    this.#inFlight = null;
    // The queue was the old coordinator's: the leaders waiting on it give up and their clients retry.
    this.#queuedAdds.length = 0;
    this.#hooks.note(`coordinator: fails over to epoch ${this.#coordinatorEpoch}`);
  }

  tick(step: number): void {
    const state = this.#state;
    if (state === null || state.status !== 'ending') return;
    const inFlight = this.#inFlight;
    if (inFlight !== null) {
      if (step - inFlight.sentStep < this.#requestTimeoutSteps) return;
      this.#inFlight = null;
      this.stats.markerRetries += 1;
    }
    if (step < this.#retryAtStep) return;
    const leader = this.#hooks.leader();
    if (leader < 0) return;
    const requestId = this.#hooks.nextId();
    this.#inFlight = { requestId, sentStep: step };
    this.stats.markerAttempts += 1;
    this.#hooks.send(leader, {
      type: 'txn-marker',
      requestId,
      producerId: this.#producerId,
      producerEpoch: this.#producerEpoch,
      coordinatorEpoch: this.#coordinatorEpoch,
      marker: state.decision,
    });
  }

  /** A leader's verification question or a marker answer; returns the reply to send back, if any. */
  receive(from: number, message: SimMessage, step: number): SimMessage | null {
    if (message.type === 'verify') {
      if (message.again) this.stats.asksAgain += 1;
      const errorCode = message.add ? this.#add(from, message) : this.#verify(message);
      return errorCode === null ? null : { type: 'verify-response', requestId: message.requestId, errorCode };
    }
    if (message.type === 'txn-marker-response' && this.#inFlight?.requestId === message.requestId) {
      this.#inFlight = null;
      this.#onMarkerAnswer(message.outcome, step);
    }
    return null;
  }

  /** KIP-890 part 1: is the partition in the producer's ongoing transaction, under its epoch? */
  #verify(message: VerifyMessage): number {
    const state = this.#state;
    if (state?.status === 'ongoing' && this.#sameProducer(message)) return this.#verdict(ErrorCode.NONE, message);
    return this.#verdict(ErrorCode.TRANSACTION_ABORTABLE, message, `${state?.status ?? 'no'} transaction`);
  }

  /** Version 2's add (null: queued until the previous transaction is complete, answered then). */
  #add(from: number, message: VerifyMessage): number | null {
    if (!this.#sameProducer(message)) {
      return this.#verdict(ErrorCode.PRODUCER_FENCED, message, `epoch ${message.producerEpoch} fenced`);
    }
    const state = this.#state;
    if (state?.status === 'ending') {
      this.stats.addsWhileEnding += 1;
      if (this.#random.bool(concurrentAnswerProbability)) return ErrorCode.CONCURRENT_TRANSACTIONS;
      this.#queuedAdds.push({ from, message });
      return null;
    }
    if (state?.status === 'ongoing') {
      this.stats.addsAgain += 1;
      return this.#verdict(ErrorCode.NONE, message);
    }
    const txn = this.#nextTxn;
    if (txn === null) return this.#verdict(ErrorCode.TRANSACTION_ABORTABLE, message, 'no transaction begun');
    this.#nextTxn = null;
    this.#state = { status: 'ongoing', txn };
    this.#hooks.note(`coordinator: transaction ${txn} opened by an add at epoch ${message.producerEpoch}`);
    return this.#verdict(ErrorCode.NONE, message);
  }

  #sameProducer(message: VerifyMessage): boolean {
    return message.producerId === this.#producerId && message.producerEpoch === this.#producerEpoch;
  }

  #verdict(errorCode: number, message: VerifyMessage, why = ''): number {
    if (errorCode === ErrorCode.NONE) this.stats.verified += 1;
    else {
      this.stats.refused += 1;
      this.#hooks.note(
        `coordinator: refuses ${message.add ? 'the add of' : 'to verify'} producer ${message.producerId} (${why})`,
      );
    }
    return errorCode;
  }

  #onMarkerAnswer(outcome: MarkerOutcome, step: number): void {
    const state = this.#state;
    if (state === null || state.status !== 'ending') return;
    if (outcome === 'done') {
      this.#state = null;
      this.#hooks.note(`coordinator: transaction ${state.txn} complete`);
      this.#hooks.onCompleted(state.txn);
      // The queued adds run now, in order (the first opens the next transaction).
      for (const { from, message } of this.#queuedAdds.splice(0)) {
        const errorCode = this.#add(from, message);
        if (errorCode !== null)
          this.#hooks.send(from, { type: 'verify-response', requestId: message.requestId, errorCode });
      }
      return;
    }
    if (outcome === 'coordinator_fenced') {
      this.stats.fenced += 1;
      this.#hooks.onFenced(`coordinator epoch ${this.#coordinatorEpoch}: marker of transaction ${state.txn} fenced`);
    }
    this.stats.markerRetries += 1;
    this.#retryAtStep = step + 2;
  }
}
