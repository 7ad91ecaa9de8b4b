/**
 * The group coordinator of one broker: a GroupMachine per
 * `__consumer_offsets` partition this broker leads, driven by real
 * requests, a timer per partition (the machine's next deadline), the
 * periodic offset-retention pass, and the store that persists its writes.
 * The store drives which partitions are hosted (CoordinatorLifecycle).
 */
import { randomUUID } from 'node:crypto';
import { assert, type Clock, type Logger, ok, silentLogger, systemClock } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import { CoordinatorRuntime, type LoadedSlot } from '../coordinator-runtime.ts';
import type {
  CommitInput,
  CommitResult,
  CommittedOffset,
  FetchResult,
  GroupCoordinatorConfig,
  GroupDescription,
  GroupListing,
  HeartbeatInput,
  JoinInput,
  JoinResult,
  LeaveResult,
  MemberIdentity,
  OffsetDeleteResult,
  SyncInput,
  SyncResult,
  TopicPartitionRef,
  TxnCommitInput,
  TxnResult,
} from './group-api.ts';
import { defaultGroupCoordinatorConfig } from './group-api.ts';
import { GroupMachine } from './group-machine.ts';
import { joinError } from './group-rebalance.ts';
import { type GroupTimers, realGroupTimers } from './group-timers.ts';
import type { Effects, ReplyByKind, ReplyKind, WriteRequest, WriteResult } from './machine-core.ts';
import { type CoordinatorLifecycle, type GroupStore, type LoadedPartition, partitionForGroup } from './types.ts';

export interface GroupCoordinatorOptions {
  readonly store: GroupStore;
  readonly config?: Partial<GroupCoordinatorConfig>;
  readonly clock?: Clock;
  readonly timers?: GroupTimers;
  readonly logger?: Logger;
  /** The random part of new member ids; a UUID unless a test wants them predictable. */
  readonly newMemberSuffix?: () => string;
}

/** A transaction's end on a partition, as the broker reports it once the marker is committed. */
interface TxnCompletion {
  readonly producerId: bigint;
  readonly result: TxnResult;
  readonly markerOffset: bigint;
}

/**
 * Owned by the Broker, which forwards group requests to it (through
 * handlers/group-handlers.ts) and hands it to the store as the
 * CoordinatorLifecycle.
 * Store write failures are answers to clients (NOT_COORDINATOR etc.); a
 * store that throws is a bug and the rejection is left unhandled.
 */
export class GroupCoordinator implements CoordinatorLifecycle {
  readonly config: GroupCoordinatorConfig;
  readonly #store: GroupStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #newMemberSuffix: () => string;
  readonly #runtime: CoordinatorRuntime<Effects, GroupMachine>;
  /** Per partition loading: markers committed during the load, which may lie past the end the load read to. */
  readonly #loadingCompletions = new Map<number, TxnCompletion[]>();

