/**
 * RawNode: the Raft core's whole public surface, single-threaded and
 * synchronous. The driver (controller, simulation, tests) owns it and is its
 * only caller. Input: tick(), step(), propose*(), campaign(),
 * transferLeadership(), report*(). Output: ready(), which the driver handles
 * in order (persist snapshot, entries and hard state; send messages; apply
 * committed entries, calling applyConfChange for conf-change entries) and
 * then hands back with advance().
 *
 * Nothing here fails at runtime except by assertion: a failed assert means a
 * bug (in the core or in the driver's use of it) and the node must not be
 * used again. Expected refusals (not leader, change in progress) are Results.
 */
import type { Result } from '@runnel/common';
import { assert, err, ok } from '@runnel/common';
import { encodeConfChange } from './conf-change.ts';
import { hup } from './election.ts';
import type { TransferError } from './leadership-transfer.ts';
import { transferLeadership } from './leadership-transfer.ts';
import { applyConfChange } from './membership.ts';
import type { ProgressState } from './progress.ts';
import { Raft } from './raft.ts';
import type { Proposal } from './replication.ts';
import { appendEntries, bcastAppend } from './replication.ts';
import type { ConfChange, ConfState, HardState, Message, NodeId, RaftConfig, Ready, Role, SoftState } from './types.ts';
import { noNode } from './types.ts';

export type ProposeError = 'not_leader' | 'transfer_in_progress' | 'dropped';
export type ConfChangeError = ProposeError | 'change_in_progress' | 'invalid_change' | 'learner_not_ready';
export type { TransferError };

export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly inflight: number;
  readonly isLearner: boolean;
}

export interface RaftStatus {
  readonly id: NodeId;
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly leader: NodeId;
  readonly role: Role;
  readonly lastIndex: number;
  readonly confState: ConfState;
  /** Restarted on lost storage and not yet caught up from a leader (RaftConfig.rejoining). */
  readonly rejoining: boolean;
  /** Only on the leader. */
  readonly progress?: ReadonlyMap<NodeId, ProgressStatus>;
  /** Only on the leader, while a transfer is under way. */
  readonly leadTransferee?: NodeId;
}

const sameHardState = (a: HardState, b: HardState): boolean =>
  a.term === b.term && a.vote === b.vote && a.commit === b.commit;

export class RawNode {
  readonly #raft: Raft;
  #softState: SoftState;
  #hardState: HardState;
  /** The Ready handed out and not yet advanced; the driver handles one at a time. */
  #inFlightReady: Ready | null = null;

  constructor(config: RaftConfig) {
    this.#raft = new Raft(config);
    this.#softState = this.#currentSoftState();
    this.#hardState = this.#currentHardState();
  }

  get id(): NodeId {
    return this.#raft.id;
  }

  tick(): void {
    this.#raft.tick();
  }

