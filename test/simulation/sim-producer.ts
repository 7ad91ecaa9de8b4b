/**
 * An idempotent (optionally transactional) producer in the simulation, as
 * librdkafka and the Java client behave with max.in.flight 1: a producer
 * id and epoch, records queued as the application sends them and sealed
 * into a batch (up to `batchValuesMax` records of one transaction, or of
 * none) with its base sequence when the previous batch is done, one batch
 * in flight, and
 * on any failure — an error answer (not leader, not enough replicas, timed
 * out, after-append failures) or no answer within `requestTimeoutSteps`
 * (a leader that died or was cut off) — the SAME batch (same sequence) is
 * sent again, to the leader the controller names now. An answer the log
 * gives from its duplicate table (the original offsets) is an ack like any
 * other.
 *
 * Answers to an attempt the producer already gave up on (a request that
 * waited in a paused broker, a reply that came after the timeout) are
 * stale: counted, and otherwise ignored, as a client that closed the
 * connection would. A producer-state refusal (out of order sequence,
 * invalid producer epoch, invalid transaction state) of the current
 * attempt goes to `onRefused` (the checker's `producer-refused`).
 *
 * Transactional: `beginTransaction` adds the partition to a transaction at
 * the model's coordinator and queues its records; once all are acked the
 * producer asks the coordinator to end it, and starts no other transaction
 * until the coordinator has written the marker (as a real producer's next
 * AddPartitionsToTxn waits with CONCURRENT_TRANSACTIONS).
 *
 * Transaction version 2 (`transactionVersion` 2): batches go as Produce
 * v12 (the leader adds the partition), and the end's answer names the
 * raised epoch (`transactionDecided`): the producer takes it with sequence
 * 0 and may begin its next transaction at once, so that transaction's
 * first batch may reach the leader before the previous one's marker.
 * CONCURRENT_TRANSACTIONS (the coordinator still ending the previous one)
 * is retried like any retriable error; a new epoch of its own
 * (InitProducerId) waits until the coordinator is at rest.
 *
 * It remembers a few acked batches of its earlier epochs for the zombie
 * replays (`oldBatch`).
 *
 * Owned by ReplicationCluster; ticked every step, fed its answers.
 */
import type { ProduceOutcome, SimMessage } from './sim-messages.ts';

export interface SimProducerHooks {
  /** The leader the controller names now; -1 when there is none. */
  leader(): number;
  send(to: number, message: SimMessage): void;
  nextId(): number;
  note(line: string): void;
  onAcked(batch: ProducerBatch, baseOffset: bigint, duplicate: boolean): void;
  onRefused(batch: ProducerBatch, outcome: ProduceOutcome): void;
  /** Transactional: the transaction's batches are all acked; the coordinator is to end it. */
  onTransactionReady(txn: number): void;
  /** The producer took a new epoch (its coordinator hands it out). */
  onEpochBumped(epoch: number): void;
  /** Whether InitProducerId would hand out a new epoch now (not while the coordinator ends a transaction). */
  mayTakeEpoch(): boolean;
}

/** An acked batch as it was sent: what a zombie of its epoch would send again. */
export interface SentBatch {
  readonly values: readonly string[];
  readonly producerEpoch: number;
  readonly baseSequence: number;
  readonly transactional: boolean;
}

export interface ProducerBatch {
  readonly values: readonly string[];
  readonly baseSequence: number;
  /** The transaction it belongs to; null for an idempotent batch. */
  readonly txn: number | null;
}

/** How many queued records one batch takes at most (batch.size, in records). */
const batchValuesMax = 5;

const refusals: ReadonlySet<ProduceOutcome> = new Set([
  'out_of_order_sequence',
  'invalid_producer_epoch',
  'invalid_txn_state',
  'transaction_abortable',
]);

/** How many acked batches it remembers for zombie replays. */
const sentBatchesKept = 8;

