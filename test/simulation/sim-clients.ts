/**
 * The exactly-once clients of the replication simulation: an idempotent
 * producer (values `i<n>`), a transactional producer (values `t<n>.<txn>`),
 * the model transaction coordinator that verifies the latter's batches and
 * ends its transactions with markers, and a read_committed consumer. They
 * talk to the brokers over the run's network like the plain producer, and
 * report to the run's ProducerChecker.
 *
 * With `transactionVersion` 2 the transactional producer and the
 * coordinator follow KIP-890 part 2 (see sim-producer.ts and
 * sim-txn-coordinator.ts); half of the time the application begins its
 * next transaction as soon as EndTxn answers, which is what sends a first
 * batch of the next transaction ahead of the previous one's marker
 * (counted at delivery: `nextTxnBeforeMarker`). In both versions
 * `replayZombie` sends an acked batch of one of the transactional
 * producer's earlier epochs again, as a zombie's late request: it must
 * never be appended as new (`zombie-accepted`).
 *
 * Owned by ReplicationCluster, which ticks them every step and delivers
 * what is addressed to their nodes.
 */
import type { Random } from '@runnel/common';
import type { ProducerChecker } from './producer-checker.ts';
import type { ReplicationChecker } from './replication-checker.ts';
import type { SimBroker } from './sim-broker.ts';
import { ReadCommittedConsumer } from './sim-consumer.ts';
import {
  coordinatorNode,
  idempotentProducerNode,
  type SimMessage,
  txnProducerNode,
  zombieNode,
} from './sim-messages.ts';
import { SimProducer } from './sim-producer.ts';
import type { SimBrokerTiming } from './sim-timing.ts';
import { SimTxnCoordinator } from './sim-txn-coordinator.ts';

export const clientNodes = [idempotentProducerNode, txnProducerNode, coordinatorNode, zombieNode] as const;
/** The checked producers' value prefixes. */
export const exactlyOncePrefixes: ReadonlySet<string> = new Set(['i', 't']);

export interface SimClientsHooks {
  leader(): number;
  send(from: number, to: number, message: SimMessage): void;
  nextId(): number;
  note(line: string): void;
}

/** How often the coordinator aborts a transaction rather than committing it. */
const abortProbability = 0.4;
/** Version 2: how often the application begins its next transaction as soon as EndTxn answers. */
const eagerNextTxnProbability = 0.5;

type ProduceMessage = Extract<SimMessage, { type: 'produce' }>;
/** The answers that fence a zombie's batch (producer state or the coordinator's verdict). */
const zombieRefusals: ReadonlySet<string> = new Set([
  'invalid_producer_epoch',
  'invalid_txn_state',
  'out_of_order_sequence',
  'transaction_abortable',
]);

export class SimClients {
  readonly idempotent: SimProducer;
  readonly transactional: SimProducer;
  readonly coordinator: SimTxnCoordinator;
  readonly consumer: ReadCommittedConsumer;
  readonly #checker: ProducerChecker;
  readonly #random: Random;
  readonly #hooks: SimClientsHooks;
  readonly stats = {
    /** Version 2: first batches of a next transaction that reached a leader before the previous one's marker. */
    nextTxnBeforeMarker: 0,
    zombieReplays: 0,
    /** Zombie replays the leader refused (the rest were duplicates, not led, or unanswered). */
    zombiesRefused: 0,
  };
  /** The zombie's requests in flight: what each replayed. */
  readonly #zombies = new Map<number, string>();

