/**
 * Drives the Raft core for one controller: ticks and incoming messages go
 * in; Ready processing follows the Raft contract — persist (synced when the
 * core says so), send, apply committed entries to the metadata state
 * machine, advance — and snapshots bound the log.
 *
 * Owned by QuorumController. A proposal resolves once its entry is
 * committed and applied here, or rejects with NotControllerError when this
 * node cannot commit it (not the leader, leadership lost, timed out,
 * stopping). A failed store write leaves the node unable to continue
 * safely: `onFail` is told and the driver stops processing.
 */
import { randomInt } from 'node:crypto';
import type { Logger } from '@runnel/common';
import { Random } from '@runnel/common';
import type { MetadataRecord } from '@runnel/metadata';
import type { ConfState, Entry, Message, Ready } from '@runnel/raft';
import { decodeConfChange, RawNode } from '@runnel/raft';
import type { RaftLogStore } from '../raft/raft-log-store.ts';
import { encodeMetadataEntry } from './entry-codec.ts';
import type { MetadataStateMachine } from './metadata-state-machine.ts';
import { QuorumProgress } from './quorum-progress.ts';

/** This node cannot commit the proposal: the caller answers NOT_CONTROLLER. */
export class NotControllerError extends Error {
  override name = 'NotControllerError';
}

export interface RaftDriverOptions {
  readonly nodeId: number;
  readonly store: RaftLogStore;
  readonly stateMachine: MetadataStateMachine;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly snapshotIntervalRecords: number;
  readonly logger: Logger;
  /** Sends messages to peers in order (the Raft transport); unset until the transport exists. */
  readonly send: (messages: readonly Message[]) => void;
  /** The leader or this node's role changed (after the Ready that changed it was persisted). */
  readonly onRoleChange: (leader: number, role: string) => void;
  /** A store write failed: the process must stop and restart from what reached the disk. */
  readonly onFail: (error: unknown) => void;
}

type Pending = { resolve: (offset: bigint) => void; reject: (error: Error) => void };

const proposalTimeoutMs = 10_000;
/** Entries kept behind a snapshot so a slightly lagging peer catches up from the log. */
const entriesKeptBehindSnapshot = 1000;

export class RaftDriver {
  readonly #options: RaftDriverOptions;
  readonly #node: RawNode;
  readonly #pending = new Map<number, Pending>();
  #sequence = 0;
  #processing = false;
  /** The Ready processing in flight; stop() waits for it, since a Ready being persisted is sent next. */
  #draining: Promise<void> = Promise.resolve();
  #again = false;
  #stopped = false;
  #confState: ConfState;
  #snapshotOffset: bigint;
  #appliedIndex: number;

