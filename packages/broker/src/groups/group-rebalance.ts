/**
 * The rebalance cycle of a classic group, as Kafka runs it:
 * Empty/Stable/CompletingRebalance → PreparingRebalance (members rejoin;
 * the phase ends when all known members rejoined or the largest rebalance
 * timeout passed, or after the initial delay for a group's first members)
 * → CompletingRebalance (new generation, protocol chosen; members sync) →
 * Stable (leader's assignment persisted), or Empty when nobody rejoined.
 * Also the deadlines that drive it: session expiry, pending member ids,
 * members that never sync.
 */
import { ErrorCode } from '@runnel/protocol';
import type { JoinResult, SyncResult } from './group-api.ts';
import {
  type Group,
  joinMembers,
  type Member,
  metadataValue,
  refreshSubscribedTopics,
  selectProtocol,
  transition,
} from './group-model.ts';
import type { MachineCore } from './machine-core.ts';

const emptyBuffer = Buffer.alloc(0);

export function joinError(errorCode: number, memberId: string): JoinResult {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] };
}

/** The answer to a member of the current generation: the leader also gets the members. */
export function currentGeneration(group: Group, memberId: string): JoinResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generation,
    protocolType: group.protocolType ?? '',
    protocolName: group.protocol ?? '',
    leader: group.leader ?? '',
    memberId,
    members: memberId === group.leader ? joinMembers(group) : [],
  };
}

/** A successful SyncGroup answer: the member's assignment and the group's protocol (SyncGroup v5+). */
export function syncAnswer(group: Group, assignment: Buffer): SyncResult {
  return {
    errorCode: ErrorCode.NONE,
    assignment,
    protocolType: group.protocolType ?? '',
    protocolName: group.protocol ?? '',
  };
}

export function isStaticMemberFenced(group: Group, memberId: string, groupInstanceId: string | null): boolean {
  if (groupInstanceId === null) return false;
  const current = group.staticMembers.get(groupInstanceId);
  return current !== undefined && current !== memberId;
}

export function touchSession(member: Member, nowMs: number): void {
  member.sessionDeadlineMs = nowMs + member.sessionTimeoutMs;
}

