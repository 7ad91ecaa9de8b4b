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

type Slot =
  /** `completions`: markers committed during the load, which may lie past the end the load read to. */
  | { readonly kind: 'loading'; readonly completions: TxnCompletion[] }
  | { readonly kind: 'loaded'; readonly machine: GroupMachine; cancel: () => void };

interface Parked {
  readonly kind: ReplyKind;
  readonly resolve: (result: never) => void;
}

const noTimer = (): void => {};

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
  readonly #timers: GroupTimers;
  readonly #logger: Logger;
  readonly #newMemberSuffix: () => string;
  readonly #slots = new Map<number, Slot>();
  readonly #parked = new Map<number, Parked>();
  #nextTicket = 1;
  #cancelExpiry: () => void = noTimer;
  #closed = false;

  constructor(options: GroupCoordinatorOptions) {
    this.config = { ...defaultGroupCoordinatorConfig, ...options.config };
    assert(this.config.offsetsTopicPartitions > 0, 'offsetsTopicPartitions must be positive');
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? realGroupTimers;
    this.#logger = options.logger ?? silentLogger();
    this.#newMemberSuffix = options.newMemberSuffix ?? randomUUID;
    this.#scheduleExpiry();
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicPartitions);
  }

  loading(partition: number): void {
    this.#drop(partition);
    this.#slots.set(partition, { kind: 'loading', completions: [] });
  }

  loaded(partition: number, state: LoadedPartition): void {
    const before = this.#slots.get(partition);
    const completions = before?.kind === 'loading' ? before.completions : [];
    this.#drop(partition);
    const machine = new GroupMachine({
      config: this.config,
      newMemberSuffix: this.#newMemberSuffix,
      loaded: state,
      nowMs: this.#clock.nowMs(),
    });
    const slot: Slot = { kind: 'loaded', machine, cancel: noTimer };
    this.#slots.set(partition, slot);
    this.#logger.info({ partition, groups: state.groups.size }, 'group coordinator loaded partition');
    this.#rearm(partition, slot);
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
    const slot = this.#slots.get(offsetsPartition);
    if (slot === undefined) return;
    if (slot.kind === 'loading') {
      slot.completions.push({ producerId, result, markerOffset });
      return;
    }
    const effects = slot.machine.completeTransaction(producerId, result, markerOffset, this.#clock.nowMs());
    this.#apply(offsetsPartition, slot, effects);
  }

  unloaded(partition: number): void {
    this.#drop(partition);
  }

  /** Stops the timers; parked requests are answered NOT_COORDINATOR. */
  close(): void {
    this.#closed = true;
    this.#cancelExpiry();
    for (const partition of [...this.#slots.keys()]) this.#drop(partition);
  }

  joinGroup(input: JoinInput): Promise<JoinResult> {
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
    const routed = this.#route(groupId, false);
    if (typeof routed === 'number') return { errorCode: routed, offsets: [] };
    return routed.slot.machine.fetch(groupId, partitions, requireStable);
  }

  describeGroup(groupId: string): GroupDescription {
    const routed = this.#route(groupId, false);
    if (typeof routed !== 'number') return routed.slot.machine.describe(groupId);
    return { errorCode: routed, groupId, state: 'Dead', protocolType: '', protocol: '', members: [] };
  }

  /** Groups of every hosted partition; COORDINATOR_LOAD_IN_PROGRESS while any partition is still loading. */
  listGroups(): { errorCode: number; groups: GroupListing[] } {
    let errorCode: number = ErrorCode.NONE;
    const groups: GroupListing[] = [];
    for (const slot of this.#slots.values()) {
      if (slot.kind === 'loading') errorCode = ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
      else groups.push(...slot.machine.list());
    }
    return { errorCode, groups };
  }

  /** Committed offsets of the hosted groups: the inputs of lag (per group, per partition). */
  committedOffsets(): CommittedOffset[] {
    const out: CommittedOffset[] = [];
    for (const slot of this.#slots.values()) if (slot.kind === 'loaded') out.push(...slot.machine.committedOffsets());
    return out;
  }

  /** Runs the offset-retention pass now (it also runs every offsetsRetentionCheckIntervalMs). */
  expire(): void {
    const now = this.#clock.nowMs();
    for (const [partition, slot] of this.#slots) {
      if (slot.kind === 'loaded') this.#apply(partition, slot, slot.machine.expire(now));
    }
  }

  #route(groupId: string, requireGroupId: boolean): { partition: number; slot: Slot & { kind: 'loaded' } } | number {
    // Membership APIs and TxnOffsetCommit need a real group id; offset and admin APIs accept '' as Kafka does.
    if (requireGroupId && groupId === '') return ErrorCode.INVALID_GROUP_ID;
    if (this.#closed) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const partition = this.partitionFor(groupId);
    const slot = this.#slots.get(partition);
    if (slot === undefined) return ErrorCode.NOT_COORDINATOR;
    if (slot.kind === 'loading') return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return { partition, slot };
  }

  #call<K extends ReplyKind>(
    kind: K,
    groupId: string,
    requireGroupId: boolean,
    fail: (errorCode: number) => ReplyByKind[K],
    step: (machine: GroupMachine, ticket: number, nowMs: number) => Effects,
  ): Promise<ReplyByKind[K]> {
    const routed = this.#route(groupId, requireGroupId);
    if (typeof routed === 'number') return Promise.resolve(fail(routed));
    const ticket = this.#nextTicket++;
    const answer = new Promise<ReplyByKind[K]>((resolve) => {
      this.#parked.set(ticket, { kind, resolve });
    });
    this.#apply(routed.partition, routed.slot, step(routed.slot.machine, ticket, this.#clock.nowMs()));
    return answer;
  }

  #apply(partition: number, slot: Slot & { kind: 'loaded' }, effects: Effects): void {
    for (const reply of effects.replies) {
      const parked = this.#parked.get(reply.ticket);
      assert(
        parked !== undefined && parked.kind === reply.kind,
        `reply ${reply.kind} for unknown ticket ${reply.ticket}`,
      );
      this.#parked.delete(reply.ticket);
      (parked.resolve as (result: unknown) => void)(reply.result);
    }
    for (const write of effects.writes) void this.#write(partition, slot, write);
    this.#rearm(partition, slot);
  }

  async #write(partition: number, slot: Slot & { kind: 'loaded' }, write: WriteRequest): Promise<void> {
    let result: WriteResult = ok({ baseOffset: null });
    if (write.offsets !== null)
      result = await this.#store.writeOffsets(write.groupId, write.offsets, write.transaction);
    if (result.ok && write.group !== null) {
      const grouped = await this.#store.writeGroup(write.groupId, write.group.value);
      if (!grouped.ok) result = grouped;
    }
    if (!result.ok) {
      this.#logger.warn({ partition, groupId: write.groupId, error: result.error }, 'group coordinator write failed');
    }
    // The partition moved meanwhile: abandon() already answered everyone waiting on this write.
    if (this.#slots.get(partition) !== slot) return;
    this.#apply(partition, slot, slot.machine.written(write.writeId, result, this.#clock.nowMs()));
  }

  #rearm(partition: number, slot: Slot & { kind: 'loaded' }): void {
    slot.cancel();
    slot.cancel = noTimer;
    const deadlineMs = slot.machine.nextDeadlineMs();
    if (deadlineMs === null) return;
    slot.cancel = this.#timers.schedule(deadlineMs - this.#clock.nowMs(), () => {
      slot.cancel = noTimer;
      if (this.#slots.get(partition) !== slot) return;
      this.#apply(partition, slot, slot.machine.tick(this.#clock.nowMs()));
    });
  }

  #drop(partition: number): void {
    const slot = this.#slots.get(partition);
    this.#slots.delete(partition);
    if (slot?.kind !== 'loaded') return;
    slot.cancel();
    const effects = slot.machine.abandon(this.#clock.nowMs());
    for (const reply of effects.replies) {
      const parked = this.#parked.get(reply.ticket);
      if (parked === undefined) continue;
      this.#parked.delete(reply.ticket);
      (parked.resolve as (result: unknown) => void)(reply.result);
    }
    this.#logger.info({ partition }, 'group coordinator unloaded partition');
  }

  #scheduleExpiry(): void {
    this.#cancelExpiry = this.#timers.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      if (this.#closed) return;
      this.expire();
      this.#scheduleExpiry();
    });
  }
}
