import { assert } from '@runnel/common';
import type { ConfState, Entry, Message, NodeId, RaftConfig, Ready } from '@runnel/raft';
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
  readonly disk: SimDisk;
  readonly #context: SimNodeContext;
  #running: Running | null = null;

  constructor(id: NodeId, voters: readonly NodeId[], context: SimNodeContext) {
    this.id = id;
    this.#context = context;
    const confState: ConfState = { voters: [...voters], learners: [] };
    const bootstrap = { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
    this.disk = new SimDisk(bootstrap, { term: 0, vote: 0, commit: 0 });
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
    const raw = this.#context.implementation.createNode({
      ...this.#context.settings,
      id: this.id,
      storage,
      applied: state.appliedIndex,
      random: this.#context.scheduler.random,
    });
    this.#running = { raw, storage, state };
  }

  crash(): void {
    assert(this.#running !== null, `node ${this.id} is already down`);
    this.#running = null;
    this.disk.crash();
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
    this.#persist(running, ready);
    if (crashPoint === 'after-write') return false;
    if (ready.mustSync || this.#context.scheduler.random.bool(0.3)) this.disk.sync();
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
    this.disk.sync();
    const confState = running.raw.status().confState;
    const snapshot = running.storage.createSnapshot(index, confState, running.state.encode());
    running.storage.compact(index);
    this.disk.write({ kind: 'snapshot', snapshot, replacesLog: false });
    this.disk.sync();
    return true;
  }

  /** Feeds the per-step checks: election safety and leader completeness. */
  checkStep(): void {
    const running = this.#running;
    if (running === null) return;
    const status = running.raw.status();
    if (status.role !== 'leader') return;
    this.#context.checker.observeLeader(this.id, status.term);
    this.#context.checker.checkLeader(this.id, status.term, this.#termReader(running.storage));
  }

  #persist(running: Running, ready: Ready): void {
    const { storage } = running;
    const checker = this.#context.checker;
    if (ready.snapshot !== null) {
      const { index, term } = ready.snapshot.metadata;
      checker.observeSnapshot(this.id, index, term);
      this.#observeRemovedFrom(storage, index + 1, []);
      storage.applySnapshot(ready.snapshot);
      this.disk.write({ kind: 'snapshot', snapshot: ready.snapshot, replacesLog: true });
    }
    const first = ready.entries[0];
    if (first !== undefined) {
      const previous = this.#termReader(storage)(first.index - 1);
      checker.observeLogWrite(this.id, ready.entries, typeof previous === 'number' ? previous : null);
      this.#observeRemovedFrom(storage, first.index, ready.entries);
      storage.append(ready.entries);
      this.disk.write({ kind: 'entries', entries: ready.entries });
    }
    if (ready.hardState !== null) {
      storage.setHardState(ready.hardState);
      this.disk.write({ kind: 'hard-state', hardState: ready.hardState });
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
      running.state = AppliedState.decode(ready.snapshot.data);
      if (running.state.appliedIndex !== ready.snapshot.metadata.index) {
        checker.fail('state-machine-safety', `node ${this.id} got a snapshot whose data is not at its index`);
      }
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
      if (entry.type === 'conf-change') running.raw.applyConfChange(decodeConfChange(entry.data));
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