  /** Acks go to `replication`'s offset checks (as every acks=all ack does) and to its producer checks. */
  constructor(
    replication: ReplicationChecker,
    timing: SimBrokerTiming,
    random: Random,
    transactionVersion: 1 | 2,
    hooks: SimClientsHooks,
  ) {
    const checker = replication.producers;
    this.#checker = checker;
    this.#random = random;
    this.#hooks = hooks;
    // A client waits a little longer than the broker's acks=all timeout before it gives up on an answer.
    const requestTimeoutSteps = Math.ceil(timing.ackTimeoutMs / timing.msPerStep) + 20;
    const producerHooks = (node: number) => ({
      leader: hooks.leader,
      send: (to: number, message: SimMessage) => hooks.send(node, to, message),
      nextId: hooks.nextId,
      note: hooks.note,
      onAcked: (batch: { values: readonly string[] }, baseOffset: bigint) => {
        checker.onAcked(batch.values);
        replication.onAck(baseOffset, batch.values);
      },
      onRefused: (batch: { values: readonly string[]; baseSequence: number }, outcome: string) =>
        checker.fail(
          'producer-refused',
          `node ${node}: batch [${batch.values}] at sequence ${batch.baseSequence} refused as ${outcome}`,
        ),
      // The transactional producer bumps only between transactions, when its coordinator is idle.
      onEpochBumped: (epoch: number) => {
        if (node === txnProducerNode) this.coordinator.producerEpochBumped(epoch);
      },
      onTransactionReady: (txn: number) => {
        const epoch = this.coordinator.end(txn, random.bool(abortProbability) ? 'abort' : 'commit');
        if (epoch === null || transactionVersion !== 2) return;
        this.transactional.transactionDecided(txn, epoch);
        if (random.bool(eagerNextTxnProbability)) this.beginTransaction(random.int(1, 10));
      },
      mayTakeEpoch: () => node !== txnProducerNode || this.coordinator.idle,
    });
    this.idempotent = new SimProducer(
      idempotentProducerNode,
      1000n,
      'i',
      requestTimeoutSteps,
      1,
      producerHooks(idempotentProducerNode),
    );
    this.transactional = new SimProducer(
      txnProducerNode,
      2000n,
      't',
      requestTimeoutSteps,
      transactionVersion,
      producerHooks(txnProducerNode),
    );
    this.coordinator = new SimTxnCoordinator(
      this.transactional.producerId,
      this.transactional.producerEpoch,
      requestTimeoutSteps,
      transactionVersion,
      random,
      {
        leader: hooks.leader,
        send: (to, message) => hooks.send(coordinatorNode, to, message),
        nextId: hooks.nextId,
        note: hooks.note,
        onDecided: (txn, decision) => checker.onDecided(txn, decision),
        onCompleted: (txn) => this.transactional.transactionEnded(txn),
        onFenced: (detail) => checker.fail('producer-refused', detail),
      },
    );
    this.consumer = new ReadCommittedConsumer('consumer', checker);
  }

  /** Producers and coordinator done: every batch acked, every transaction ended with its marker everywhere. */
  get idle(): boolean {
    return this.idempotent.idle && this.transactional.idle && this.coordinator.idle;
  }

  /** Opens a transaction of `count` records (the partition is added to it at the coordinator first). */
  beginTransaction(count: number): void {
    const txn = this.transactional.beginTransaction(count);
    if (txn !== null) this.coordinator.begin(txn);
  }

  tick(step: number): void {
    this.idempotent.tick(step);
    this.transactional.tick(step);
    this.coordinator.tick(step);
  }

  /** A message for one of the clients' nodes; returns a reply for the sender, if any. */
  deliver(from: number, to: number, message: SimMessage, step: number): SimMessage | null {
    if (to === idempotentProducerNode) this.idempotent.receive(message, step);
    else if (to === txnProducerNode) this.transactional.receive(message, step);
    else if (to === coordinatorNode) return this.coordinator.receive(from, message, step);
    else if (to === zombieNode) this.#onZombieAnswer(message);
    return null;
  }

