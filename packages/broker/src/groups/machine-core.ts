/**
 * What the group machine's rules share: the groups of one
 * `__consumer_offsets` partition, the effects a step produced (replies to
 * parked or immediate requests, writes to persist), and the continuations
 * of writes in flight. No timers and no I/O: time comes in as `nowMs`,
 * effects go out as data and come back through `written`.
 */
import { assert, type Result } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { coordinatorWriteErrorCode } from '../coordinator-store.ts';
import type {
  CommitResult,
  GroupCoordinatorConfig,
  JoinResult,
  LeaveResult,
  OffsetDeleteResult,
  SyncResult,
} from './group-api.ts';
import type { Group } from './group-model.ts';
import type { GroupMetadataValue, OffsetsWriteError, TopicPartitionOffset, TxnProducer } from './types.ts';

/** The result each kind of request gets back. */
export interface ReplyByKind {
  join: JoinResult;
  sync: SyncResult;
  heartbeat: number;
  leave: LeaveResult;
  commit: CommitResult;
  txnCommit: CommitResult;
  offsetDelete: OffsetDeleteResult;
  deleteGroup: number;
}

export type ReplyKind = keyof ReplyByKind;

export type Reply = {
  [K in ReplyKind]: { readonly kind: K; readonly ticket: number; readonly result: ReplyByKind[K] };
}[ReplyKind];

/** One write to the group's `__consumer_offsets` partition: offsets first (if any), then the group (if any). */
export interface WriteRequest {
  readonly writeId: number;
  readonly groupId: string;
  readonly offsets: readonly TopicPartitionOffset[] | null;
  /** `{ value: null }` writes the group's tombstone; null writes no group record. */
  readonly group: { readonly value: GroupMetadataValue | null } | null;
  /** The offsets are a transactional commit of this producer (never with a group record). */
  readonly transaction: TxnProducer | null;
}

export interface Effects {
  readonly replies: readonly Reply[];
  readonly writes: readonly WriteRequest[];
}

/**
 * A write's outcome: where its first offset record landed in the log (null
 * when it wrote none), or why it did not commit.
 */
export type WriteResult = Result<{ readonly baseOffset: bigint | null }, OffsetsWriteError>;

export type WriteDone = (result: WriteResult, nowMs: number) => void;

/** Write failures as the group APIs report them (a fenced producer only ever fails a transactional commit). */
export function groupWriteErrorCode(error: OffsetsWriteError): number {
  return error === 'invalid_producer_epoch' ? ErrorCode.INVALID_PRODUCER_EPOCH : coordinatorWriteErrorCode(error);
}

/** Write failures as OffsetCommit, TxnOffsetCommit and OffsetDelete report them. */
export function offsetWriteErrorCode(error: OffsetsWriteError): number {
  return error === 'record_too_large' ? ErrorCode.INVALID_COMMIT_OFFSET_SIZE : groupWriteErrorCode(error);
}

export class MachineCore {
  readonly config: GroupCoordinatorConfig;
  readonly groups: Map<string, Group>;
  readonly newMemberSuffix: () => string;
  #replies: Reply[] = [];
  #writes: WriteRequest[] = [];
  #nextWriteId = 1;
  readonly #inFlight = new Map<number, { group: Group; done: WriteDone }>();

  constructor(config: GroupCoordinatorConfig, groups: Map<string, Group>, newMemberSuffix: () => string) {
    this.config = config;
    this.groups = groups;
    this.newMemberSuffix = newMemberSuffix;
  }

  reply<K extends ReplyKind>(kind: K, ticket: number, result: ReplyByKind[K]): void {
    this.#replies.push({ kind, ticket, result } as Reply);
  }

  write(
    group: Group,
    offsets: readonly TopicPartitionOffset[] | null,
    value: { value: GroupMetadataValue | null } | null,
    done: WriteDone,
    transaction: TxnProducer | null = null,
  ): void {
    assert(transaction === null || value === null, 'a transactional commit carries no group record');
    const writeId = this.#nextWriteId++;
    this.#inFlight.set(writeId, { group, done });
    this.#writes.push({ writeId, groupId: group.groupId, offsets, group: value, transaction });
  }

  /** Whether the group has writes that have not resolved (expiry leaves such groups alone). */
  writing(group: Group): boolean {
    for (const w of this.#inFlight.values()) if (w.group === group) return true;
    return false;
  }

  /** Runs the continuation of a write; returns the id of the group it wrote for. */
  written(writeId: number, result: WriteResult, nowMs: number): string {
    const write = this.#inFlight.get(writeId);
    assert(write !== undefined, `write ${writeId} resolved twice or never issued`);
    this.#inFlight.delete(writeId);
    write.done(result, nowMs);
    return write.group.groupId;
  }

  /** Resolves every write in flight as failed with `error`, for a machine being dropped. */
  failAllWrites(error: OffsetsWriteError, nowMs: number): void {
    for (const writeId of [...this.#inFlight.keys()]) this.written(writeId, { ok: false, error }, nowMs);
  }

  drain(): Effects {
    const effects = { replies: this.#replies, writes: this.#writes };
    this.#replies = [];
    this.#writes = [];
    return effects;
  }
}
