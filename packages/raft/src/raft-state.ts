/**
 * What the protocol's halves (election.ts, replication.ts,
 * leadership-transfer.ts, membership.ts) see of the Raft state machine:
 * they are functions over this state, and `Raft` (raft.ts) implements it.
 * Taking this interface rather than the class keeps the imports one-way —
 * raft.ts dispatches to the halves, the halves never import raft.ts — so
 * each half can be read with only this file and what it calls.
 *
 * Internal to the package; the halves mutate it only from within a
 * `Raft.step`/`tick` or a RawNode call, never concurrently.
 */
import type { Progress } from './progress.ts';
import type { RaftLog } from './raft-log.ts';
import type { ConfState, Message, NodeId, RaftConfig, Role } from './types.ts';

/** A message to send, with the fields that are not its own left to defaults. */
export type Outgoing = Pick<Message, 'type' | 'to'> & Partial<Omit<Message, 'type' | 'to' | 'from'>>;

export interface RaftState {
  readonly id: NodeId;
  readonly config: RaftConfig;
  readonly log: RaftLog;
  term: number;
  vote: NodeId;
  leader: NodeId;
  role: Role;
  voters: NodeId[];
  learners: NodeId[];
  /** Per-peer replication state; only meaningful while leader, rebuilt on election. */
  readonly progress: Map<NodeId, Progress>;
  readonly votes: Map<NodeId, boolean>;
  electionElapsed: number;
  /** While leader: the node leadership is being handed to, or noNode. */
  leadTransferee: NodeId;
  /** Restarted on lost storage and not yet caught up (RaftConfig.rejoining): no votes, no campaigns. */
  rejoining: boolean;

  confState(): ConfState;
  /** Only voters campaign: learners and removed nodes never disturb the quorum. */
  isPromotable(): boolean;
  peers(): NodeId[];
  send(message: Outgoing): void;
  becomeFollower(term: number, leader: NodeId): void;
  becomePreCandidate(): void;
  becomeCandidate(): void;
  becomeLeader(): void;
}
