/**
 * The classic group protocol for the groups of one `__consumer_offsets`
 * partition, as a pure state machine: every input carries the time and,
 * for requests that may wait (JoinGroup, SyncGroup) or need a write, a
 * ticket chosen by the caller; every step returns the effects to carry
 * out — replies (by ticket) and writes — and `nextDeadlineMs()` says when
 * to call `tick`. A write's outcome comes back through `written`.
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type {
  CommitInput,
  CommittedOffset,
  FetchResult,
  GroupCoordinatorConfig,
  GroupDescription,
  GroupListing,
  HeartbeatInput,
  JoinInput,
  MemberIdentity,
  SyncInput,
  TopicPartitionRef,
  TxnCommitInput,
  TxnResult,
} from './group-api.ts';
import { join } from './group-join.ts';
import { heartbeat, leave, sync } from './group-membership.ts';
import { type Group, groupsFromLoaded, memberMetadataFor, splitOffsetKey } from './group-model.ts';
import { commit, deleteGroup, expire, fetch, offsetDelete } from './group-offsets.ts';
import { joinError, nextDeadlineMs, runDeadlines } from './group-rebalance.ts';
import { completeTransaction, TxnWrites, txnCommit } from './group-txn-offsets.ts';
import { type Effects, MachineCore, type WriteResult } from './machine-core.ts';
import type { LoadedPartition } from './types.ts';

export interface GroupMachineOptions {
  readonly config: GroupCoordinatorConfig;
  /** The random part of new member ids (a UUID in production). */
  readonly newMemberSuffix: () => string;
  /** Where to start from: what the store loaded; nothing for a fresh partition. */
  readonly loaded?: LoadedPartition;
  readonly nowMs: number;
}

/**
 * Owned by the GroupCoordinator of the partition (or a test). Not
 * re-entrant; every call runs to completion. A thrown error is a bug
 * (broken invariant) and leaves the machine unusable.
 */
export class GroupMachine {
  readonly #core: MachineCore;
  readonly #txnWrites = new TxnWrites();

  constructor(options: GroupMachineOptions) {
    const groups =
      options.loaded === undefined ? new Map<string, Group>() : groupsFromLoaded(options.loaded, options.nowMs);
    this.#core = new MachineCore(options.config, groups, options.newMemberSuffix);
  }

  join(ticket: number, input: JoinInput, nowMs: number): Effects {
    return this.#step(nowMs, input.groupId, () => join(this.#core, ticket, input, nowMs));
  }

  sync(ticket: number, input: SyncInput, nowMs: number): Effects {
    return this.#step(nowMs, input.groupId, () => sync(this.#core, ticket, input, nowMs));
  }

  heartbeat(ticket: number, input: HeartbeatInput, nowMs: number): Effects {
    return this.#step(nowMs, input.groupId, () => heartbeat(this.#core, ticket, input, nowMs));
  }

  leave(ticket: number, groupId: string, members: readonly MemberIdentity[], nowMs: number): Effects {
    return this.#step(nowMs, groupId, () => leave(this.#core, ticket, groupId, members, nowMs));
  }

  commit(ticket: number, input: CommitInput, nowMs: number): Effects {
    return this.#step(nowMs, input.groupId, () => commit(this.#core, ticket, input, nowMs));
  }

  txnCommit(ticket: number, input: TxnCommitInput, nowMs: number): Effects {
    return this.#step(nowMs, input.groupId, () => txnCommit(this.#core, this.#txnWrites, ticket, input, nowMs));
  }

  /**
   * The COMMIT or ABORT marker of `producerId` at `markerOffset` of this
   * partition is committed: its transaction's pending commits (those written
   * before the marker) become committed offsets or are dropped.
   */
  completeTransaction(producerId: bigint, result: TxnResult, markerOffset: bigint, nowMs: number): Effects {
    return this.#step(nowMs, null, () =>
      completeTransaction(this.#core, this.#txnWrites, producerId, result, markerOffset),
    );
  }

  offsetDelete(ticket: number, groupId: string, partitions: readonly TopicPartitionRef[], nowMs: number): Effects {
    return this.#step(nowMs, groupId, () => offsetDelete(this.#core, ticket, groupId, partitions));
  }