  constructor(options: GroupCoordinatorOptions) {
    this.config = { ...defaultGroupCoordinatorConfig, ...options.config };
    assert(this.config.offsetsTopicPartitions > 0, 'offsetsTopicPartitions must be positive');
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger();
    this.#newMemberSuffix = options.newMemberSuffix ?? randomUUID;
    this.#runtime = new CoordinatorRuntime<Effects, GroupMachine>({
      clock: this.#clock,
      timers: options.timers ?? realGroupTimers,
      logger: this.#logger,
      name: 'group coordinator',
      expireIntervalMs: this.config.offsetsRetentionCheckIntervalMs,
      carryOut: (partition, slot, effects) => {
        for (const write of effects.writes) void this.#write(partition, slot, write);
      },
    });
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicPartitions);
  }

  loading(partition: number): void {
    this.#runtime.loading(partition);
    this.#loadingCompletions.set(partition, []);
  }

  loaded(partition: number, state: LoadedPartition): void {
    const machine = new GroupMachine({
      config: this.config,
      newMemberSuffix: this.#newMemberSuffix,
      loaded: state,
      nowMs: this.#clock.nowMs(),
    });
    this.#logger.info({ partition, groups: state.groups.size }, 'group coordinator loaded partition');
    const completions = this.#loadingCompletions.get(partition) ?? [];
    this.#loadingCompletions.delete(partition);
    this.#runtime.loaded(partition, machine);
    // A marker the load already read finds nothing left to complete: its commits are before it.
    for (const c of completions) this.completeTransaction(partition, c.producerId, c.result, c.markerOffset);
  }

  /**
   * The transaction-marker hook: `producerId`'s COMMIT or ABORT marker at
   * `markerOffset` of `__consumer_offsets` partition `offsetsPartition` is
   * committed (the high watermark passed it). Its pending transactional
   * commits become committed offsets (commit) or are dropped (abort). A
   * partition still loading applies it once loaded; one not hosted ignores
   * it (its next leader's load reads the marker).
   */
  completeTransaction(offsetsPartition: number, producerId: bigint, result: TxnResult, markerOffset: bigint): void {
    const waiting = this.#loadingCompletions.get(offsetsPartition);
    if (waiting !== undefined) {
      waiting.push({ producerId, result, markerOffset });
      return;
    }
    const slot = this.#runtime.route(offsetsPartition);
    if (typeof slot === 'number') return;
    const effects = slot.machine.completeTransaction(producerId, result, markerOffset, this.#clock.nowMs());
    this.#runtime.apply(offsetsPartition, slot, effects);
  }

  unloaded(partition: number): void {
    this.#loadingCompletions.delete(partition);
    this.#runtime.drop(partition);
  }

  /** Stops the timers; parked requests are answered NOT_COORDINATOR. */
  close(): void {
    this.#runtime.close();
  }
  joinGroup(input: JoinInput): Promise<JoinResult> {
    // KIP-800: the client's own account of why it (re)joins, the first thing to read when a group keeps rebalancing.
    if (input.reason !== undefined && input.reason !== null && input.reason !== '') {
      this.#logger.info(
        { groupId: input.groupId, memberId: input.memberId, reason: input.reason },
        'member joins group',
      );
    }
    const fail = (code: number): JoinResult => joinError(code, input.memberId);
    return this.#call('join', input.groupId, true, fail, (m, t, now) => m.join(t, input, now));
  }

  syncGroup(input: SyncInput): Promise<SyncResult> {
    const fail = (errorCode: number): SyncResult => ({ errorCode, assignment: Buffer.alloc(0) });
    return this.#call('sync', input.groupId, true, fail, (m, t, now) => m.sync(t, input, now));
  }

  heartbeat(input: HeartbeatInput): Promise<number> {
    return this.#call(
      'heartbeat',
      input.groupId,
      true,
      (code) => code,
      (m, t, now) => m.heartbeat(t, input, now),
    );
  }

  leaveGroup(groupId: string, members: readonly MemberIdentity[]): Promise<LeaveResult> {
    for (const m of members) {
      if (m.reason === undefined || m.reason === null || m.reason === '') continue;
      const { memberId, groupInstanceId, reason } = m;
      this.#logger.info({ groupId, memberId, groupInstanceId, reason }, 'member leaves group');
    }
    const fail = (errorCode: number): LeaveResult => ({
      errorCode,
      members: members.map((m) => ({ ...m, errorCode })),
    });
    return this.#call('leave', groupId, true, fail, (m, t, now) => m.leave(t, groupId, members, now));
  }

  commitOffsets(input: CommitInput): Promise<CommitResult> {
    const fail = (errorCode: number): CommitResult => ({
      partitions: input.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })),
    });
    return this.#call('commit', input.groupId, false, fail, (m, t, now) => m.commit(t, input, now));
  }

  /** TxnOffsetCommit: answered once the transactional batch is committed; the offsets stay pending until the marker. */
  txnCommitOffsets(input: TxnCommitInput): Promise<CommitResult> {
    const fail = (errorCode: number): CommitResult => ({
      partitions: input.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })),
    });
    return this.#call('txnCommit', input.groupId, true, fail, (m, t, now) => m.txnCommit(t, input, now));
  }

  deleteOffsets(groupId: string, partitions: readonly TopicPartitionRef[]): Promise<OffsetDeleteResult> {
    const fail = (errorCode: number): OffsetDeleteResult => ({ errorCode, partitions: [] });
    return this.#call('offsetDelete', groupId, false, fail, (m, t, now) => m.offsetDelete(t, groupId, partitions, now));
  }

  deleteGroup(groupId: string): Promise<number> {
    return this.#call(
      'deleteGroup',
      groupId,
      false,
      (code) => code,
      (m, t, now) => m.deleteGroup(t, groupId, now),
    );
  }

  /**
   * OffsetFetch: null partitions means every partition the group committed.
   * `requireStable` (v7): partitions with pending transactional commits answer UNSTABLE_OFFSET_COMMIT.
   */
  fetchOffsets(groupId: string, partitions: readonly TopicPartitionRef[] | null, requireStable = false): FetchResult {
    const routed = this.#route(groupId);
    if (typeof routed === 'number') return { errorCode: routed, offsets: [] };
    return routed.machine.fetch(groupId, partitions, requireStable);
  }

  describeGroup(groupId: string): GroupDescription {
    const routed = this.#route(groupId);
    if (typeof routed !== 'number') return routed.machine.describe(groupId);
    return { errorCode: routed, groupId, exists: false, state: 'Dead', protocolType: '', protocol: '', members: [] };
  }

  /** Groups of every hosted partition; COORDINATOR_LOAD_IN_PROGRESS while any partition is still loading. */
  listGroups(): { errorCode: number; groups: GroupListing[] } {
    const errorCode = this.#runtime.counts().loading > 0 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
    const groups: GroupListing[] = [];
    for (const [, slot] of this.#runtime.loadedSlots()) groups.push(...slot.machine.list());
    return { errorCode, groups };
  }

  /** Committed offsets of the hosted groups: the inputs of lag (per group, per partition). */
  committedOffsets(): CommittedOffset[] {
    const out: CommittedOffset[] = [];
    for (const [, slot] of this.#runtime.loadedSlots()) out.push(...slot.machine.committedOffsets());
    return out;
  }

  /** Runs the offset-retention pass now (it also runs every offsetsRetentionCheckIntervalMs). */
  expire(): void {
    this.#runtime.expire();
  }

  #route(groupId: string): LoadedSlot<GroupMachine> | number {
    return this.#runtime.route(this.partitionFor(groupId));
  }

  #call<K extends ReplyKind>(
    kind: K,
    groupId: string,
    requireGroupId: boolean,
    fail: (errorCode: number) => ReplyByKind[K],
    step: (machine: GroupMachine, ticket: number, nowMs: number) => Effects,
  ): Promise<ReplyByKind[K]> {
    // Membership APIs and TxnOffsetCommit need a real group id; offset and admin APIs accept '' as Kafka does.
    if (requireGroupId && groupId === '') return Promise.resolve(fail(ErrorCode.INVALID_GROUP_ID));
    return this.#runtime.call(kind, this.partitionFor(groupId), fail, step);
  }

  async #write(partition: number, slot: LoadedSlot<GroupMachine>, write: WriteRequest): Promise<void> {
    let result: WriteResult = ok({ baseOffset: null });
    if (write.offsets !== null) {
      result = await this.#store.writeOffsets(write.groupId, write.offsets, write.transaction);
    }
    if (result.ok && write.group !== null) {
      const grouped = await this.#store.writeGroup(write.groupId, write.group.value);
      if (!grouped.ok) result = grouped;
    }
    if (!result.ok) {
      this.#logger.warn({ partition, groupId: write.groupId, error: result.error }, 'group coordinator write failed');
    }
    // The partition moved meanwhile: abandon() already answered everyone waiting on this write.
    if (!this.#runtime.current(partition, slot)) return;
    this.#runtime.apply(partition, slot, slot.machine.written(write.writeId, result, this.#clock.nowMs()));
  }
}
