/**
 * The nemesis: applies one fault at a time to a ChaosCluster, holds it,
 * and undoes it, choosing targets with a SeededRandom so a seed replays the
 * same schedule (targets depend on who leads, so a replay is close, not exact).
 *
 * Owned by the chaos runner. Every fault is undone before apply() returns;
 * a process that fails to restart makes apply() throw.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { ApiKeys } from '../harness/fault-proxy.ts';
import type { ChaosCluster } from './chaos-cluster.ts';
import type { SeededRandom } from './seeded-random.ts';

export const faultKinds = [
  'kill',
  'pause',
  'partition',
  'controller',
  'rolling',
  'replay',
  'coordinator',
  'replay-end-txn',
] as const;
export type FaultKind = (typeof faultKinds)[number];

export function isFaultKind(name: string): name is FaultKind {
  return (faultKinds as readonly string[]).includes(name);
}

/** Fault kinds that only mean something to transactional producers (the `txn` workload's). */
export const transactionalFaultKinds: readonly FaultKind[] = ['coordinator', 'replay-end-txn'];

/** Fault kinds that replay clients' requests: the cluster needs a proxy in front of every broker's Kafka listener. */
export const replayFaultKinds: readonly FaultKind[] = ['replay', 'replay-end-txn'];

export interface AppliedFault {
  kind: FaultKind;
  /** e.g. "broker 2 (leader of 0,3)". */
  target: string;
  startMs: number;
  endMs: number;
  /** Whether the cluster came back to full ISRs before the next fault. */
  recovered: boolean;
}

export class Nemesis {
  readonly #chaos: ChaosCluster;
  readonly #topic: string;
  readonly #random: SeededRandom;
  readonly #log: (line: string) => void;
  readonly #leaderBias: number;
  readonly #transactionalIds: readonly string[];

  /**
   * `leaderBias`: the chance that a broker fault targets a partition leader
   * rather than any broker (default 0.75). `transactionalIds`: the ids whose
   * transaction coordinators the `coordinator` fault kills.
   */
  constructor(
    chaos: ChaosCluster,
    topic: string,
    random: SeededRandom,
    options: { log: (line: string) => void; leaderBias?: number; transactionalIds?: readonly string[] },
  ) {
    this.#chaos = chaos;
    this.#topic = topic;
    this.#random = random;
    this.#log = options.log;
    this.#leaderBias = options.leaderBias ?? 0.75;
    this.#transactionalIds = options.transactionalIds ?? [];
  }

  /** A seeded permutation of `kinds`: one round of the schedule, every kind once. */
  round(kinds: readonly FaultKind[]): FaultKind[] {
    const order = [...kinds];
    for (let i = order.length - 1; i > 0; i--) {
      const j = this.#random.between(0, i);
      const a = order[i];
      const b = order[j];
      if (a === undefined || b === undefined) throw new Error('shuffle out of range');
      order[i] = b;
      order[j] = a;
    }
    return order;
  }