  step(message: Message): void {
    assert(message.to === this.#raft.id, `message for ${message.to} stepped into node ${this.#raft.id}`);
    this.#raft.step(message);
  }

  /** Starts an election now (pre-vote first when enabled), as if the election timeout had passed. */
  campaign(): void {
    this.#raft.electionElapsed = 0;
    hup(this.#raft, false);
  }

  propose(data: Uint8Array): Result<void, ProposeError> {
    return this.#propose({ type: 'normal', data });
  }

  proposeConfChange(change: ConfChange): Result<void, ConfChangeError> {
    const r = this.#raft;
    if (r.role !== 'leader') return err('not_leader');
    if (r.pendingConfIndex > r.log.applied) return err('change_in_progress');
    if (change.type === 'remove-voter' && r.voters.length === 1 && r.voters[0] === change.nodeId) {
      return err('invalid_change', 'cannot remove the last voter');
    }
    if (change.type === 'add-voter' && r.learners.includes(change.nodeId) && !r.progress.get(change.nodeId)?.match) {
      // A learner that has acknowledged nothing to us may hold no configuration yet, and such a
      // node does not vote (election.ts): promoting it could leave the quorum unable to elect.
      return err('learner_not_ready', `learner ${change.nodeId} has not caught up with this leader`);
    }
    const result = this.#propose({ type: 'conf-change', data: encodeConfChange(change) });
    if (result.ok) r.pendingConfIndex = r.log.lastIndex();
    return result;
  }

  #propose(proposal: Proposal): Result<void, ProposeError> {
    const r = this.#raft;
    if (r.role !== 'leader') return err('not_leader');
    if (r.leadTransferee !== noNode) return err('transfer_in_progress');
    // A leader that applied its own removal no longer replicates anything.
    if (!r.progress.has(r.id)) return err('dropped');
    appendEntries(r, [proposal]);
    bcastAppend(r);
    return ok(undefined);
  }

  transferLeadership(to: NodeId): Result<void, TransferError> {
    return transferLeadership(this.#raft, to);
  }

  /** The driver applied a committed conf-change entry; returns the configuration now in force. */
  applyConfChange(change: ConfChange): ConfState {
    return applyConfChange(this.#raft, change);
  }

  /** The transport could not reach `id`: stop streaming to it and probe instead. */
  reportUnreachable(id: NodeId): void {
    const progress = this.#raft.progress.get(id);
    if (this.#raft.role === 'leader' && progress?.state === 'replicate') progress.becomeProbe();
  }

  reportSnapshot(id: NodeId, outcome: 'finished' | 'failed'): void {
    const progress = this.#raft.progress.get(id);
    if (this.#raft.role !== 'leader' || progress?.state !== 'snapshot') return;
    if (outcome === 'failed') progress.pendingSnapshot = 0;
    progress.becomeProbe();
    // Wait for the follower's next answer before probing, as after any probe.
    progress.probeSent = true;
  }

  hasReady(): boolean {
    const r = this.#raft;
    const soft = this.#currentSoftState();
    return (
      soft.leader !== this.#softState.leader ||
      soft.role !== this.#softState.role ||
      !sameHardState(this.#currentHardState(), this.#hardState) ||
      r.log.unstableSnapshot() !== null ||
      r.log.unstableEntries().length > 0 ||
      r.messages.length > 0 ||
      r.log.hasNextCommittedEntries()
    );
  }

  /** What the driver must do next; see the class comment. Call advance() before the next ready(). */
  ready(): Ready {
    assert(this.#inFlightReady === null, 'ready() called again before advance()');
    const r = this.#raft;
    const soft = this.#currentSoftState();
    const hard = this.#currentHardState();
    const softChanged = soft.leader !== this.#softState.leader || soft.role !== this.#softState.role;
    const hardChanged = !sameHardState(hard, this.#hardState);
    const entries = [...r.log.unstableEntries()];
    const snapshot = r.log.unstableSnapshot();
    const ready: Ready = {
      softState: softChanged ? soft : null,
      hardState: hardChanged ? hard : null,
      snapshot,
      entries,
      committedEntries: r.log.nextCommittedEntries(r.config.messageBytesMax),
      messages: r.messages,
      mustSync:
        entries.length > 0 ||
        snapshot !== null ||
        hard.term !== this.#hardState.term ||
        hard.vote !== this.#hardState.vote,
    };
    r.messages = [];
    if (softChanged) this.#softState = soft;
    this.#inFlightReady = ready;
    return ready;
  }

  /** The driver has persisted, sent and applied everything in `ready`. */
  advance(ready: Ready): void {
    assert(ready === this.#inFlightReady, 'advance() with a Ready that is not the outstanding one');
    this.#inFlightReady = null;
    const log = this.#raft.log;
    if (ready.hardState !== null) this.#hardState = ready.hardState;
    if (ready.snapshot !== null) {
      log.stableSnapshotTo(ready.snapshot.metadata.index);
      log.appliedSnapshot(ready.snapshot.metadata.index);
    }
    const lastEntry = ready.entries.at(-1);
    if (lastEntry !== undefined) log.stableTo(lastEntry.index, lastEntry.term);
    const lastCommitted = ready.committedEntries.at(-1);
    if (lastCommitted !== undefined) log.appliedTo(lastCommitted.index);
  }

  status(): RaftStatus {
    const r = this.#raft;
    const base = {
      id: r.id,
      term: r.term,
      vote: r.vote,
      commit: r.log.committed,
      applied: r.log.applied,
      leader: r.leader,
      role: r.role,
      lastIndex: r.log.lastIndex(),
      confState: r.confState(),
      rejoining: r.rejoining,
    };
    if (r.role !== 'leader') return base;
    const progress = new Map<NodeId, ProgressStatus>();
    for (const [id, p] of [...r.progress].sort(([a], [b]) => a - b)) {
      progress.set(id, {
        match: p.match,
        next: p.next,
        state: p.state,
        inflight: p.inflights.count,
        isLearner: p.isLearner,
      });
    }
    return r.leadTransferee === noNode
      ? { ...base, progress }
      : { ...base, progress, leadTransferee: r.leadTransferee };
  }

  #currentSoftState(): SoftState {
    return { leader: this.#raft.leader, role: this.#raft.role };
  }

  #currentHardState(): HardState {
    return { term: this.#raft.term, vote: this.#raft.vote, commit: this.#raft.log.committed };
  }
}