export class SimProducer {
  readonly node: number;
  readonly producerId: bigint;
  readonly stats = {
    batches: 0,
    acked: 0,
    resends: 0,
    duplicates: 0,
    staleAnswers: 0,
    staleRefusals: 0,
    epochBumps: 0,
    /** Version 2: epochs the coordinator raised when it decided an end. */
    endEpochs: 0,
  };
  readonly transactionVersion: 1 | 2;
  readonly #prefix: string;
  readonly #hooks: SimProducerHooks;
  readonly #requestTimeoutSteps: number;
  /** Records the application sent that are in no batch yet, oldest first. */
  readonly #records: { readonly value: string; readonly txn: number | null }[] = [];
  /** The sealed batch being sent until it is acked. */
  #batch: ProducerBatch | null = null;
  #inFlight: { produceId: number; sentStep: number } | null = null;
  #retryAtStep = 0;
  #producerEpoch = 0;
  #bumpWanted = false;
  #nextSequence = 0;
  #nextValue = 1;
  #nextTxn = 1;
  /** The open transaction: its number and whether the coordinator was asked to end it; null when none. */
  #txn: { txn: number; ending: boolean } | null = null;
  /** The last acked batches, oldest first. */
  readonly #sent: SentBatch[] = [];

  constructor(
    node: number,
    producerId: bigint,
    prefix: string,
    requestTimeoutSteps: number,
    transactionVersion: 1 | 2,
    hooks: SimProducerHooks,
  ) {
    this.node = node;
    this.producerId = producerId;
    this.#prefix = prefix;
    this.#requestTimeoutSteps = requestTimeoutSteps;
    this.transactionVersion = transactionVersion;
    this.#hooks = hooks;
  }

  get producerEpoch(): number {
    return this.#producerEpoch;
  }

  /**
   * Asks for a new epoch from sequence 0 (InitProducerId again after a
   * restart, or an idempotent producer's KIP-360 bump), taken at the next
   * point between batches with no transaction open. Attempts of the old
   * epoch still in the network are the zombies the log must fence.
   */
  bumpEpoch(): void {
    this.#bumpWanted = true;
    this.#bumpIfDue();
  }

  #bumpIfDue(): void {
    if (!this.#bumpWanted || this.#batch !== null || this.#txn !== null || !this.#hooks.mayTakeEpoch()) return;
    this.#bumpWanted = false;
    this.#producerEpoch += 1;
    this.#nextSequence = 0;
    this.stats.epochBumps += 1;
    this.#hooks.note(`producer ${this.producerId}: epoch ${this.#producerEpoch}, sequences from 0`);
    this.#hooks.onEpochBumped(this.#producerEpoch);
  }

  /** Nothing queued, nothing in flight, no transaction open. */
  get idle(): boolean {
    return this.#records.length === 0 && this.#batch === null && this.#txn === null;
  }

