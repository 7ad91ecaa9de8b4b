import { assert } from '@runnel/common';
import type { Message, NodeId } from '@runnel/raft';
import type { Scheduler } from './scheduler.ts';

/** Fault knobs of the simulated network, as plain data. Delays are in scheduler steps. */
export interface NetworkFaults {
  readonly dropProbability: number;
  readonly duplicateProbability: number;
  readonly delayStepsMin: number;
  readonly delayStepsMax: number;
}

/** A network that delivers everything, quickly: what a schedule switches to when it checks liveness. */
export const calmNetworkFaults: NetworkFaults = {
  dropProbability: 0,
  duplicateProbability: 0,
  delayStepsMin: 0,
  delayStepsMax: 2,
};

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  /** Snapshot messages sent: whether a schedule exercised catch-up from a snapshot. */
  snapshots: number;
}

/** What became of one message taken off the network. */
export interface Delivery {
  readonly message: Message;
  readonly outcome: 'delivered' | 'lost' | 'unreachable';
}

interface InFlight {
  readonly message: Message;
  readonly deliverAtStep: number;
}

/**
 * The simulated network between raft nodes: per-message drop, delay and
 * duplication, reordering (any due message may be delivered next) and
 * partitions (groups of nodes that cannot reach each other, until healed).
 * Reachability is checked at delivery, so a partition also cuts messages
 * already in flight.
 *
 * Owned by one RaftCluster. The queue is bounded: when it is full a send is
 * dropped, which raft must tolerate like any other loss.
 */
export class SimNetwork {
  readonly #scheduler: Scheduler;
  readonly #inFlightMax: number;
  #inFlight: InFlight[] = [];
  #faults: NetworkFaults;
  /** Partition group per node; null when the network is whole. */
  #groups: Map<NodeId, number> | null = null;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, snapshots: 0 };

  constructor(scheduler: Scheduler, faults: NetworkFaults, inFlightMax = 10_000) {
    assert(inFlightMax > 0, 'network queue must hold at least one message');
    this.#scheduler = scheduler;
    this.#faults = faults;
    this.#inFlightMax = inFlightMax;
  }

  setFaults(faults: NetworkFaults): void {
    assert(faults.delayStepsMin >= 0 && faults.delayStepsMax >= faults.delayStepsMin, 'bad delay range');
    this.#faults = faults;
  }

  get inFlightCount(): number {
    return this.#inFlight.length;
  }

  get partitioned(): boolean {
    return this.#groups !== null;
  }

  send(message: Message): void {
    const random = this.#scheduler.random;
    this.stats.sent += 1;
    if (message.type === 'snapshot') this.stats.snapshots += 1;
    this.#enqueue(message);
    if (random.bool(this.#faults.duplicateProbability)) {
      this.stats.duplicated += 1;
      this.#enqueue(message);
    }
  }

  /**
   * Removes and returns one message whose delay has passed, chosen at random
   * among the due ones (that is the reordering), or null when none is due.
   * Losses are decided here, at delivery, so the sender can be told (a
   * transport knows when a snapshot send failed or a peer is unreachable).
   */
  takeDue(): Delivery | null {
    const now = this.#scheduler.step;
    const due: number[] = [];
    for (let i = 0; i < this.#inFlight.length; i++) {
      if (this.#inFlight[i]!.deliverAtStep <= now) due.push(i);
    }
    if (due.length === 0) return null;
    const at = this.#scheduler.random.pick(due);
    const item = this.#inFlight[at]!;
    this.#inFlight[at] = this.#inFlight[this.#inFlight.length - 1]!;
    this.#inFlight.pop();
    if (!this.canReach(item.message.from, item.message.to)) {
      this.stats.dropped += 1;
      return { message: item.message, outcome: 'unreachable' };
    }
    if (this.#scheduler.random.bool(this.#faults.dropProbability)) {
      this.stats.dropped += 1;
      return { message: item.message, outcome: 'lost' };
    }
    this.stats.delivered += 1;
    return { message: item.message, outcome: 'delivered' };
  }

  hasDue(): boolean {
    const now = this.#scheduler.step;
    return this.#inFlight.some((item) => item.deliverAtStep <= now);
  }

  dueCount(): number {
    const now = this.#scheduler.step;
    let count = 0;
    for (const item of this.#inFlight) if (item.deliverAtStep <= now) count += 1;
    return count;
  }

  canReach(from: NodeId, to: NodeId): boolean {
    if (this.#groups === null) return true;
    return (this.#groups.get(from) ?? 0) === (this.#groups.get(to) ?? 0);
  }

  /** Splits the nodes into groups that cannot reach each other; a node in no group is in group 0. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const byNode = new Map<NodeId, number>();
    groups.forEach((group, groupIndex) => {
      for (const node of group) byNode.set(node, groupIndex + 1);
    });
    this.#groups = byNode;
  }

  heal(): void {
    this.#groups = null;
  }

  /**
   * Drops every message to or from `node`, as lost. Used when a node is
   * wiped: raft messages carry no incarnation, so a message of the old
   * incarnation reaching the new one (an acknowledgement of entries the
   * new disk never had) would be indistinguishable from a real one. A real
   * operator deletes a removed server's data long after its last message.
   */
  purge(node: NodeId): void {
    const kept = this.#inFlight.filter((item) => item.message.from !== node && item.message.to !== node);
    this.stats.dropped += this.#inFlight.length - kept.length;
    this.#inFlight = kept;
  }

  #enqueue(message: Message): void {
    if (this.#inFlight.length >= this.#inFlightMax) {
      this.stats.dropped += 1;
      return;
    }
    const delay = this.#scheduler.random.int(this.#faults.delayStepsMin, this.#faults.delayStepsMax);
    this.#inFlight.push({ message, deliverAtStep: this.#scheduler.step + delay });
  }
}
