/**
 * Committed offsets: OffsetCommit (members of the current generation, or
 * "simple" commits of consumers that use assign() while the group has no
 * members), OffsetFetch, OffsetDelete, DeleteGroups and the retention of
 * offsets (KIP-211: a consumer group's offsets expire once it has been
 * Empty for the retention period; a simple group's expire one by one).
 *
 * A commit becomes visible only once its write resolved. Removals check
 * that the cached value is still the one they tombstoned, so a commit that
 * raced a tombstone survives it (it was appended after it).
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { CommitInput, FetchedOffset, FetchResult, TopicPartitionRef } from './group-api.ts';
import { type Group, hasPendingTxn, newGroup, offsetKey, splitOffsetKey, transition } from './group-model.ts';
import { isStaticMemberFenced, touchSession } from './group-rebalance.ts';
import { groupWriteErrorCode, type MachineCore, offsetWriteErrorCode, type WriteResult } from './machine-core.ts';
import type { LoggedOffset, OffsetCommitValue, TopicPartitionOffset } from './types.ts';

export function commit(core: MachineCore, ticket: number, input: CommitInput, nowMs: number): void {
  const all = (errorCode: number): void =>
    core.reply('commit', ticket, {
      partitions: input.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })),
    });
  let group = core.groups.get(input.groupId);
  if (group === undefined) {
    // A group the coordinator never saw: only a simple commit may create it; anything else is from a past
    // generation, which OffsetCommit v9+ reports as the missing group it is (for both group protocols).
    if (input.generationId >= 0) {
      all(input.groupIdNotFound === true ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION);
      return;
    }
    group = newGroup(input.groupId, nowMs);
    core.groups.set(group.groupId, group);
  }
  if (group.state === 'Dead') {
    all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return;
  }
  if (isStaticMemberFenced(group, input.memberId, input.groupInstanceId)) {
    all(ErrorCode.FENCED_INSTANCE_ID);
    return;
  }
  if (!(input.generationId < 0 && group.state === 'Empty')) {
    const member = group.members.get(input.memberId);
    if (member === undefined) {
      all(ErrorCode.UNKNOWN_MEMBER_ID);
      return;
    }
    if (input.generationId !== group.generation) {
      all(ErrorCode.ILLEGAL_GENERATION);
      return;
    }
    // PreparingRebalance still takes commits: members commit what they processed before rejoining.
    if (group.state === 'CompletingRebalance') {
      all(ErrorCode.REBALANCE_IN_PROGRESS);
      return;
    }
    if (member.joinTickets.length === 0 && member.syncTickets.length === 0) touchSession(member, nowMs);
  }
  const { writes, answer } = commitPlan(core, 'commit', ticket, input, nowMs);
  if (writes.length === 0) {
    answer(ErrorCode.NONE);
    return;
  }
  const target = group;
  core.write(target, writes, null, (result) => {
    if (!result.ok) return answer(offsetWriteErrorCode(result.error));
    if (core.groups.get(target.groupId) === target && target.state !== 'Dead') {
      for (const [key, logged] of loggedCommits(writes, result)) keepLater(target.offsets, key, logged);
    }
    answer(ErrorCode.NONE);
  });
}

/**
 * The records a commit request writes (as of `nowMs`) and how to answer it:
 * a partition whose metadata is over offset.metadata.max.bytes fails alone
 * with OFFSET_METADATA_TOO_LARGE; the others get the write's code.
 */
export function commitPlan(
  core: MachineCore,
  kind: 'commit' | 'txnCommit',
  ticket: number,
  input: CommitInput,
  nowMs: number,
): { writes: TopicPartitionOffset[]; answer: (writeCode: number) => void } {
  const commitTimestampMs = BigInt(nowMs);
  const codes = input.offsets.map((o) =>
    (o.metadata?.length ?? 0) > core.config.offsetMetadataBytesMax
      ? ErrorCode.OFFSET_METADATA_TOO_LARGE
      : ErrorCode.NONE,
  );
  const writes: TopicPartitionOffset[] = [];
  input.offsets.forEach((o, i) => {
    if (codes[i] !== ErrorCode.NONE) return;
    const value = { offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata ?? '', commitTimestampMs };
    writes.push({ topic: o.topic, partition: o.partition, value });
  });
  const answer = (writeCode: number): void =>
    core.reply(kind, ticket, {
      partitions: input.offsets.map((o, i) => ({
        topic: o.topic,
        partition: o.partition,
        errorCode: codes[i] === ErrorCode.NONE ? writeCode : (codes[i] ?? writeCode),
      })),
    });
  return { writes, answer };
}