  deleteGroup(ticket: number, groupId: string, nowMs: number): Effects {
    return this.#step(nowMs, groupId, () => deleteGroup(this.#core, ticket, groupId, nowMs));
  }

  /** Runs the deadlines that have passed: session expiry, end of join phases, members that never synced. */
  tick(nowMs: number): Effects {
    return this.#step(nowMs, null, () => {});
  }

  /** The periodic offset-retention pass. */
  expire(nowMs: number): Effects {
    return this.#step(nowMs, null, () => expire(this.#core, nowMs));
  }

  /** The outcome of a write this machine asked for. */
  written(writeId: number, result: WriteResult, nowMs: number): Effects {
    let groupId: string | null = null;
    return this.#step(
      nowMs,
      () => groupId,
      () => {
        groupId = this.#core.written(writeId, result, nowMs);
      },
    );
  }

  /**
   * The machine is being dropped (its partition moved): every write in
   * flight counts as failed with not_coordinator and every parked request
   * is answered NOT_COORDINATOR, so clients go find the new coordinator.
   */
  abandon(nowMs: number): Effects {
    const core = this.#core;
    core.failAllWrites('not_coordinator', nowMs);
    for (const group of core.groups.values()) {
      for (const m of group.members.values()) {
        for (const t of m.joinTickets) core.reply('join', t, joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
        for (const t of m.syncTickets) {
          core.reply('sync', t, { errorCode: ErrorCode.NOT_COORDINATOR, assignment: Buffer.alloc(0) });
        }
        m.joinTickets = [];
        m.syncTickets = [];
      }
    }
    core.groups.clear();
    return core.drain();
  }

  /** OffsetFetch; `requireStable` (v7) answers UNSTABLE_OFFSET_COMMIT for partitions an open transaction holds. */
  fetch(groupId: string, partitions: readonly TopicPartitionRef[] | null, requireStable = false): FetchResult {
    return fetch(this.#core, groupId, partitions, requireStable);
  }

  describe(groupId: string): GroupDescription {
    const group = this.#core.groups.get(groupId);
    if (group === undefined) {
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        exists: false,
        state: 'Dead',
        protocolType: '',
        protocol: '',
        members: [],
      };
    }
    const stable = group.state === 'Stable';
    const empty = Buffer.alloc(0);
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      exists: group.state !== 'Dead',
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocol: stable ? (group.protocol ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? memberMetadataFor(m, group.protocol) : empty,
        assignment: stable ? m.assignment : empty,
      })),
    };
  }

  list(): GroupListing[] {
    return [...this.#core.groups.values()].map((g) => ({
      groupId: g.groupId,
      protocolType: g.protocolType ?? '',
      state: g.state,
    }));
  }

  committedOffsets(): CommittedOffset[] {
    const out: CommittedOffset[] = [];
    for (const group of this.#core.groups.values()) {
      for (const [key, value] of group.offsets) {
        out.push({ groupId: group.groupId, ...splitOffsetKey(key), offset: value.offset });
      }
    }
    return out;
  }

  nextDeadlineMs(): number | null {
    let next: number | null = null;
    for (const group of this.#core.groups.values()) {
      const d = nextDeadlineMs(group);
      if (d !== null && (next === null || d < next)) next = d;
    }
    return next;
  }

  /**
   * Runs one input, then the deadlines of the group it touched (all groups
   * when `groupId` is null) that are already due — an initial delay of 0
   * completes the join in the same step rather than on the next timer.
   */
  #step(nowMs: number, groupId: string | null | (() => string | null), body: () => void): Effects {
    assert(Number.isFinite(nowMs), 'nowMs must be a finite time');
    body();
    const touched = typeof groupId === 'function' ? groupId() : groupId;
    if (touched === null) {
      for (const group of [...this.#core.groups.values()]) runDeadlines(this.#core, group, nowMs);
    } else {
      const group = this.#core.groups.get(touched);
      if (group !== undefined) runDeadlines(this.#core, group, nowMs);
    }
    return this.#core.drain();
  }
}
