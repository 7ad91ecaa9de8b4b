/**
 * The Raft state machine: roles, terms, the tick clock and the dispatch of
 * every incoming message. The protocol's halves live next to it
 * (election.ts, replication.ts, leadership-transfer.ts, membership.ts) as
 * functions over this state — the RaftState interface of raft-state.ts,
 * so they need not import this file — and each rule can be read on its own.
 *
 * Owned by exactly one RawNode, which is the only caller; internal to the
 * package. Every method is synchronous and total: bad input from the network
 * is ignored, a broken invariant asserts.
 */
import { assert } from '@runnel/common';
import { handleVoteRequest, handleVoteResponse, hup } from './election.ts';
import { handOffLeadership, sendTimeoutNowIfCaughtUp } from './leadership-transfer.ts';
import { progressFor } from './membership.ts';
import type { Progress } from './progress.ts';
import { hasQuorum } from './quorum.ts';
import { RaftLog } from './raft-log.ts';
import type { Outgoing, RaftState } from './raft-state.ts';
import {
  appendEntries,
  bcastAppend,
  bcastHeartbeat,
  handleAppend,
  handleAppendResponse,
  handleHeartbeat,
  handleHeartbeatResponse,
  handleSnapshot,
} from './replication.ts';
import type { ConfState, Message, NodeId, RaftConfig, Role } from './types.ts';
import { noNode } from './types.ts';

/** Vote traffic carries the term it is about, which may differ from ours (pre-vote asks for term + 1). */
const explicitTermTypes = new Set<Message['type']>(['vote', 'vote-response', 'pre-vote', 'pre-vote-response']);

