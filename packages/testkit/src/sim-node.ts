import { assert } from '@runnel/common';
import type { ConfChange, ConfState, Entry, Message, NodeId, RaftConfig, Ready } from '@runnel/raft';
import { decodeConfChange } from '@runnel/raft';
import { AppliedState } from './applied-state.ts';
import type { InvariantChecker, TermReader } from './invariant-checker.ts';
import type { RaftImplementation, SimRaftNode, SimStorage } from './raft-seam.ts';
import type { Scheduler } from './scheduler.ts';
import { SimDisk } from './sim-disk.ts';
import type { SimNetwork } from './sim-network.ts';

/** Where a crash lands inside Ready processing; each cut loses a different amount of work. */
export type ReadyCrashPoint = 'after-write' | 'after-sync' | 'after-send' | 'after-apply';
export const readyCrashPoints: readonly ReadyCrashPoint[] = ['after-write', 'after-sync', 'after-send', 'after-apply'];

/** Raft settings shared by every node of a simulated cluster (everything in RaftConfig but the per-node parts). */
export type SimRaftSettings = Omit<RaftConfig, 'id' | 'storage' | 'applied' | 'random'>;

export interface SimNodeContext {
  readonly scheduler: Scheduler;
  readonly network: SimNetwork;
  readonly checker: InvariantChecker;
  readonly implementation: RaftImplementation;
  readonly settings: SimRaftSettings;
}

interface Running {
  readonly raw: SimRaftNode;
  readonly storage: SimStorage;
  state: AppliedState;
  /** The last conf change this node accepted as leader, until its term ends (it may still be unstable). */
  proposedConfChange: { readonly index: number; readonly term: number } | null;
  /** Marked rejoining on the disk (written or durable) — the driver clears it once raft says it caught up. */
  rejoining: boolean;
}

/**
 * The cluster's first snapshot sits at index 1, term 1: a node that joins
 * later starts empty, so the leader must send it a snapshot (which carries
 * the configuration) instead of replaying a log whose first configuration
 * is not in any entry.
 */
export const genesisIndex = 1;

/** A founding voter's disk holds the genesis snapshot; any other node's disk is empty and in no configuration. */
function freshDisk(genesis: ConfState | null): SimDisk {
  if (genesis === null) {
    const empty = { metadata: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: new Uint8Array(0) };
    return new SimDisk(empty, { term: 0, vote: 0, commit: 0 });
  }
  const data = AppliedState.genesis(genesisIndex, genesis).encode();
  const snapshot = { metadata: { index: genesisIndex, term: 1, confState: genesis }, data };
  return new SimDisk(snapshot, { term: 1, vote: 0, commit: genesisIndex });
}

/**
 * One simulated raft node: the RawNode, its storage, its disk and its
 * applied state, and the driver that handles a Ready exactly as the raft
 * contract says (persist snapshot, entries and hard state; sync when asked;
 * send; apply; advance), feeding the invariant checker as it goes.
 *
 * Owned by RaftCluster. A crash drops everything but the disk's synced
 * image; start() rebuilds the node from it. An exception from raft escapes
 * to the schedule, which reports it as a raft crash.
 */
export class SimNode {
  readonly id: NodeId;
  readonly #context: SimNodeContext;
  #disk: SimDisk;
  #running: Running | null = null;

  /** `genesis`: the founding configuration if this node is one of its voters, else null (a spare node). */
  constructor(id: NodeId, genesis: ConfState | null, context: SimNodeContext) {
    this.id = id;
    this.#context = context;
    this.#disk = freshDisk(genesis);
  }

  get disk(): SimDisk {
    return this.#disk;
  }

  get up(): boolean {
    return this.#running !== null;
  }

  /** The applied state, or null while the node is down. */
  get state(): AppliedState | null {
    return this.#running?.state ?? null;
  }

  get raw(): SimRaftNode | null {
    return this.#running?.raw ?? null;
  }

