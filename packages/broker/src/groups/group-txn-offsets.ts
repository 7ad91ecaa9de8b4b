/**
 * Transactional offset commits (KIP-98 TxnOffsetCommit, KIP-447 fencing):
 * a producer's commits for a group are written to the group's
 * `__consumer_offsets` partition as a transactional batch of that producer,
 * and stay pending — invisible to OffsetFetch, not counted as committed —
 * until the transaction's marker on that partition ends them: COMMIT makes
 * each the committed offset unless a commit written later is there (log
 * order, Kafka's rule), ABORT drops them.
 *
 * Completions come from the broker once a marker is committed, with the
 * marker's log offset: only commits written before the marker belong to the
 * transaction it ends. A commit write of that producer still resolving when
 * its marker's completion arrives (two promise chains finishing on one
 * high-watermark move) is completed when it resolves, so it can never be
 * left pending.
 */
import { ErrorCode } from '@runnel/protocol';
import type { TxnCommitInput, TxnResult } from './group-api.ts';
import { type Group, newGroup } from './group-model.ts';
import { commitPlan, keepLater, loggedCommits } from './group-offsets.ts';
import { isStaticMemberFenced } from './group-rebalance.ts';
import { type MachineCore, offsetWriteErrorCode, type WriteResult } from './machine-core.ts';
import type { LoggedOffset } from './types.ts';

/** A marker that arrived while commit writes of its producer were still resolving. */
interface LateMarker {
  readonly result: TxnResult;
  readonly markerOffset: bigint;
}

/** Per machine: commit writes in flight per producer, and the markers they may have missed, in log order. */
export class TxnWrites {
  readonly #inFlight = new Map<bigint, number>();
  readonly #lateMarkers = new Map<bigint, LateMarker[]>();

  started(producerId: bigint): void {
    this.#inFlight.set(producerId, (this.#inFlight.get(producerId) ?? 0) + 1);
  }

  /** The markers reported while the producer's writes were in flight, for the one that just resolved. */
  finished(producerId: bigint): readonly LateMarker[] {
    const left = (this.#inFlight.get(producerId) ?? 1) - 1;
    const late = this.#lateMarkers.get(producerId) ?? [];
    if (left > 0) this.#inFlight.set(producerId, left);
    else {
      this.#inFlight.delete(producerId);
      this.#lateMarkers.delete(producerId);
    }
    return late;
  }

  marked(producerId: bigint, marker: LateMarker): void {
    if (!this.#inFlight.has(producerId)) return;
    const late = this.#lateMarkers.get(producerId);
    if (late === undefined) this.#lateMarkers.set(producerId, [marker]);
    else late.push(marker);
  }
}

export function txnCommit(
  core: MachineCore,
  txnWrites: TxnWrites,
  ticket: number,
  input: TxnCommitInput,
  nowMs: number,
): void {
  const all = (errorCode: number): void =>
    core.reply('txnCommit', ticket, {
      partitions: input.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })),
    });
  // A group the coordinator never saw is created, as Kafka does, once a commit is to be written (not on a refusal).
  const known = core.groups.get(input.groupId);
  const group = known ?? newGroup(input.groupId, nowMs);
  const refusal = memberRefusal(group, input);
  if (refusal !== null) {
    all(refusal);
    return;
  }
  const { writes, answer } = commitPlan(core, 'txnCommit', ticket, input, nowMs);
  if (writes.length === 0) {
    answer(ErrorCode.NONE);
    return;
  }
  if (known === undefined) core.groups.set(group.groupId, group);
  const { producerId, producerEpoch } = input;
  txnWrites.started(producerId);
  const done = (result: WriteResult): void => {
    const late = txnWrites.finished(producerId);
    if (!result.ok) {
      answer(offsetWriteErrorCode(result.error));
      return;
    }
    if (core.groups.get(group.groupId) === group && group.state !== 'Dead') {
      const logged = loggedCommits(writes, result);
      // One batch: its records lie on the same side of every marker, so its first record decides.
      const firstOffset = logged.values().next().value?.recordOffset ?? -1n;
      const endedBy = late.find((marker) => firstOffset < marker.markerOffset);
      if (endedBy !== undefined) complete(group, logged, endedBy.result);
      else addPending(group, producerId, logged);
    }
    answer(ErrorCode.NONE);
  };
  core.write(group, writes, null, done, { producerId, producerEpoch });
}

/**
 * Kafka's checks of a transactional commit against the group: a Dead group
 * is being deleted; generation -1 on an Empty group is a producer that is
 * not a group member (all v0–2 requests); otherwise a given member id must
 * be a member and a given generation the current one. Unlike OffsetCommit,
 * a rebalance in progress does not refuse it: the transaction holds it.
 */
function memberRefusal(group: Group, input: TxnCommitInput): number | null {
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (input.generationId < 0 && group.state === 'Empty') return null;
  if (isStaticMemberFenced(group, input.memberId, input.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
  if (input.memberId !== '' && !group.members.has(input.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (input.generationId >= 0 && input.generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
  return null;
}

function addPending(group: Group, producerId: bigint, logged: ReadonlyMap<string, LoggedOffset>): void {
  let pending = group.pendingTxn.get(producerId);
  if (pending === undefined) {
    pending = new Map();
    group.pendingTxn.set(producerId, pending);
  }
  for (const [key, value] of logged) {
    const held = pending.get(key);
    if (held === undefined) pending.set(key, [value]);
    else held.push(value);
  }
}

function complete(group: Group, offsets: Iterable<[string, LoggedOffset]>, result: TxnResult): void {
  if (result === 'abort') return;
  for (const [key, logged] of offsets) keepLater(group.offsets, key, logged);
}

/**
 * The marker at `markerOffset` ended `producerId`'s transaction: its
 * pending commits written before the marker are committed or dropped, in
 * every group of this partition.
 */
export function completeTransaction(
  core: MachineCore,
  txnWrites: TxnWrites,
  producerId: bigint,
  result: TxnResult,
  markerOffset: bigint,
): void {
  txnWrites.marked(producerId, { result, markerOffset });
  for (const group of core.groups.values()) {
    const pending = group.pendingTxn.get(producerId);
    if (pending === undefined) continue;
    const ended: [string, LoggedOffset][] = [];
    for (const [key, held] of pending) {
      const later = held.filter((logged) => logged.recordOffset > markerOffset);
      for (const logged of held) if (logged.recordOffset < markerOffset) ended.push([key, logged]);
      if (later.length === 0) pending.delete(key);
      else pending.set(key, later);
    }
    if (pending.size === 0) group.pendingTxn.delete(producerId);
    complete(group, ended, result);
  }
}
