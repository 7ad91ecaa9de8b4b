/**
 * Drives one GroupMachine the way the coordinator does, with time and
 * writes under the test's control: writes resolve at once (ok, or a set
 * failure) unless `holdWrites` parks them for `resolveWrites`.
 */
import { err, ok } from '@runnel/common';
import { encodeSubscription } from '../src/groups/consumer-protocol.ts';
import {
  type CommitInput,
  defaultGroupCoordinatorConfig,
  type GroupCoordinatorConfig,
  type HeartbeatInput,
  type JoinInput,
  type JoinResult,
  type MemberIdentity,
  type SyncInput,
  type TopicPartitionRef,
  type TxnCommitInput,
  type TxnResult,
} from '../src/groups/group-api.ts';
import { GroupMachine } from '../src/groups/group-machine.ts';
import type { Effects, Reply, ReplyByKind, ReplyKind, WriteRequest, WriteResult } from '../src/groups/machine-core.ts';
import type { LoadedPartition, OffsetsWriteError } from '../src/groups/types.ts';

export const testConfig: GroupCoordinatorConfig = { ...defaultGroupCoordinatorConfig, initialRebalanceDelayMs: 0 };

export const sessionMs = 10_000;
export const rebalanceMs = 30_000;

export function joinInput(overrides: Partial<JoinInput> = {}): JoinInput {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: sessionMs,
    rebalanceTimeoutMs: rebalanceMs,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

export class Harness {
  machine: GroupMachine;
  nowMs = 1_700_000_000_000;
  holdWrites = false;
  failWrites: OffsetsWriteError | null = null;
  /** Every write the machine asked for, in order. */
  readonly writes: WriteRequest[] = [];
  readonly held: WriteRequest[] = [];
  /** The partition's log end: writes take offsets in the order they are issued (one per record), as appends do. */
  logEnd = 0n;
  readonly #baseOffsets = new Map<number, bigint>();
  readonly #replies = new Map<number, Reply>();
  #nextTicket = 1;
  #suffix = 0;

  constructor(config: GroupCoordinatorConfig = testConfig, loaded?: LoadedPartition) {
    const options = { config, newMemberSuffix: () => `u${++this.#suffix}`, nowMs: this.nowMs };
    this.machine = new GroupMachine(loaded === undefined ? options : { ...options, loaded });
  }

  apply(effects: Effects): void {
    for (const r of effects.replies) {
      if (this.#replies.has(r.ticket)) throw new Error(`ticket ${r.ticket} answered twice`);
      this.#replies.set(r.ticket, r);
    }
    for (const w of effects.writes) {
      this.writes.push(w);
      this.#baseOffsets.set(w.writeId, this.logEnd);
      this.logEnd += BigInt((w.offsets?.length ?? 0) + (w.group === null ? 0 : 1));
      if (this.holdWrites) this.held.push(w);
      else this.#resolve(w);
    }
  }

  resolveWrites(failure: OffsetsWriteError | null = null): void {
    const held = this.held.splice(0);
    for (const w of held) this.apply(this.machine.written(w.writeId, this.#result(w, failure), this.nowMs));
  }

  /** Resolves one held write (by its position in `held`), leaving the others parked. */
  resolveHeld(index: number, failure: OffsetsWriteError | null = null): void {
    const [w] = this.held.splice(index, 1);
    if (w === undefined) throw new Error(`no held write at ${index}`);
    this.apply(this.machine.written(w.writeId, this.#result(w, failure), this.nowMs));
  }

  #resolve(w: WriteRequest): void {
    this.apply(this.machine.written(w.writeId, this.#result(w, this.failWrites), this.nowMs));
  }

  #result(w: WriteRequest, failure: OffsetsWriteError | null): WriteResult {
    if (failure !== null) return err(failure);
    return ok({ baseOffset: w.offsets === null ? null : (this.#baseOffsets.get(w.writeId) ?? -1n) });
  }

  /**
   * Completes `producerId`'s transaction with its marker at `markerOffset`
   * (appended at the log end unless the test placed it earlier); returns it.
   */
  endTxn(producerId: bigint, result: TxnResult, markerOffset = this.logEnd++): bigint {
    this.apply(this.machine.completeTransaction(producerId, result, markerOffset, this.nowMs));
    return markerOffset;
  }

  /** The answer to a ticket, or undefined while it is parked. */
  answer<K extends ReplyKind>(kind: K, ticket: number): ReplyByKind[K] | undefined {
    const r = this.#replies.get(ticket);
    if (r === undefined) return undefined;
    if (r.kind !== kind) throw new Error(`ticket ${ticket} answered as ${r.kind}, not ${kind}`);
    return r.result as ReplyByKind[K];
  }

  /** The answer, which must have arrived. */
  got<K extends ReplyKind>(kind: K, ticket: number): ReplyByKind[K] {
    const a = this.answer(kind, ticket);
    if (a === undefined) throw new Error(`ticket ${ticket} (${kind}) is still parked`);
    return a;
  }

  advance(ms: number): void {
    this.nowMs += ms;
    this.apply(this.machine.tick(this.nowMs));
  }

  join(overrides: Partial<JoinInput> = {}): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.join(ticket, joinInput(overrides), this.nowMs));
    return ticket;
  }

  sync(input: Partial<SyncInput> & Pick<SyncInput, 'memberId' | 'generationId'>): number {
    const ticket = this.#nextTicket++;
    const full: SyncInput = { groupId: 'g', groupInstanceId: null, assignments: [], ...input };
    this.apply(this.machine.sync(ticket, full, this.nowMs));
    return ticket;
  }

  heartbeat(input: Partial<HeartbeatInput> & Pick<HeartbeatInput, 'memberId' | 'generationId'>): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.heartbeat(ticket, { groupId: 'g', groupInstanceId: null, ...input }, this.nowMs));
    return this.got('heartbeat', ticket);
  }

  leave(members: readonly MemberIdentity[], groupId = 'g'): ReplyByKind['leave'] {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.leave(ticket, groupId, members, this.nowMs));
    return this.got('leave', ticket);
  }

  commit(input: Partial<CommitInput> & Pick<CommitInput, 'memberId' | 'generationId'>): number {
    const ticket = this.#nextTicket++;
    const full: CommitInput = {
      groupId: 'g',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 42n, leaderEpoch: 3, metadata: 'm' }],
      ...input,
    };
    this.apply(this.machine.commit(ticket, full, this.nowMs));
    return ticket;
  }

  /** A TxnOffsetCommit of producer 7 (epoch 0) as v0–2 send it, unless overridden; returns the ticket. */
  txnCommit(input: Partial<TxnCommitInput> = {}): number {
    const ticket = this.#nextTicket++;
    const full: TxnCommitInput = {
      groupId: 'g',
      transactionalId: 'tx',
      producerId: 7n,
      producerEpoch: 0,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: [{ topic: 't', partition: 0, offset: 100n, leaderEpoch: -1, metadata: null }],
      ...input,
    };
    this.apply(this.machine.txnCommit(ticket, full, this.nowMs));
    return ticket;
  }

  commitCodes(input: Partial<CommitInput> & Pick<CommitInput, 'memberId' | 'generationId'>): number[] {
    return this.got('commit', this.commit(input)).partitions.map((p) => p.errorCode);
  }

  offsetDelete(partitions: readonly TopicPartitionRef[], groupId = 'g'): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.offsetDelete(ticket, groupId, partitions, this.nowMs));
    return ticket;
  }

  deleteGroup(groupId = 'g'): number {
    const ticket = this.#nextTicket++;
    this.apply(this.machine.deleteGroup(ticket, groupId, this.nowMs));
    return ticket;
  }

  expire(): void {
    this.apply(this.machine.expire(this.nowMs));
  }

  fetched(groupId = 'g', partitions: readonly TopicPartitionRef[] | null = [{ topic: 't', partition: 0 }]): bigint[] {
    return this.machine.fetch(groupId, partitions).offsets.map((o) => o.offset);
  }

  state(groupId = 'g'): string {
    return this.machine.describe(groupId).state;
  }

  /** Joins one member into a stable group alone (generation 1 for a new group). */
  stableSingle(overrides: Partial<JoinInput> = {}): JoinResult {
    const joined = this.got('join', this.join(overrides));
    this.got(
      'sync',
      this.sync({
        memberId: joined.memberId,
        generationId: joined.generationId,
        assignments: [{ memberId: joined.memberId, assignment: Buffer.from('a-all') }],
      }),
    );
    return joined;
  }
}