  start(): void {
    assert(this.#running === null, `node ${this.id} is already up`);
    const image = this.disk.durable();
    const storage = this.#context.implementation.createStorage(image);
    const state = AppliedState.decode(image.snapshot.data);
    assert(state.appliedIndex === image.snapshot.metadata.index, 'snapshot data and metadata disagree');
    if (image.snapshot.metadata.index === 0) state.setConfState(image.snapshot.metadata.confState);
    const raw = this.#context.implementation.createNode({
      ...this.#context.settings,
      id: this.id,
      storage,
      applied: state.appliedIndex,
      random: this.#context.scheduler.random,
      rejoining: image.rejoining,
    });
    this.#running = { raw, storage, state, proposedConfChange: null, rejoining: image.rejoining };
  }

  crash(): void {
    assert(this.#running !== null, `node ${this.id} is already down`);
    this.#running = null;
    this.#disk.crash();
  }

  /** The node is decommissioned and its data deleted: it comes back (start()) as a fresh, empty node. */
  wipe(): void {
    this.#running = null;
    this.#disk = freshDisk(null);
  }

  /**
   * The node's store is lost (damaged and moved aside, as an operator does)
   * while it is down: it comes back (start()) empty, in `confState`, marked
   * rejoining, as a controller restarted on an empty store does.
   */
  loseStore(confState: ConfState): void {
    assert(this.#running === null, `node ${this.id} must be down to lose its store`);
    const empty = { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
    this.#disk = new SimDisk(empty, { term: 0, vote: 0, commit: 0 }, true);
  }

  /** Restarted on a lost store and not yet caught up (as its disk says). */
  get rejoining(): boolean {
    return this.#running?.rejoining ?? this.#disk.durable().rejoining;
  }

  /**
   * Proposes a membership change. The node's log may hold at most one
   * conf-change entry it has not applied; if it holds one and raft still
   * accepts another, that is reported. True when raft accepted the change.
   */
  proposeConfChange(change: ConfChange): boolean {
    const running = this.#running;
    if (running === null) return false;
    const pending = this.#pendingConfChangeIndex(running);
    const before = running.raw.status();
    running.raw.proposeConfChange(change);
    const after = running.raw.status();
    const accepted = after.lastIndex > before.lastIndex;
    this.#context.checker.observeConfChangeProposal(this.id, accepted, pending);
    if (accepted) running.proposedConfChange = { index: after.lastIndex, term: after.term };
    return accepted;
  }

  /** The newest conf-change entry in this node's log above its applied index, or null. */
  #pendingConfChangeIndex(running: Running): number | null {
    const { storage } = running;
    const status = running.raw.status();
    let pending: number | null = null;
    const lo = Math.max(status.applied + 1, storage.firstIndex());
    const hi = storage.lastIndex() + 1;
    if (lo < hi) {
      for (const entry of storage.entries(lo, hi, Number.MAX_SAFE_INTEGER)) {
        if (entry.type === 'conf-change') pending = entry.index;
      }
    }
    const proposed = running.proposedConfChange;
    if (proposed !== null && proposed.term === status.term && proposed.index > status.applied) {
      pending = Math.max(pending ?? 0, proposed.index);
    }
    return pending;
  }

  hasReady(): boolean {
    return this.#running?.raw.hasReady() ?? false;
  }

  /** Handles one Ready; with a crash point, the node dies part-way through it and the Ready is never advanced. */
  processReady(crashPoint: ReadyCrashPoint | null): void {
    const running = this.#running;
    assert(running !== null, `node ${this.id} is down`);
    const ready = running.raw.ready();
    if (this.#handleReady(running, ready, crashPoint)) running.raw.advance(ready);
    else this.crash();
  }

  /** The contract's order, cut short at `crashPoint`; true when the whole Ready was handled. */
  #handleReady(running: Running, ready: Ready, crashPoint: ReadyCrashPoint | null): boolean {
    // Read at ready(): the entries that ended the rejoin are in this Ready; clear the mark after them.
    const caughtUp = running.rejoining && running.raw.status().rejoining === false;
    this.#persist(running, ready);
    if (caughtUp) {
      this.#disk.write({ kind: 'rejoined' });
      running.rejoining = false;
    }
    if (crashPoint === 'after-write') return false;
    if (ready.mustSync || this.#context.scheduler.random.bool(0.3)) this.#disk.sync();
    if (crashPoint === 'after-sync') return false;
    for (const message of ready.messages) this.#send(message);
    if (crashPoint === 'after-send') return false;
    this.#apply(running, ready);
    return crashPoint !== 'after-apply';
  }

  /**
   * Takes a snapshot of the applied state and compacts the log to it. The
   * disk is synced first so the durable commit index covers the snapshot.
   */
  takeSnapshot(): boolean {
    const running = this.#running;
    if (running === null) return false;
    const index = running.state.appliedIndex;
    if (index < running.storage.firstIndex()) return false;
    this.#disk.sync();
    // The configuration at the applied index, not raft's current one: a snapshot received and not yet applied changes the latter.
    const snapshot = running.storage.createSnapshot(index, running.state.confState, running.state.encode());
    running.storage.compact(index);
    this.#disk.write({ kind: 'snapshot', snapshot, replacesLog: false });
    this.#disk.sync();
    return true;
  }

  /** Feeds the per-step checks: election safety, leader completeness, a leader's membership. */
  checkStep(): void {
    const running = this.#running;
    if (running === null) return;
    const status = running.raw.status();
    if (status.role !== 'leader') return;
    this.#context.checker.observeLeader(this.id, status.term);
    this.#context.checker.checkLeader(this.id, status.term, this.#termReader(running.storage));
    this.#context.checker.checkLeaderMembership(this.id, status.term, running.state.confState);
  }

  #persist(running: Running, ready: Ready): void {
    const { storage } = running;
    const checker = this.#context.checker;
    if (ready.snapshot !== null) {
      const { index, term } = ready.snapshot.metadata;
      checker.observeSnapshot(this.id, index, term);
      this.#observeRemovedFrom(storage, index + 1, []);
      storage.applySnapshot(ready.snapshot);
      this.#disk.write({ kind: 'snapshot', snapshot: ready.snapshot, replacesLog: true });
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      const previous = this.#termReader(storage)(first.index - 1);
      checker.observeLogWrite(this.id, ready.entries, typeof previous === 'number' ? previous : null);
      this.#observeRemovedFrom(storage, first.index, ready.entries);
      storage.append(ready.entries);
      this.#disk.write({ kind: 'entries', entries: ready.entries });
    }
    if (ready.hardState !== null) {
      storage.setHardState(ready.hardState);
      this.#disk.write({ kind: 'hard-state', hardState: ready.hardState });
    }
  }

  /** Reports every stored entry at or after `from` that the write replaces with a different term, or drops. */
  #observeRemovedFrom(storage: SimStorage, from: number, replacement: readonly Entry[]): void {
    const start = Math.max(from, storage.firstIndex());
    for (let index = start; index <= storage.lastIndex(); index++) {
      const term = storage.term(index);
      if (replacement[index - from]?.term !== term) this.#context.checker.observeRemoved(this.id, index, term);
    }
  }

  #send(message: Message): void {
    assert(message.from === this.id, `node ${this.id} sent a message from ${message.from}`);
    this.#context.network.send(message);
  }

  #apply(running: Running, ready: Ready): void {
    const checker = this.#context.checker;
    if (ready.snapshot !== null) {
      const { index, confState } = ready.snapshot.metadata;
      running.state = AppliedState.decode(ready.snapshot.data);
      if (running.state.appliedIndex !== index) {
        checker.fail('state-machine-safety', `node ${this.id} got a snapshot whose data is not at its index`);
      }
      checker.observeConfSnapshot(this.id, index, confState);
      checker.observeConfSnapshot(this.id, index, running.state.confState);
      checker.observeApplied(this.id, running.state.appliedIndex, running.state.digest);
    }
    const term = running.raw.status().term;
    for (const entry of ready.committedEntries) {
      checker.observeCommitted(this.id, entry, term);
      if (entry.index <= running.state.appliedIndex) continue;
      if (entry.index !== running.state.appliedIndex + 1) {
        checker.fail(
          'state-machine-safety',
          `node ${this.id} asked to apply ${entry.index} after ${running.state.appliedIndex}`,
        );
        return;
      }
      running.state.apply(entry);
      checker.observeApplied(this.id, entry.index, running.state.digest);
      if (entry.type === 'conf-change') {
        const confState = running.raw.applyConfChange(decodeConfChange(entry.data));
        running.state.setConfState(confState);
        checker.observeConfApplied(this.id, entry.index, confState);
      }
    }
  }

  #termReader(storage: SimStorage): TermReader {
    return (index) => {
      if (index < storage.firstIndex() - 1) return 'compacted';
      if (index > storage.lastIndex()) return 'missing';
      return storage.term(index);
    };
  }
}