/** The commits of a resolved offsets write, each with the log offset of its record. */
export function loggedCommits(writes: readonly TopicPartitionOffset[], result: WriteResult): Map<string, LoggedOffset> {
  assert(result.ok && result.value.baseOffset !== null, 'a written commit has a log offset');
  const base = result.value.baseOffset;
  const logged = new Map<string, LoggedOffset>();
  writes.forEach((w, i) => {
    if (w.value !== null) logged.set(offsetKey(w.topic, w.partition), { ...w.value, recordOffset: base + BigInt(i) });
  });
  return logged;
}

/** Sets `key` to `logged` unless what is there was written later (log order decides, as on a reload). */
export function keepLater(offsets: Map<string, LoggedOffset>, key: string, logged: LoggedOffset): void {
  const current = offsets.get(key);
  if (current === undefined || current.recordOffset < logged.recordOffset) offsets.set(key, logged);
}

/**
 * OffsetFetch: committed offsets only, never a transaction's pending ones.
 * With `requireStable` (v7, KIP-447) a partition that an open transaction
 * holds a commit for answers UNSTABLE_OFFSET_COMMIT instead (the client
 * retries until the transaction ended).
 */
export function fetch(
  core: MachineCore,
  groupId: string,
  partitions: readonly TopicPartitionRef[] | null,
  requireStable: boolean,
): FetchResult {
  const group = core.groups.get(groupId);
  const offsets = group?.offsets;
  const entry = (topic: string, partition: number, value: OffsetCommitValue | undefined): FetchedOffset => {
    if (requireStable && group !== undefined && hasPendingTxn(group, offsetKey(topic, partition))) {
      return {
        topic,
        partition,
        offset: -1n,
        leaderEpoch: -1,
        metadata: '',
        errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
      };
    }
    return {
      topic,
      partition,
      offset: value?.offset ?? -1n,
      leaderEpoch: value?.leaderEpoch ?? -1,
      metadata: value?.metadata ?? '',
      errorCode: ErrorCode.NONE,
    };
  };
  if (partitions === null) {
    const all = [...(offsets ?? new Map<string, OffsetCommitValue>())].map(([key, value]) => {
      const { topic, partition } = splitOffsetKey(key);
      return entry(topic, partition, value);
    });
    return { errorCode: ErrorCode.NONE, offsets: all };
  }
  return {
    errorCode: ErrorCode.NONE,
    offsets: partitions.map((p) => entry(p.topic, p.partition, offsets?.get(offsetKey(p.topic, p.partition)))),
  };
}

export function offsetDelete(
  core: MachineCore,
  ticket: number,
  groupId: string,
  partitions: readonly TopicPartitionRef[],
): void {
  const group = core.groups.get(groupId);
  if (group === undefined || group.state === 'Dead') {
    core.reply('offsetDelete', ticket, { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, partitions: [] });
    return;
  }
  let subscribed: ReadonlySet<string>;
  if (group.state === 'Empty') subscribed = new Set();
  else if (group.protocolType === 'consumer' && group.subscribedTopics !== null) subscribed = group.subscribedTopics;
  else {
    core.reply('offsetDelete', ticket, { errorCode: ErrorCode.NON_EMPTY_GROUP, partitions: [] });
    return;
  }
  const codes = partitions.map((p) => ({
    ...p,
    errorCode: subscribed.has(p.topic) ? ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC : ErrorCode.NONE,
  }));
  const removed = removals(
    group,
    codes.filter((c) => c.errorCode === ErrorCode.NONE).map((c) => offsetKey(c.topic, c.partition)),
  );
  if (removed.length === 0) {
    core.reply('offsetDelete', ticket, { errorCode: ErrorCode.NONE, partitions: codes });
    return;
  }
  core.write(group, tombstones(removed), null, (result) => {
    if (!result.ok) {
      return core.reply('offsetDelete', ticket, { errorCode: offsetWriteErrorCode(result.error), partitions: [] });
    }
    forget(group, removed, result);
    core.reply('offsetDelete', ticket, { errorCode: ErrorCode.NONE, partitions: codes });
  });
}