  /**
   * A produce about to reach `broker`: counts the transactional producer's
   * first batch of a transaction at an epoch above the one of the
   * transaction still open in the broker's producer table (the previous
   * transaction's marker has not reached it yet).
   */
  onProduceArriving(from: number, broker: SimBroker, message: ProduceMessage): void {
    const producer = message.producer;
    if (from !== txnProducerNode || producer === undefined || producer.baseSequence !== 0) return;
    if (!broker.serving || broker.role !== 'leader') return;
    const entry = broker.producerState(producer.producerId);
    if (entry === undefined || entry.currentTxnFirstOffset === null || entry.epoch >= producer.producerEpoch) return;
    this.stats.nextTxnBeforeMarker += 1;
    this.#hooks.note(
      `broker ${broker.id}: epoch ${producer.producerEpoch} batch arrives before the marker of the transaction open at epoch ${entry.epoch}`,
    );
  }

  /** Sends an acked batch of an earlier epoch of the transactional producer again, to the leader, as a zombie would. */
  replayZombie(): void {
    const leader = this.#hooks.leader();
    const old = this.transactional.oldBatch((batches) => this.#random.pick(batches));
    if (leader < 0 || old === null) return;
    const produceId = this.#hooks.nextId();
    const what = `[${old.values}] of epoch ${old.producerEpoch} at sequence ${old.baseSequence}`;
    this.#zombies.set(produceId, what);
    this.stats.zombieReplays += 1;
    this.#hooks.note(`zombie: replays ${what} (produce ${produceId}) to broker ${leader}`);
    this.#hooks.send(zombieNode, leader, {
      type: 'produce',
      produceId,
      version: this.transactional.transactionVersion === 2 ? 12 : 8,
      values: old.values,
      producer: {
        producerId: this.transactional.producerId,
        producerEpoch: old.producerEpoch,
        baseSequence: old.baseSequence,
        transactional: old.transactional,
      },
    });
  }

  /** Refused, a duplicate (the original's offsets: nothing written), or a retriable failure; never appended as new. */
  #onZombieAnswer(message: SimMessage): void {
    if (message.type !== 'produce-response') return;
    const what = this.#zombies.get(message.produceId);
    if (what === undefined) return;
    this.#zombies.delete(message.produceId);
    if (message.outcome === 'done' && !message.duplicate) {
      this.#checker.fail('zombie-accepted', `${what} appended again at offset ${message.baseOffset}`);
    } else {
      if (zombieRefusals.has(message.outcome)) this.stats.zombiesRefused += 1;
      this.#hooks.note(`zombie: ${what} answered ${message.outcome}${message.duplicate ? ' (duplicate)' : ''}`);
    }
  }

  /**
   * After convergence: every replica's producer table has the final
   * leader's entries for both producers, and a fresh read_committed consumer
   * reading the whole log gets exactly what was acked and committed.
   */
  async checkFinal(leader: SimBroker, brokers: readonly SimBroker[]): Promise<void> {
    for (const producerId of [this.idempotent.producerId, this.transactional.producerId]) {
      const ours = describeEntry(leader.producerState(producerId));
      for (const b of brokers) {
        const theirs = describeEntry(b.producerState(producerId));
        if (theirs !== ours) {
          this.#checker.fail(
            'producer-state-differs',
            `producer ${producerId}: leader ${leader.id} has ${ours}, broker ${b.id} has ${theirs}`,
          );
          return;
        }
      }
    }
    const reader = new ReadCommittedConsumer('final reader', this.#checker);
    while (reader.position < leader.highWatermark) {
      const before = reader.position;
      if (!(await reader.poll(leader)) || reader.position === before) {
        this.#checker.fail(
          'read-committed-wrong',
          `final reader stuck at ${reader.position}, HWM ${leader.highWatermark}`,
        );
        return;
      }
    }
    this.#checker.checkFinalRead(reader.delivered.values);
  }
}

function describeEntry(entry: ReturnType<SimBroker['producerState']>): string {
  if (entry === undefined) return 'no entry';
  const batches = entry.batches.map((b) => `${b.firstSeq}-${b.lastSeq}@${b.firstOffset}`).join(' ');
  return `epoch ${entry.epoch} [${batches}] txn ${entry.currentTxnFirstOffset ?? 'none'} coordinator epoch ${entry.coordinatorEpoch}`;
}