function rebalanceTimeoutMs(group: Group): number {
  let max = 0;
  for (const m of group.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
  return max;
}

/** Starts a rebalance unless one is under way, in which case a join may now complete it. */
export function maybePrepareRebalance(core: MachineCore, group: Group, nowMs: number): void {
  if (group.state === 'PreparingRebalance') tryCompleteJoin(core, group, nowMs);
  else if (group.state !== 'Dead') prepareRebalance(core, group, nowMs);
}

export function prepareRebalance(core: MachineCore, group: Group, nowMs: number): void {
  if (group.state === 'CompletingRebalance') failParkedSyncs(core, group, ErrorCode.REBALANCE_IN_PROGRESS);
  group.pendingSync.clear();
  group.syncDeadlineMs = null;
  group.assigning = false;
  const timeoutMs = rebalanceTimeoutMs(group);
  if (group.state === 'Empty') {
    // A new group waits for more members before its first generation, so they land in one rebalance.
    const delayMs = core.config.initialRebalanceDelayMs;
    group.initialDelay = { remainingMs: Math.max(timeoutMs - delayMs, 0), newMemberAdded: false };
    group.joinDeadlineMs = nowMs + delayMs;
  } else {
    group.initialDelay = null;
    group.joinDeadlineMs = nowMs + timeoutMs;
  }
  transition(group, 'PreparingRebalance', nowMs);
  tryCompleteJoin(core, group, nowMs);
}

/** Ends the join phase early once every known member rejoined (not during the initial delay). */
export function tryCompleteJoin(core: MachineCore, group: Group, nowMs: number): void {
  if (group.state !== 'PreparingRebalance' || group.initialDelay !== null) return;
  if (group.pendingMembers.size > 0) return;
  for (const m of group.members.values()) if (m.joinTickets.length === 0) return;
  completeJoin(core, group, nowMs);
}

function completeJoin(core: MachineCore, group: Group, nowMs: number): void {
  for (const m of [...group.members.values()]) if (m.joinTickets.length === 0) dropMember(core, group, m);
  group.joinDeadlineMs = null;
  group.initialDelay = null;
  group.generation++;
  if (group.members.size === 0) {
    group.protocol = null;
    group.leader = null;
    group.subscribedTopics = null;
    transition(group, 'Empty', nowMs);
    // Best effort, as Kafka: the empty generation is persisted so a new coordinator does not resurrect members.
    core.write(group, null, { value: metadataValue(group) }, () => {});
    return;
  }
  if (group.leader === null || !group.members.has(group.leader))
    group.leader = group.members.keys().next().value ?? null;
  group.protocol = selectProtocol(group);
  refreshSubscribedTopics(group);
  transition(group, 'CompletingRebalance', nowMs);
  for (const m of group.members.values()) {
    const tickets = m.joinTickets;
    m.joinTickets = [];
    touchSession(m, nowMs);
    group.pendingSync.add(m.memberId);
    for (const ticket of tickets) core.reply('join', ticket, currentGeneration(group, m.memberId));
  }
  group.syncDeadlineMs = nowMs + rebalanceTimeoutMs(group);
}

/** Answers every parked SyncGroup with `errorCode` and forgets the assignments (Kafka's resetAndPropagateAssignmentError). */
export function failParkedSyncs(core: MachineCore, group: Group, errorCode: number): void {
  for (const m of group.members.values()) {
    m.assignment = emptyBuffer;
    const tickets = m.syncTickets;
    m.syncTickets = [];
    for (const ticket of tickets) core.reply('sync', ticket, { errorCode, assignment: emptyBuffer });
  }
}

/** Hands each parked SyncGroup its member's assignment; the group is Stable. */
export function completeSync(
  core: MachineCore,
  group: Group,
  assignments: ReadonlyMap<string, Buffer>,
  nowMs: number,
): void {
  for (const m of group.members.values()) {
    m.assignment = assignments.get(m.memberId) ?? emptyBuffer;
    const tickets = m.syncTickets;
    m.syncTickets = [];
    // A member parked on SyncGroup could not heartbeat: its session starts afresh.
    if (tickets.length > 0) touchSession(m, nowMs);
    for (const ticket of tickets) core.reply('sync', ticket, syncAnswer(group, m.assignment));
  }
  group.pendingSync.clear();
  group.syncDeadlineMs = null;
  group.assigning = false;
  transition(group, 'Stable', nowMs);
}

/** Removes a member without touching the group's state; its parked requests learn it is gone. */
function dropMember(core: MachineCore, group: Group, member: Member): void {
  for (const ticket of member.joinTickets)
    core.reply('join', ticket, joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
  for (const ticket of member.syncTickets) {
    core.reply('sync', ticket, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: emptyBuffer });
  }
  member.joinTickets = [];
  member.syncTickets = [];
  group.members.delete(member.memberId);
  group.pendingSync.delete(member.memberId);
  if (member.groupInstanceId !== null && group.staticMembers.get(member.groupInstanceId) === member.memberId) {
    group.staticMembers.delete(member.groupInstanceId);
  }
  if (group.leader === member.memberId) group.leader = group.members.keys().next().value ?? null;
}

/** A member left or expired: the others must rebalance without it. */
export function removeMember(core: MachineCore, group: Group, member: Member, nowMs: number): void {
  dropMember(core, group, member);
  if (group.state === 'Stable' || group.state === 'CompletingRebalance') prepareRebalance(core, group, nowMs);
  else tryCompleteJoin(core, group, nowMs);
}

/** Runs every deadline of the group that has passed by `nowMs`. */
export function runDeadlines(core: MachineCore, group: Group, nowMs: number): void {
  for (const [memberId, deadlineMs] of group.pendingMembers) {
    if (deadlineMs > nowMs) continue;
    group.pendingMembers.delete(memberId);
    tryCompleteJoin(core, group, nowMs);
  }
  for (const m of [...group.members.values()]) {
    if (!group.members.has(m.memberId) || m.joinTickets.length > 0 || m.syncTickets.length > 0) continue;
    if (m.sessionDeadlineMs <= nowMs) removeMember(core, group, m, nowMs);
  }
  if (group.state === 'PreparingRebalance' && group.joinDeadlineMs !== null && group.joinDeadlineMs <= nowMs) {
    const delay = group.initialDelay;
    if (delay?.newMemberAdded && delay.remainingMs > 0) {
      // Members are still arriving: wait another step, within the rebalance timeout.
      const stepMs = Math.min(core.config.initialRebalanceDelayMs, delay.remainingMs);
      group.initialDelay = { remainingMs: delay.remainingMs - stepMs, newMemberAdded: false };
      group.joinDeadlineMs = nowMs + stepMs;
    } else {
      completeJoin(core, group, nowMs);
    }
  }
  if (group.state === 'CompletingRebalance' && group.syncDeadlineMs !== null && group.syncDeadlineMs <= nowMs) {
    // Members that never synced (often the leader) hold the group up: drop them and rebalance.
    for (const memberId of [...group.pendingSync]) {
      const m = group.members.get(memberId);
      if (m !== undefined) dropMember(core, group, m);
    }
    prepareRebalance(core, group, nowMs);
  }
}

/** The earliest deadline of the group, or null when nothing is timed. */
export function nextDeadlineMs(group: Group): number | null {
  let next = Number.POSITIVE_INFINITY;
  for (const deadlineMs of group.pendingMembers.values()) next = Math.min(next, deadlineMs);
  for (const m of group.members.values()) {
    if (m.joinTickets.length === 0 && m.syncTickets.length === 0) next = Math.min(next, m.sessionDeadlineMs);
  }
  if (group.state === 'PreparingRebalance' && group.joinDeadlineMs !== null)
    next = Math.min(next, group.joinDeadlineMs);
  if (group.state === 'CompletingRebalance' && group.syncDeadlineMs !== null)
    next = Math.min(next, group.syncDeadlineMs);
  return next === Number.POSITIVE_INFINITY ? null : next;
}
