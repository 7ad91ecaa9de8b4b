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
 * `failOver` stands for the __transaction_state partition moving to another
 * broker: a new coordinator epoch, which the markers carry from then on
 * (the log fences markers of an older one).
 *
 * Owned by ReplicationCluster; ticked every step, fed its messages.
 */
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

type TxnState =
  | { readonly status: 'ongoing'; readonly txn: number }
  | { readonly status: 'ending'; readonly txn: number; readonly decision: 'commit' | 'abort' };

export class SimTxnCoordinator {
  readonly stats = { commits: 0, aborts: 0, markerAttempts: 0, markerRetries: 0, fenced: 0, verified: 0, refused: 0 };
  readonly #producerId: bigint;
  #producerEpoch: number;
  readonly #hooks: SimTxnCoordinatorHooks;
  readonly #requestTimeoutSteps: number;
  #coordinatorEpoch = 0;
  #state: TxnState | null = null;
  #inFlight: { requestId: number; sentStep: number } | null = null;
  #retryAtStep = 0;

  constructor(producerId: bigint, producerEpoch: number, requestTimeoutSteps: number, hooks: SimTxnCoordinatorHooks) {
    this.#producerId = producerId;
    this.#producerEpoch = producerEpoch;
    this.#requestTimeoutSteps = requestTimeoutSteps;
    this.#hooks = hooks;
  }

  get idle(): boolean {
    return this.#state === null;
  }

  /** InitProducerId gave the producer a new epoch (only between transactions here). */
  producerEpochBumped(epoch: number): void {
    if (this.#state === null) this.#producerEpoch = epoch;
  }

  /** AddPartitionsToTxn: the partition is in `txn` from now on. */
  begin(txn: number): void {
    this.#state = { status: 'ongoing', txn };
  }

  /** EndTxn: the decision is logged (PrepareCommit/PrepareAbort), then markers are written until they stick. */
  end(txn: number, decision: 'commit' | 'abort'): void {
    if (this.#state?.txn !== txn || this.#state.status !== 'ongoing') return;
    this.#state = { status: 'ending', txn, decision };
    if (decision === 'commit') this.stats.commits += 1;
    else this.stats.aborts += 1;
    this.#hooks.onDecided(txn, decision);
    this.#hooks.note(`coordinator: ${decision} transaction ${txn}`);
  }

  /** A new coordinator (epoch + 1) takes over and writes the pending marker again. */
  failOver(): void {
    this.#coordinatorEpoch += 1;
    this.#inFlight = null;
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
  receive(message: SimMessage, step: number): SimMessage | null {
    if (message.type === 'verify') {
      const state = this.#state;
      const verified =
        state?.status === 'ongoing' &&
        message.producerId === this.#producerId &&
        message.producerEpoch === this.#producerEpoch;
      if (verified) this.stats.verified += 1;
      else {
        this.stats.refused += 1;
        this.#hooks.note(
          `coordinator: refuses to verify producer ${message.producerId} (${state?.status ?? 'no'} transaction)`,
        );
      }
      return { type: 'verify-response', requestId: message.requestId, verified };
    }
    if (message.type === 'txn-marker-response' && this.#inFlight?.requestId === message.requestId) {
      this.#inFlight = null;
      this.#onMarkerAnswer(message.outcome, step);
    }
    return null;
  }

  #onMarkerAnswer(outcome: MarkerOutcome, step: number): void {
    const state = this.#state;
    if (state === null || state.status !== 'ending') return;
    if (outcome === 'done') {
      this.#state = null;
      this.#hooks.note(`coordinator: transaction ${state.txn} complete`);
      this.#hooks.onCompleted(state.txn);
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
