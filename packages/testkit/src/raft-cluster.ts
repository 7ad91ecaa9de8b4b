import { assert } from '@runnel/common';
import type { ConfChange, ConfState, NodeId } from '@runnel/raft';
import { InvariantChecker } from './invariant-checker.ts';
import type { RaftImplementation } from './raft-seam.ts';
import { Scheduler } from './scheduler.ts';
import type { NetworkFaults } from './sim-network.ts';
import { SimNetwork } from './sim-network.ts';
import type { ReadyCrashPoint, SimRaftSettings } from './sim-node.ts';
import { SimNode } from './sim-node.ts';

export interface RaftClusterOptions {
  readonly seed: number;
  /** Node ids 1..nodeCount. */
  readonly nodeCount: number;
  /** Ids 1..initialVoterCount found the cluster as its voters; the rest start empty, outside it. Default: all. */
  readonly initialVoterCount?: number;
  readonly settings: SimRaftSettings;
  readonly networkFaults: NetworkFaults;
  readonly implementation: RaftImplementation;
  readonly traceLinesMax?: number;
}

const textEncoder = new TextEncoder();

/**
 * A simulated raft cluster: N nodes over one seeded scheduler, one simulated
 * network and one invariant checker. It offers the moves a schedule makes
 * (tick, deliver, process a Ready, propose, change membership, crash,
 * restart, wipe, partition, snapshot, transfer leadership) and checks the
 * invariants after each one.
 *
 * Owned by one schedule (runSchedule or a test). Not reusable after a
 * violation: the checker keeps the first one, and an exception from raft
 * leaves the cluster mid-step, so the caller reports and discards it.
 */
export class RaftCluster {
  readonly scheduler: Scheduler;
  readonly network: SimNetwork;
  readonly checker = new InvariantChecker();
  readonly nodes: readonly SimNode[];
  /** Nodes wiped and restarted empty so far (see recreate). */
  wipeCount = 0;
  /** Voters whose store was lost and that restarted rejoining (see loseStore). */
  storeLossCount = 0;

  constructor(options: RaftClusterOptions) {
    assert(options.nodeCount >= 1, 'a cluster needs a node');
    this.scheduler = new Scheduler(options.seed, options.traceLinesMax);
    this.network = new SimNetwork(this.scheduler, options.networkFaults);
    const ids = Array.from({ length: options.nodeCount }, (_, i) => i + 1);
    const initialVoterCount = options.initialVoterCount ?? options.nodeCount;
    assert(initialVoterCount >= 1 && initialVoterCount <= options.nodeCount, 'bad initial voter count');
    const genesis: ConfState = { voters: ids.slice(0, initialVoterCount), learners: [] };
    this.checker.observeGenesis(genesis);
    const context = {
      scheduler: this.scheduler,
      network: this.network,
      checker: this.checker,
      implementation: options.implementation,
      settings: options.settings,
    };
    this.nodes = ids.map((id) => new SimNode(id, id <= initialVoterCount ? genesis : null, context));
    for (const node of this.nodes) node.start();
  }

  node(id: NodeId): SimNode {
    const node = this.nodes[id - 1];
    assert(node !== undefined && node.id === id, `no node ${id}`);
    return node;
  }

  upNodes(): SimNode[] {
    return this.nodes.filter((node) => node.up);
  }

  downNodes(): SimNode[] {
    return this.nodes.filter((node) => !node.up);
  }

  /** Live nodes that believe they lead, highest term first. */
  leaders(): SimNode[] {
    const leading = this.upNodes().filter((node) => node.raw?.status().role === 'leader');
    return leading.sort((a, b) => (b.raw?.status().term ?? 0) - (a.raw?.status().term ?? 0));
  }

  readyNodes(): SimNode[] {
    return this.nodes.filter((node) => node.hasReady());
  }

  tickAll(): void {
    this.scheduler.advanceTick();
    for (const node of this.upNodes()) node.raw?.tick();
  }

  /**
   * Delivers the messages that are due now, in random order. Delivering all
   * of them keeps the network from falling behind the ticks: a queue that
   * grows without bound starves old messages and turns every schedule into
   * one long partition.
   */
  deliverDue(): void {
    const dueCount = this.network.dueCount();
    for (let i = 0; i < dueCount; i++) this.deliverOne();
  }