export class Raft implements RaftState {
  readonly id: NodeId;
  readonly config: RaftConfig;
  readonly log: RaftLog;
  term: number;
  vote: NodeId;
  leader: NodeId = noNode;
  role: Role = 'follower';
  voters: NodeId[];
  learners: NodeId[];
  /** Per-peer replication state; only meaningful while leader, rebuilt on election. */
  readonly progress = new Map<NodeId, Progress>();
  readonly votes = new Map<NodeId, boolean>();
  /** Outgoing messages, drained by RawNode.ready(). */
  messages: Message[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTicks = 0;
  /** While leader: the node leadership is being handed to, or noNode. */
  leadTransferee: NodeId = noNode;
  /** While leader: index of the newest conf-change entry proposed; another waits until it is applied. */
  pendingConfIndex = 0;
  rejoining: boolean;

  constructor(config: RaftConfig) {
    assert(config.id !== noNode, 'node id 0 is reserved for "nobody"');
    assert(config.heartbeatTicks > 0 && config.electionTicks > config.heartbeatTicks, 'need 0 < heartbeat < election');
    assert(config.messageBytesMax > 0, 'messageBytesMax must be positive');
    this.id = config.id;
    this.config = config;
    const { hardState, confState } = config.storage.initialState();
    this.log = new RaftLog(config.storage, hardState.commit, config.applied);
    this.term = hardState.term;
    this.vote = hardState.vote;
    this.voters = [...confState.voters];
    this.learners = [...confState.learners];
    this.rejoining = config.rejoining === true;
    this.becomeFollower(this.term, noNode);
  }

  confState(): ConfState {
    return { voters: [...this.voters], learners: [...this.learners] };
  }

  /** Only voters campaign: learners and removed nodes never disturb the quorum. */
  isPromotable(): boolean {
    return this.voters.includes(this.id);
  }

  peers(): NodeId[] {
    return [...this.voters, ...this.learners].filter((id) => id !== this.id);
  }

  send(message: Outgoing): void {
    if (explicitTermTypes.has(message.type))
      assert(message.term !== undefined && message.term > 0, 'vote without term');
    this.messages.push({
      from: this.id,
      term: this.term,
      logTerm: 0,
      index: 0,
      entries: [],
      commit: 0,
      reject: false,
      rejectHint: 0,
      snapshot: null,
      ...message,
    });
  }

  // Role changes.

  #reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = noNode;
    }
    this.leader = noNode;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTicks = this.config.random.int(this.config.electionTicks, 2 * this.config.electionTicks - 1);
    this.votes.clear();
    this.leadTransferee = noNode;
    this.progress.clear();
    for (const id of [...this.voters, ...this.learners]) this.progress.set(id, progressFor(this, id));
  }

  becomeFollower(term: number, leader: NodeId): void {
    this.#reset(term);
    this.role = 'follower';
    this.leader = leader;
  }

  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot pre-campaign');
    // Term and vote stay: a pre-vote changes nothing durable.
    this.votes.clear();
    this.role = 'pre-candidate';
    this.leader = noNode;
  }

  becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot campaign');
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    assert(this.role === 'candidate', `only a candidate becomes leader, not a ${this.role}`);
    this.#reset(this.term);
    this.role = 'leader';
    this.leader = this.id;
    const self = this.progress.get(this.id);
    assert(self !== undefined, 'a leader is in its own configuration');
    self.match = this.log.lastIndex();
    self.becomeReplicate();
    self.recentActive = true;
    // Conservative: entries before our term may hold a conf change not yet applied.
    this.pendingConfIndex = this.log.lastIndex();
    // The empty entry of our term lets us commit everything before it (Raft §5.4.2).
    appendEntries(this, [{ type: 'normal', data: new Uint8Array(0) }]);
  }

  // Time.

  tick(): void {
    if (this.role === 'leader') this.#tickLeader();
    else this.#tickElection();
  }

  #tickElection(): void {
    this.electionElapsed++;
    if (this.isPromotable() && this.electionElapsed >= this.randomizedElectionTicks) {
      this.electionElapsed = 0;
      hup(this, false);
    }
  }

  #tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (!this.isPromotable()) {
        // Removed: stepping down could leave the new voters unable to elect anyone (see
        // handOffLeadership), so try the hand-off again, maybe to another voter.
        handOffLeadership(this);
      } else if (this.config.checkQuorum && !this.#quorumActive()) {
        this.becomeFollower(this.term, noNode);
        return;
      } else {
        // A transfer that has not finished within an election timeout is abandoned.
        this.leadTransferee = noNode;
      }
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this);
    }
  }

  /** Check-quorum: did a majority talk to us since the last check? Resets the marks. */
  #quorumActive(): boolean {
    const active = hasQuorum(this.voters, (id) => id === this.id || this.progress.get(id)?.recentActive === true);
    for (const [id, progress] of this.progress) progress.recentActive = id === this.id;
    return active;
  }

  // Messages.

  step(message: Message): void {
    if (!this.#stepTerm(message)) return;
    switch (message.type) {
      case 'pre-vote':
      case 'vote':
        handleVoteRequest(this, message);
        return;
      case 'pre-vote-response':
      case 'vote-response':
        handleVoteResponse(this, message);
        return;
      default:
        if (this.role === 'leader') this.#stepLeader(message);
        else this.#stepFollower(message);
    }
  }

  /** Term rules common to every role; false when the message is stale or must be ignored. */
  #stepTerm(message: Message): boolean {
    if (message.term > this.term) {
      const isVote = message.type === 'vote' || message.type === 'pre-vote';
      if (isVote && !message.leaderTransfer && this.#inLease()) return false;
      if (message.type === 'pre-vote') return true;
      // A granted pre-vote is for a term we have not entered yet; we enter it when we win.
      if (message.type === 'pre-vote-response' && !message.reject) return true;
      const fromLeader = message.type === 'append' || message.type === 'heartbeat' || message.type === 'snapshot';
      this.becomeFollower(message.term, fromLeader ? message.from : noNode);
      return true;
    }
    if (message.term < this.term) {
      const fromStaleLeader = message.type === 'append' || message.type === 'heartbeat';
      if (fromStaleLeader && (this.config.checkQuorum || this.config.preVote)) {
        // Tell a stale leader our term, or it (and a node stuck behind pre-vote) never learns it lost.
        this.send({ type: 'append-response', to: message.from });
      } else if (message.type === 'pre-vote') {
        this.send({ type: 'pre-vote-response', to: message.from, term: this.term, reject: true });
      }
      return false;
    }
    return true;
  }

  /** Lease: a follower that heard from a leader within the election timeout does not help depose it. */
  #inLease(): boolean {
    return this.config.checkQuorum && this.leader !== noNode && this.electionElapsed < this.config.electionTicks;
  }

  #stepLeader(message: Message): void {
    const progress = this.progress.get(message.from);
    switch (message.type) {
      case 'append-response':
        if (progress === undefined) return;
        progress.recentActive = true;
        handleAppendResponse(this, message, progress);
        sendTimeoutNowIfCaughtUp(this, message.from, progress);
        return;
      case 'heartbeat-response':
        if (progress === undefined) return;
        progress.recentActive = true;
        handleHeartbeatResponse(this, message, progress);
        return;
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        assert(false, `two leaders in term ${this.term}: ${this.id} and ${message.from}`);
        return;
      default:
        return;
    }
  }

  #stepFollower(message: Message): void {
    switch (message.type) {
      case 'append':
      case 'heartbeat':
      case 'snapshot':
        // A candidate that hears from a leader of its own term lost the election.
        if (this.role !== 'follower') this.becomeFollower(this.term, message.from);
        this.electionElapsed = 0;
        this.leader = message.from;
        if (message.type === 'append') handleAppend(this, message);
        else if (message.type === 'heartbeat') handleHeartbeat(this, message);
        else handleSnapshot(this, message);
        this.#maybeEndRejoin();
        return;
      case 'timeout-now':
        if (this.role === 'follower') hup(this, true);
        return;
      default:
        return;
    }
  }

  /**
   * A rejoining node is caught up once a leader told it a commit index at an
   * entry of the leader's own term: that leader holds every entry committed
   * in earlier terms (leader completeness) below its first entry, so our log,
   * which matches its log up to that commit, holds them too.
   */
  #maybeEndRejoin(): void {
    if (!this.rejoining) return;
    const commit = this.log.committed;
    if (commit > 0 && this.log.term(commit) === this.term) this.rejoining = false;
  }

  /** Proposals are only accepted by the leader; see RawNode.propose for the failure cases. */
  bcastAfterAppend(): void {
    bcastAppend(this);
  }
}
