/**
 * The exactly-once clients of the replication simulation: an idempotent
 * producer (values `i<n>`), a transactional producer (values `t<n>.<txn>`),
 * the model transaction coordinator that verifies the latter's batches and
 * ends its transactions with markers, and a read_committed consumer. They
 * talk to the brokers over the run's network like the plain producer, and
 * report to the run's ProducerChecker.
 *
 * Owned by ReplicationCluster, which ticks them every step and delivers
 * what is addressed to their nodes.
 */
import type { Random } from '@runnel/common';
import type { ProducerChecker } from './producer-checker.ts';
import type { ReplicationChecker } from './replication-checker.ts';
import type { SimBroker } from './sim-broker.ts';
import { ReadCommittedConsumer } from './sim-consumer.ts';
import { coordinatorNode, idempotentProducerNode, type SimMessage, txnProducerNode } from './sim-messages.ts';
import { SimProducer } from './sim-producer.ts';
import type { SimBrokerTiming } from './sim-timing.ts';
import { SimTxnCoordinator } from './sim-txn-coordinator.ts';

export const clientNodes = [idempotentProducerNode, txnProducerNode, coordinatorNode] as const;
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

export class SimClients {
  readonly idempotent: SimProducer;
  readonly transactional: SimProducer;
  readonly coordinator: SimTxnCoordinator;
  readonly consumer: ReadCommittedConsumer;
  readonly #checker: ProducerChecker;

  /** Acks go to `replication`'s offset checks (as every acks=all ack does) and to its producer checks. */
  constructor(replication: ReplicationChecker, timing: SimBrokerTiming, random: Random, hooks: SimClientsHooks) {
    const checker = replication.producers;
    this.#checker = checker;
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
      onTransactionReady: (txn: number) =>
        this.coordinator.end(txn, random.bool(abortProbability) ? 'abort' : 'commit'),
    });
    this.idempotent = new SimProducer(
      idempotentProducerNode,
      1000n,
      'i',
      requestTimeoutSteps,
      producerHooks(idempotentProducerNode),
    );
    this.transactional = new SimProducer(
      txnProducerNode,
      2000n,
      't',
      requestTimeoutSteps,
      producerHooks(txnProducerNode),
    );
    this.coordinator = new SimTxnCoordinator(
      this.transactional.producerId,
      this.transactional.producerEpoch,
      requestTimeoutSteps,
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
  deliver(to: number, message: SimMessage, step: number): SimMessage | null {
    if (to === idempotentProducerNode) this.idempotent.receive(message, step);
    else if (to === txnProducerNode) this.transactional.receive(message, step);
    else if (to === coordinatorNode) return this.coordinator.receive(message, step);
    return null;
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
