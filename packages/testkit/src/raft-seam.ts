import type {
  ConfChange,
  ConfState,
  Entry,
  HardState,
  Message,
  NodeId,
  RaftConfig,
  RaftStorage,
  Ready,
  Role,
  Snapshot,
} from '@runnel/raft';
import type { DurableImage } from './sim-disk.ts';

/** What the simulation reads of a node's status each step. */
export interface RaftStatusView {
  readonly term: number;
  readonly role: Role;
  readonly leader: NodeId;
  readonly commit: number;
  readonly applied: number;
  readonly lastIndex: number;
  readonly confState: ConfState;
  /** Started with RaftConfig.rejoining and not yet caught up; absent means never. */
  readonly rejoining?: boolean;
}

/**
 * The RawNode surface the simulation drives. The real RawNode satisfies it;
 * tests wrap it to break raft on purpose and prove the checkers notice.
 */
export interface SimRaftNode {
  tick(): void;
  step(message: Message): unknown;
  propose(data: Uint8Array): unknown;
  proposeConfChange(change: ConfChange): unknown;
  transferLeadership(to: NodeId): unknown;
  hasReady(): boolean;
  ready(): Ready;
  advance(ready: Ready): void;
  applyConfChange(change: ConfChange): ConfState;
  /** Transport feedback: a message to `id` was lost to a partition. */
  reportUnreachable(id: NodeId): void;
  /** Transport feedback: a snapshot message to `id` arrived or was lost. */
  reportSnapshot(id: NodeId, outcome: 'finished' | 'failed'): void;
  status(): RaftStatusView;
}

/** The storage the driver writes from Ready and the core reads. */
export interface SimStorage extends RaftStorage {
  append(entries: readonly Entry[]): unknown;
  setHardState(hardState: HardState): unknown;
  applySnapshot(snapshot: Snapshot): unknown;
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot;
  compact(index: number): unknown;
}

/** How the simulation builds nodes and their storage; swap it to inject a fault into raft itself. */
export interface RaftImplementation {
  /** A storage holding exactly the durable image (a fresh node, or a restart after a crash). */
  createStorage(image: DurableImage): SimStorage;
  createNode(config: RaftConfig): SimRaftNode;
}