  /**
   * Delivers one due message, if any; messages to a down node are lost. The
   * sender hears what a real transport would tell it: unreachable peers, and
   * whether a snapshot arrived.
   */
  deliverOne(): void {
    const delivery = this.network.takeDue();
    if (delivery === null) return;
    const { message } = delivery;
    const target = this.nodes[message.to - 1];
    const arrived = delivery.outcome === 'delivered' && target?.raw != null;
    const sender = this.nodes[message.from - 1]?.raw;
    if (sender != null && delivery.outcome === 'unreachable') sender.reportUnreachable(message.to);
    if (sender != null && message.type === 'snapshot')
      sender.reportSnapshot(message.to, arrived ? 'finished' : 'failed');
    const fate = arrived ? '' : ` (${target?.raw == null ? 'target down' : delivery.outcome})`;
    this.scheduler.note(
      `${message.from}->${message.to} ${message.type} term=${message.term} index=${message.index} logTerm=${message.logTerm} entries=${message.entries.length} commit=${message.commit}${message.reject ? ' reject' : ''}${fate}`,
    );
    if (!arrived || target?.raw == null) return;
    target.raw.step(message);
  }

  processReady(node: SimNode, crashPoint: ReadyCrashPoint | null): void {
    if (crashPoint !== null) this.scheduler.note(`node ${node.id} crashes during ready (${crashPoint})`);
    const before = node.raw?.status();
    node.processReady(crashPoint);
    const after = node.raw?.status();
    if (after !== undefined && (after.role !== before?.role || after.term !== before.term)) {
      this.scheduler.note(`node ${node.id} is ${after.role} in term ${after.term}`);
    }
  }

  propose(node: SimNode, value: string): void {
    const raw = node.raw;
    if (raw === null) return;
    this.scheduler.note(`propose ${value} at node ${node.id}`);
    raw.propose(textEncoder.encode(value));
  }

  /** Proposes a membership change at `node`; true when raft accepted it. */
  proposeConfChange(node: SimNode, change: ConfChange): boolean {
    const accepted = node.proposeConfChange(change);
    this.scheduler.note(
      `propose ${change.type} ${change.nodeId} at node ${node.id}: ${accepted ? 'accepted' : 'refused'}`,
    );
    return accepted;
  }

  /** The newest committed configuration (see InvariantChecker.committedConf). */
  committedConf(): ConfState {
    const conf = this.checker.committedConf;
    assert(conf !== null, 'the cluster always has a genesis configuration');
    return conf;
  }

  /** Deletes a node's data and starts it again empty, as an operator does before re-adding a removed server. */
  recreate(node: SimNode): void {
    this.scheduler.note(`wipe node ${node.id} and start it empty`);
    this.wipeCount += 1;
    node.wipe();
    this.network.purge(node.id);
    node.start();
  }

  /** A down node's store is lost and it restarts empty in the committed configuration, rejoining. */
  loseStore(node: SimNode): void {
    this.scheduler.note(`node ${node.id} loses its store and restarts empty, rejoining`);
    this.storeLossCount += 1;
    node.loseStore(this.committedConf());
    this.network.purge(node.id);
    node.start();
  }

  transferLeadership(from: SimNode, to: NodeId): void {
    this.scheduler.note(`transfer leadership ${from.id} -> ${to}`);
    from.raw?.transferLeadership(to);
  }

  crash(node: SimNode): void {
    this.scheduler.note(`crash node ${node.id} (${node.disk.unsyncedCount} unsynced writes lost)`);
    node.crash();
  }

  restart(node: SimNode): void {
    this.scheduler.note(`restart node ${node.id}`);
    node.start();
  }

  takeSnapshot(node: SimNode): void {
    if (node.takeSnapshot()) this.scheduler.note(`node ${node.id} snapshots at ${node.state?.appliedIndex}`);
  }

  partition(groups: readonly (readonly NodeId[])[]): void {
    this.scheduler.note(`partition ${groups.map((group) => `[${group.join(',')}]`).join(' ')}`);
    this.network.partition(groups);
  }

  heal(): void {
    this.scheduler.note('heal');
    this.network.heal();
  }

  /** Ends a step: the clock of steps moves and every per-step invariant is checked. */
  endStep(): void {
    this.scheduler.advanceStep();
    for (const node of this.nodes) node.checkStep();
  }
}