export function deleteGroup(core: MachineCore, ticket: number, groupId: string, nowMs: number): void {
  const group = core.groups.get(groupId);
  if (group === undefined || group.state === 'Dead') {
    core.reply('deleteGroup', ticket, ErrorCode.GROUP_ID_NOT_FOUND);
    return;
  }
  if (group.state !== 'Empty') {
    core.reply('deleteGroup', ticket, ErrorCode.NON_EMPTY_GROUP);
    return;
  }
  // Dead while the tombstones are written: joins and commits meanwhile are told to retry. As in Kafka,
  // an open transaction's commits are tombstoned too, so the transaction's end finds nothing of the group.
  const removed = removals(group, [...group.offsets.keys(), ...pendingKeys(group)]);
  transition(group, 'Dead', nowMs);
  const offsets = removed.length > 0 ? tombstones(removed) : null;
  core.write(group, offsets, { value: null }, (result, doneMs) => {
    if (!result.ok) {
      if (group.state === 'Dead') transition(group, 'Empty', doneMs);
      return core.reply('deleteGroup', ticket, groupWriteErrorCode(result.error));
    }
    if (core.groups.get(groupId) === group) core.groups.delete(groupId);
    core.reply('deleteGroup', ticket, ErrorCode.NONE);
  });
}

/** Writes tombstones for the offsets retention has expired, and drops groups left with nothing. */
export function expire(core: MachineCore, nowMs: number): void {
  const retentionMs = core.config.offsetsRetentionMs;
  for (const group of [...core.groups.values()]) {
    if (group.state === 'Dead' || core.writing(group)) continue;
    // A commit an open transaction may replace stays until the transaction ended (Kafka does the same).
    const expired = [...group.offsets].filter(([key, value]) => {
      if (hasPendingTxn(group, key)) return false;
      if (group.state === 'Empty') {
        // A consumer group's offsets live as long as the group was last in use; a simple group's, per commit.
        if (group.protocolType !== null) return group.stateSinceMs + retentionMs <= nowMs;
        return Number(value.commitTimestampMs) + retentionMs <= nowMs;
      }
      // A live consumer group keeps what it subscribes to; commits of topics it dropped age out.
      const topics = group.subscribedTopics;
      if (group.state !== 'Stable' || topics === null) return false;
      return !topics.has(splitOffsetKey(key).topic) && Number(value.commitTimestampMs) + retentionMs <= nowMs;
    });
    if (expired.length === 0) {
      dropIfUnused(core, group, nowMs);
      continue;
    }
    const removed = expired.map(([key]) => key);
    core.write(group, tombstones(removed), null, (result, doneMs) => {
      if (!result.ok) return; // Retried on the next pass.
      forget(group, removed, result);
      dropIfUnused(core, group, doneMs);
    });
  }
}

/** An Empty group with no offsets (committed or pending) and nobody about to join is gone (its tombstone, if it was ever persisted). */
function dropIfUnused(core: MachineCore, group: Group, nowMs: number): void {
  if (group.state !== 'Empty' || group.offsets.size > 0 || group.pendingMembers.size > 0 || core.writing(group)) {
    return;
  }
  if (hasPendingTxn(group)) return;
  if (core.groups.get(group.groupId) !== group) return;
  transition(group, 'Dead', nowMs);
  core.groups.delete(group.groupId);
  if (group.generation > 0) core.write(group, null, { value: null }, () => {});
}

/** The keys of `keys` the group holds a commit of, committed or pending, each once. */
function removals(group: Group, keys: readonly string[]): string[] {
  return [...new Set(keys)].filter((key) => group.offsets.has(key) || hasPendingTxn(group, key));
}

function pendingKeys(group: Group): string[] {
  return [...group.pendingTxn.values()].flatMap((pending) => [...pending.keys()]);
}

function tombstones(keys: readonly string[]): TopicPartitionOffset[] {
  return keys.map((key) => ({ ...splitOffsetKey(key), value: null }));
}

/**
 * Applies written tombstones as a reload would: each deletes the commit of
 * its key and the open transactions' commits of it that were written
 * before it; anything written after it (a commit that raced it) stays.
 */
function forget(group: Group, keys: readonly string[], result: WriteResult): void {
  assert(result.ok && result.value.baseOffset !== null, 'written tombstones have a log offset');
  const base = result.value.baseOffset;
  keys.forEach((key, i) => {
    const at = base + BigInt(i);
    const current = group.offsets.get(key);
    if (current !== undefined && current.recordOffset < at) group.offsets.delete(key);
    for (const [producerId, pending] of group.pendingTxn) {
      const kept = (pending.get(key) ?? []).filter((logged) => logged.recordOffset > at);
      if (kept.length === 0) pending.delete(key);
      else pending.set(key, kept);
      if (pending.size === 0) group.pendingTxn.delete(producerId);
    }
  });
}
