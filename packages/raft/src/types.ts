/**
 * The Raft core's vocabulary, etcd-raft style. The core is a pure state
 * machine: the driver (controller process, or the simulation) calls
 * tick() / step() / propose(), then takes a Ready (entries and hard state to
 * persist, messages to send, committed entries to apply), does the I/O, and
 * calls advance(). Nothing in here touches time, sockets, files or promises.
 *
 * Terms and indexes are plain numbers (2^53 is far beyond any log we keep).
 */
export type NodeId = number;

/** 0 is "nobody" (no vote, no known leader). */
export const noNode: NodeId = 0;

export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  /** Opaque to the core; for conf-change entries, an encoded ConfChange (see encodeConfChange). */
  readonly data: Uint8Array;
}

/** What must be durable before the node answers a vote or an append. */
export interface HardState {
  readonly term: number;
  readonly vote: NodeId;
  readonly commit: number;
}

export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly learners: readonly NodeId[];
}

/** One membership change at a time (single-server changes are safe without joint consensus). */
export type ConfChange =
  | { readonly type: 'add-voter'; readonly nodeId: NodeId }
  | { readonly type: 'remove-voter'; readonly nodeId: NodeId }
  | { readonly type: 'add-learner'; readonly nodeId: NodeId };

export interface SnapshotMetadata {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state machine image at metadata.index; opaque to the core. */
  readonly data: Uint8Array;
}

export type MessageType =
  // Between nodes.
  | 'pre-vote'
  | 'pre-vote-response'
  | 'vote'
  | 'vote-response'
  | 'append'
  | 'append-response'
  | 'heartbeat'
  | 'heartbeat-response'
  | 'snapshot'
  | 'timeout-now';

export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
  /** append: term of the entry at `index` (the one before `entries`); votes: the candidate's last log term. */
  readonly logTerm: number;
  /** append: index before `entries`; votes: the candidate's last index; append-response: the follower's match or hint. */
  readonly index: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
  readonly reject: boolean;
  /** append-response with reject: the follower's last index, so the leader can back off fast. */
  readonly rejectHint: number;
  readonly snapshot: Snapshot | null;
  /**
   * vote / pre-vote only: the campaign was started by timeout-now (leadership
   * transfer), so voters grant it even inside their leader lease. Optional so
   * that senders which never transfer need not set it; a transport must carry it.
   */
  readonly leaderTransfer?: boolean;
}

export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state, reported in Ready when it changes. */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/**
 * Everything the driver must do, in this order: persist `snapshot`,
 * `entries` and `hardState` (synced if `mustSync`), then send `messages`,
 * then apply `committedEntries`, then call advance(ready).
 */
export interface Ready {
  readonly softState: SoftState | null;
  readonly hardState: HardState | null;
  readonly snapshot: Snapshot | null;
  readonly entries: readonly Entry[];
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  readonly mustSync: boolean;
}

/**
 * The log as the application stores it, read synchronously by the core.
 * The application appends to it (from Ready) before calling advance();
 * a level-backed implementation keeps its tail in memory and writes through.
 */
export interface RaftStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries [lo, hi), at most maxBytes of data (but at least one entry). */
  entries(lo: number, hi: number, maxBytes: number): Entry[];
  /** Term of the entry at `index`; index may be firstIndex()-1 (the snapshot's). */
  term(index: number): number;
  firstIndex(): number;
  lastIndex(): number;
  snapshot(): Snapshot;
}

export interface RaftConfig {
  readonly id: NodeId;
  readonly storage: RaftStorage;
  /** Ticks without hearing from a leader before a follower campaigns (randomised in [n, 2n)). */
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  /** Append messages a leader keeps unacknowledged per follower (flow control). */
  readonly inflightMessagesMax: number;
  /** Bytes of entry data per append message. */
  readonly messageBytesMax: number;
  /** Index already applied by the state machine (on restart). */
  readonly applied: number;
  /** Seeded source for election timeouts; `Random` from @runnel/common. */
  readonly random: { int(min: number, max: number): number };
  /**
   * This node lost its storage and restarted empty in its old configuration
   * (its store was damaged and moved aside). It may have voted, and
   * acknowledged entries, that it no longer remembers: voting again could
   * elect a candidate missing entries it helped commit. Until it learns from
   * a leader a commit index at an entry of that leader's term (its log then
   * holds everything committed before) it grants no (pre-)vote and never
   * campaigns; status().rejoining says when that is over, and the driver
   * must keep passing true across restarts until then.
   */
  readonly rejoining?: boolean;
}