  constructor(options: RaftDriverOptions) {
    this.#options = options;
    const { store, stateMachine } = options;
    const snapshot = store.snapshot();
    if (snapshot.metadata.index > 0) stateMachine.restore(snapshot.data);
    this.#snapshotOffset = stateMachine.lastOffset;
    this.#appliedIndex = snapshot.metadata.index;
    this.#confState = store.initialState().confState;
    this.#node = new RawNode({
      id: options.nodeId,
      storage: store,
      electionTicks: options.electionTicks,
      heartbeatTicks: options.heartbeatTicks,
      preVote: true,
      checkQuorum: true,
      inflightMessagesMax: 256,
      messageBytesMax: 1024 * 1024,
      applied: snapshot.metadata.index,
      random: new Random(randomInt(2 ** 31)),
      rejoining: store.rejoining,
    });
  }

  /** What DescribeQuorum needs beyond Raft's status (see quorum-progress.ts). */
  readonly progress = new QuorumProgress();

  get status(): ReturnType<RawNode['status']> {
    return this.#node.status();
  }

  /** True when this node is the only voter: it may campaign at once instead of waiting out an election timeout. */
  get soleVoter(): boolean {
    const voters = this.#confState.voters;
    return voters.length === 1 && voters[0] === this.#options.nodeId;
  }

  tick(): void {
    if (this.#stopped) return;
    this.#node.tick();
    this.#kick();
  }

  step(message: Message): void {
    if (this.#stopped) return;
    this.#node.step(message);
    if (message.type === 'append-response' || message.type === 'heartbeat-response') this.#heard(message.from);
    this.#kick();
  }

  /** As leader: a voter answered; it is caught up when its match reaches our last index. */
  #heard(voter: number): void {
    const status = this.#node.status();
    if (status.role !== 'leader') return;
    const match = status.progress?.get(voter)?.match ?? -1;
    this.progress.onAnswer(voter, Date.now(), match >= status.lastIndex);
  }

  campaign(): void {
    if (this.#stopped) return;
    this.#node.campaign();
    this.#kick();
  }

  reportUnreachable(peer: number): void {
    this.#node.reportUnreachable(peer);
  }

  /** Proposes records; resolves with the metadata offset of the last one once committed and applied here. */
  propose(records: readonly MetadataRecord[]): Promise<bigint> {
    if (this.#stopped) return Promise.reject(new NotControllerError('controller stopping'));
    const sequence = ++this.#sequence;
    const data = encodeMetadataEntry({ proposer: this.#options.nodeId, sequence, records });
    const result = this.#node.propose(data);
    if (!result.ok) return Promise.reject(new NotControllerError(result.error));
    const committed = new Promise<bigint>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(sequence);
        reject(new NotControllerError('commit timed out'));
      }, proposalTimeoutMs);
      this.#pending.set(sequence, {
        resolve: (offset) => {
          clearTimeout(timer);
          resolve(offset);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
    this.#kick();
    return committed;
  }

  /** Rejects every proposal waiting for its commit (leadership lost or stopping). */
  abandonProposals(reason: string): void {
    for (const p of this.#pending.values()) p.reject(new NotControllerError(reason));
    this.#pending.clear();
  }

  /**
   * Stops processing and waits for the Ready in flight to finish, so nothing
   * is sent or written afterwards; the store stays open (its owner closes it
   * after the transport).
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.abandonProposals('controller stopping');
    await this.#draining;
  }

  #kick(): void {
    if (this.#processing) {
      this.#again = true;
      return;
    }
    this.#processing = true;
    this.#draining = this.#drain().then(
      () => {
        this.#processing = false;
      },
      (error: unknown) => {
        this.#processing = false;
        this.#stopped = true;
        this.abandonProposals('controller failed');
        this.#options.onFail(error);
      },
    );
  }

  async #drain(): Promise<void> {
    do {
      this.#again = false;
      while (!this.#stopped && this.#node.hasReady()) await this.#handle(this.#node.ready());
    } while (this.#again && !this.#stopped);
  }

  async #handle(ready: Ready): Promise<void> {
    const { store, stateMachine } = this.#options;
    // Read before any await: the entries that ended the rejoin are in this Ready, not a later one.
    const caughtUp = store.rejoining && !this.#node.status().rejoining;
    await store.persist(ready);
    if (caughtUp) {
      await store.setRejoining(false);
      this.#options.logger.info(
        { commit: ready.hardState?.commit },
        'rejoined: copied the log from the leader after a lost Raft store; voting again',
      );
    }
    if (this.#stopped) return;
    if (ready.snapshot !== null && ready.snapshot.metadata.index > this.#appliedIndex) {
      stateMachine.restore(ready.snapshot.data);
      this.#appliedIndex = ready.snapshot.metadata.index;
      this.#confState = ready.snapshot.metadata.confState;
      this.#snapshotOffset = stateMachine.lastOffset;
    }
    if (ready.messages.length > 0) {
      this.#options.send(ready.messages);
      // The transport streams them in order; a lost snapshot shows up as the follower rejecting appends again.
      for (const m of ready.messages) if (m.type === 'snapshot') this.#node.reportSnapshot(m.to, 'finished');
    }
    for (const entry of ready.committedEntries) await this.#apply(entry);
    this.#node.advance(ready);
    if (ready.softState !== null) this.#options.onRoleChange(ready.softState.leader, ready.softState.role);
    await this.#maybeSnapshot();
  }

  async #apply(entry: Entry): Promise<void> {
    if (entry.index <= this.#appliedIndex) return;
    this.#appliedIndex = entry.index;
    if (entry.type === 'conf-change') {
      this.#confState = this.#node.applyConfChange(decodeConfChange(entry.data));
      await this.#options.store.saveConfState(this.#confState);
      return;
    }
    const applied = this.#options.stateMachine.apply(entry.data);
    this.progress.onApplied(entry.index, this.#options.stateMachine.lastOffset);
    if (applied === null || applied.proposer !== this.#options.nodeId) return;
    const pending = this.#pending.get(applied.sequence);
    if (pending !== undefined) {
      this.#pending.delete(applied.sequence);
      pending.resolve(applied.lastOffset);
    }
  }

  async #maybeSnapshot(): Promise<void> {
    const { store, stateMachine } = this.#options;
    if (stateMachine.lastOffset - this.#snapshotOffset < BigInt(this.#options.snapshotIntervalRecords)) return;
    const index = this.#appliedIndex;
    await store.createSnapshot(index, this.#confState, stateMachine.snapshot());
    if (index - entriesKeptBehindSnapshot > store.firstIndex()) await store.compact(index - entriesKeptBehindSnapshot);
    stateMachine.compact();
    this.#snapshotOffset = stateMachine.lastOffset;
    this.#options.logger.info({ index, offset: String(this.#snapshotOffset) }, 'metadata snapshot taken');
  }
}
