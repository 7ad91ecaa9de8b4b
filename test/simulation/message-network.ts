/**
 * The simulated network of the replication model: every message between the
 * controller, the brokers and the clients is delayed (in scheduler steps),
 * may be dropped, and may overtake others (any due message can go next).
 * Partitions cut links until healed; a paused node's messages wait for it.
 * All choices come from the run's Scheduler, so a seed replays exactly.
 *
 * testkit's SimNetwork carries raft messages only, hence this small twin.
 * Owned by one ReplicationCluster; nothing to recover after an error.
 */
import { assert } from '@runnel/common';
import type { Scheduler } from '@runnel/testkit';

export interface Envelope<M> {
  readonly from: number;
  readonly to: number;
  readonly message: M;
}

export interface LinkFaults {
  readonly dropProbability: number;
  readonly delayStepsMin: number;
  readonly delayStepsMax: number;
}

export const calmLinks: LinkFaults = { dropProbability: 0, delayStepsMin: 0, delayStepsMax: 1 };

interface InFlight<M> {
  readonly envelope: Envelope<M>;
  readonly dueStep: number;
}

export class MessageNetwork<M> {
  readonly #scheduler: Scheduler;
  #faults: LinkFaults;
  #inFlight: InFlight<M>[] = [];
  /** Pairs "a-b" (a < b) that cannot talk. */
  readonly #cut = new Set<string>();
  readonly #inFlightMax: number;

  constructor(scheduler: Scheduler, faults: LinkFaults, inFlightMax = 5_000) {
    this.#scheduler = scheduler;
    this.#faults = faults;
    this.#inFlightMax = inFlightMax;
  }

  setFaults(faults: LinkFaults): void {
    assert(faults.delayStepsMax >= faults.delayStepsMin && faults.delayStepsMin >= 0, 'bad delay range');
    this.#faults = faults;
  }

  send(from: number, to: number, message: M): void {
    if (this.#inFlight.length >= this.#inFlightMax) return;
    const delay = this.#scheduler.random.int(this.#faults.delayStepsMin, this.#faults.delayStepsMax);
    this.#inFlight.push({ envelope: { from, to, message }, dueStep: this.#scheduler.step + delay });
  }

  /**
   * One due message for a node that can take it (`ready`), chosen at random
   * (the reordering), or null. Cut links and random loss drop it here.
   */
  takeDue(ready: (node: number) => boolean): Envelope<M> | null {
    const now = this.#scheduler.step;
    const due: number[] = [];
    for (let i = 0; i < this.#inFlight.length; i++) {
      const item = this.#inFlight[i];
      if (item !== undefined && item.dueStep <= now && ready(item.envelope.to)) due.push(i);
    }
    if (due.length === 0) return null;
    const at = this.#scheduler.random.pick(due);
    const item = this.#inFlight[at];
    assert(item !== undefined);
    this.#inFlight.splice(at, 1);
    if (!this.canReach(item.envelope.from, item.envelope.to)) return null;
    if (this.#scheduler.random.bool(this.#faults.dropProbability)) return null;
    return item.envelope;
  }

  canReach(a: number, b: number): boolean {
    return !this.#cut.has(pairKey(a, b));
  }

  /** Cuts every link between `node` and `others`. */
  isolate(node: number, others: readonly number[]): void {
    for (const other of others) if (other !== node) this.#cut.add(pairKey(node, other));
  }

  cut(a: number, b: number): void {
    this.#cut.add(pairKey(a, b));
  }

  heal(): void {
    this.#cut.clear();
  }

  /** A process died: what was sent to it is lost (a new process has new connections). */
  dropTo(node: number): void {
    this.#inFlight = this.#inFlight.filter((item) => item.envelope.to !== node);
  }

  get partitioned(): boolean {
    return this.#cut.size > 0;
  }
}

function pairKey(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}