  /** Queues `count` new idempotent (non-transactional) records; none while a transaction is open. */
  produce(count: number): void {
    if (this.#txn !== null) return;
    this.#enqueue(count, null);
  }

  /** Opens a transaction of `count` records; null if one is open. */
  beginTransaction(count: number): number | null {
    if (this.#txn !== null || count <= 0) return null;
    this.#bumpIfDue();
    const txn = this.#nextTxn++;
    this.#txn = { txn, ending: false };
    this.#enqueue(count, txn);
    return txn;
  }

  /** The coordinator wrote the transaction's marker everywhere: the next one may begin. */
  transactionEnded(txn: number): void {
    if (this.#txn?.txn === txn) this.#txn = null;
  }

  /** Version 2: EndTxn answered with the epoch to use next; the next transaction may begin now, from sequence 0. */
  transactionDecided(txn: number, producerEpoch: number): void {
    if (this.#txn?.txn !== txn) return;
    this.#txn = null;
    this.#producerEpoch = producerEpoch;
    this.#nextSequence = 0;
    this.stats.endEpochs += 1;
    this.#hooks.note(`producer ${this.producerId}: transaction ${txn} decided, epoch ${producerEpoch} from sequence 0`);
  }

  /** A remembered acked batch of an epoch before the current one, picked by `pick`; null when there is none. */
  oldBatch(pick: (batches: readonly SentBatch[]) => SentBatch): SentBatch | null {
    const old = this.#sent.filter((b) => b.producerEpoch < this.#producerEpoch);
    return old.length === 0 ? null : pick(old);
  }

  tick(step: number): void {
    const inFlight = this.#inFlight;
    if (inFlight !== null) {
      if (step - inFlight.sentStep < this.#requestTimeoutSteps) return;
      this.#hooks.note(`producer ${this.producerId}: produce ${inFlight.produceId} unanswered, sending it again`);
      this.#inFlight = null;
      this.stats.resends += 1;
    }
    if (step < this.#retryAtStep) return;
    this.#bumpIfDue();
    const batch = this.#batch ?? this.#seal();
    if (batch === null) return;
    const leader = this.#hooks.leader();
    if (leader < 0) return;
    const produceId = this.#hooks.nextId();
    this.#inFlight = { produceId, sentStep: step };
    this.#hooks.send(leader, {
      type: 'produce',
      produceId,
      version: this.transactionVersion === 2 && batch.txn !== null ? 12 : 8,
      values: batch.values,
      producer: {
        producerId: this.producerId,
        producerEpoch: this.#producerEpoch,
        baseSequence: batch.baseSequence,
        transactional: batch.txn !== null,
      },
    });
  }

  receive(message: SimMessage, step: number): void {
    if (message.type !== 'produce-response') return;
    const batch = this.#batch;
    if (this.#inFlight?.produceId !== message.produceId || batch === null) {
      this.stats.staleAnswers += 1;
      if (refusals.has(message.outcome)) {
        this.stats.staleRefusals += 1;
        this.#hooks.note(
          `producer ${this.producerId}: ${message.outcome} for produce ${message.produceId}, given up on`,
        );
      }
      return;
    }
    this.#inFlight = null;
    if (message.outcome !== 'done') {
      if (refusals.has(message.outcome)) this.#hooks.onRefused(batch, message.outcome);
      // Retriable (or, for a refusal, already a violation): the same batch again after a short backoff.
      this.stats.resends += 1;
      this.#retryAtStep = step + 2;
      return;
    }
    this.#batch = null;
    this.stats.acked += 1;
    this.#sent.push({
      values: batch.values,
      producerEpoch: this.#producerEpoch,
      baseSequence: batch.baseSequence,
      transactional: batch.txn !== null,
    });
    if (this.#sent.length > sentBatchesKept) this.#sent.shift();
    if (message.duplicate) this.stats.duplicates += 1;
    this.#hooks.onAcked(batch, message.baseOffset, message.duplicate);
    const txn = this.#txn;
    // Every record of the transaction is acked (it queues them all at once): the coordinator may end it.
    if (txn !== null && batch.txn === txn.txn && !txn.ending && this.#records.every((r) => r.txn !== txn.txn)) {
      txn.ending = true;
      this.#hooks.onTransactionReady(txn.txn);
    }
  }

  #enqueue(count: number, txn: number | null): void {
    for (let i = 0; i < count; i++) {
      const n = this.#nextValue++;
      this.#records.push({ value: txn === null ? `${this.#prefix}${n}` : `${this.#prefix}${n}.${txn}`, txn });
    }
  }

  /** The next batch: the oldest queued records of one transaction (or none), with the next sequence. */
  #seal(): ProducerBatch | null {
    const first = this.#records[0];
    if (first === undefined) return null;
    let count = 0;
    while (count < batchValuesMax && this.#records[count]?.txn === first.txn) count += 1;
    const values = this.#records.splice(0, count).map((r) => r.value);
    this.#batch = { values, baseSequence: this.#nextSequence, txn: first.txn };
    this.#nextSequence += count;
    this.stats.batches += 1;
    return this.#batch;
  }
}

/** A producer's value: its prefix, its number in send order, and (transactional) `.txn`. */
export function parseProducerValue(value: string): { prefix: string; n: number; txn: number | null } | null {
  const m = /^([a-z])(\d+)(?:\.(\d+))?$/.exec(value);
  if (m === null || m[1] === undefined || m[2] === undefined) return null;
  return { prefix: m[1], n: Number(m[2]), txn: m[3] === undefined ? null : Number(m[3]) };
}