  /** Applies `kind`, holds it for `holdMs`, undoes it; returns the target description. */
  async apply(kind: FaultKind, holdMs: number): Promise<string> {
    const cluster = this.#chaos.cluster;
    switch (kind) {
      case 'kill': {
        const { id, target } = await this.#pickBroker();
        this.#log(`kill -9 ${target}`);
        await cluster.kill('broker', id, 'SIGKILL');
        await pause(holdMs);
        await cluster.restart('broker', id);
        return target;
      }
      case 'pause': {
        const { id, target } = await this.#pickBroker();
        this.#log(`SIGSTOP ${target}`);
        this.#chaos.pause('broker', id);
        await pause(holdMs);
        this.#chaos.resume('broker', id);
        return target;
      }
      case 'partition': {
        const { id, target } = await this.#pickBroker();
        this.#log(`isolate ${target} (${this.#chaos.partitionMode})`);
        this.#chaos.isolate(id);
        await pause(holdMs);
        this.#chaos.heal(id);
        return target;
      }
      case 'coordinator': {
        // A transaction coordinator dies with prepared transactions and markers in flight; its successor finishes them.
        const transactionalId = this.#random.pick(this.#transactionalIds);
        const id = await this.#chaos.transactionCoordinator(transactionalId);
        if (id === null) throw new Error(`no broker names the coordinator of ${transactionalId}`);
        const led = [...(await this.#chaos.leaders(this.#topic)).entries()].filter(([, l]) => l === id).map(([p]) => p);
        const target = `broker ${id} (coordinator of ${transactionalId}${led.length > 0 ? `, leader of ${led.join(',')}` : ''})`;
        this.#log(`kill -9 ${target}`);
        await cluster.kill('broker', id, 'SIGKILL');
        await pause(holdMs);
        await cluster.restart('broker', id);
        return target;
      }
      case 'controller': {
        const id = await cluster.waitForActiveController({ timeoutMs: 20_000 });
        const target = `active controller ${id}`;
        this.#log(`kill -9 ${target}`);
        await cluster.kill('controller', id, 'SIGKILL');
        await pause(holdMs);
        await cluster.restart('controller', id);
        return target;
      }
      case 'replay':
        // Old Produce requests arriving again, on new connections, while the client has moved on:
        // sequence numbers and KIP-890 part 1 verification must absorb them for every client.
        return this.#replay('Produce', [ApiKeys.produce], holdMs);
      case 'replay-end-txn':
        // An old EndTxn arriving again while its producer runs its next transaction. Transaction
        // version 1 (every client here) cannot tell it from the next commit: see README "Replaying old requests".
        return this.#replay('EndTxn', [ApiKeys.endTxn], holdMs);
      case 'rolling': {
        this.#log('rolling restart of every broker (SIGTERM)');
        for (const id of this.#chaos.brokerIds()) await this.#controlledRestart(id);
        return 'every broker';
      }
    }
  }

  /** Every client request of `apiKeys` through every broker sent again on a new connection 0.2–2 s later, for the hold. */
  async #replay(what: string, apiKeys: readonly number[], holdMs: number): Promise<string> {
    const delayMs = this.#random.between(200, 2000);
    const target = `${what} to every broker, again after ${delayMs} ms`;
    this.#log(`replay ${target}`);
    const before = this.#chaos.duplicatedRequests;
    this.#chaos.duplicateRequests(apiKeys, delayMs);
    await pause(holdMs);
    this.#chaos.duplicateRequests([], 0);
    return `${target} (${this.#chaos.duplicatedRequests - before} requests)`;
  }

  /** SIGTERM (controlled shutdown), restart, and wait for the broker to be unfenced and caught up. */
  async #controlledRestart(id: number): Promise<void> {
    const cluster = this.#chaos.cluster;
    const exited = cluster.kill('broker', id, 'SIGTERM');
    const stuck = await Promise.race([exited.then(() => false), pause(20_000).then(() => true)]);
    if (stuck) {
      this.#log(`broker ${id} did not exit within 20 s of SIGTERM; SIGKILL`);
      await cluster.kill('broker', id, 'SIGKILL');
    }
    await cluster.restart('broker', id);
    await cluster
      .waitForLog('broker', id, (l) => l.msg === 'unfenced by the controller', 'unfenced after restart', 20_000)
      .catch(() => this.#log(`broker ${id} not unfenced within 20 s of its restart`));
  }

  /** A running broker: usually one that leads a partition, sometimes any. */
  async #pickBroker(): Promise<{ id: number; target: string }> {
    const leaders = await this.#chaos.leaders(this.#topic);
    const leaderIds = [...new Set([...leaders.values()].filter((l) => l >= 0))].sort();
    const running = this.#chaos.cluster.ids('broker', { running: true });
    const candidates = leaderIds.length > 0 && this.#random.next() < this.#leaderBias ? leaderIds : running;
    const id = this.#random.pick(candidates.length > 0 ? candidates : this.#chaos.brokerIds());
    const led = [...leaders.entries()].filter(([, l]) => l === id).map(([p]) => p);
    return { id, target: led.length > 0 ? `broker ${id} (leader of ${led.join(',')})` : `broker ${id} (follower)` };
  }
}
