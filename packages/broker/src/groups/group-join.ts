/**
 * JoinGroup: new members get an id (and, from v4, must come back with it:
 * KIP-394), known members rejoin or get their current generation back,
 * static members (KIP-345) replace their previous incarnation, without a
 * rebalance when nothing they subscribe to changed.
 */
import { assert } from '@runnel/common';
import { ErrorCode } from '@runnel/protocol';
import type { JoinInput } from './group-api.ts';
import { type Group, type Member, metadataValue, newGroup, sameProtocols, supportsProtocols } from './group-model.ts';
import {
  currentGeneration,
  isStaticMemberFenced,
  joinError,
  maybePrepareRebalance,
  touchSession,
} from './group-rebalance.ts';
import { groupWriteErrorCode, type MachineCore } from './machine-core.ts';

export function join(core: MachineCore, ticket: number, input: JoinInput, nowMs: number): void {
  const fail = (code: number): void => core.reply('join', ticket, joinError(code, input.memberId));
  if (input.groupId === '') {
    fail(ErrorCode.INVALID_GROUP_ID);
    return;
  }
  const { sessionTimeoutMsMin, sessionTimeoutMsMax } = core.config;
  if (input.sessionTimeoutMs < sessionTimeoutMsMin || input.sessionTimeoutMs > sessionTimeoutMsMax) {
    fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    return;
  }
  let group = core.groups.get(input.groupId);
  if (input.memberId === '') {
    if (group === undefined) {
      group = newGroup(input.groupId, nowMs);
      core.groups.set(group.groupId, group);
    }
    joinNewMember(core, group, ticket, input, nowMs);
  } else {
    if (group === undefined) {
      fail(ErrorCode.UNKNOWN_MEMBER_ID);
      return;
    }
    joinKnownMember(core, group, ticket, input, nowMs);
  }
}

function joinNewMember(core: MachineCore, group: Group, ticket: number, input: JoinInput, nowMs: number): void {
  const fail = (code: number): void => core.reply('join', ticket, joinError(code, ''));
  if (group.state === 'Dead') {
    fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return;
  }
  if (!supportsProtocols(group, input.protocolType, input.protocols)) {
    fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    return;
  }
  const knownInstance = input.groupInstanceId !== null ? group.staticMembers.get(input.groupInstanceId) : undefined;
  const max = core.config.groupSizeMax;
  if (knownInstance === undefined && max !== null && group.members.size + group.pendingMembers.size >= max) {
    fail(ErrorCode.GROUP_MAX_SIZE_REACHED);
    return;
  }
  const memberId = `${input.groupInstanceId ?? input.clientId}-${core.newMemberSuffix()}`;
  if (knownInstance !== undefined) {
    replaceStaticMember(core, group, knownInstance, memberId, ticket, input, nowMs);
  } else if (input.groupInstanceId === null && input.requireKnownMemberId) {
    // The member must retry with this id, so a client that never sees the answer leaves no member behind.
    group.pendingMembers.set(memberId, nowMs + input.sessionTimeoutMs);
    core.reply('join', ticket, joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
  } else {
    addMemberAndRebalance(core, group, memberId, ticket, input, nowMs);
  }
}

function joinKnownMember(core: MachineCore, group: Group, ticket: number, input: JoinInput, nowMs: number): void {
  const fail = (code: number): void => core.reply('join', ticket, joinError(code, input.memberId));
  if (group.state === 'Dead') {
    fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return;
  }
  if (!supportsProtocols(group, input.protocolType, input.protocols)) {
    fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    return;
  }
  if (group.pendingMembers.has(input.memberId)) {
    addMemberAndRebalance(core, group, input.memberId, ticket, input, nowMs);
    return;
  }
  if (isStaticMemberFenced(group, input.memberId, input.groupInstanceId)) {
    fail(ErrorCode.FENCED_INSTANCE_ID);
    return;
  }
  const member = group.members.get(input.memberId);
  if (member === undefined) {
    fail(ErrorCode.UNKNOWN_MEMBER_ID);
    return;
  }
  const unchanged = sameProtocols(member.protocols, input.protocols);
  switch (group.state) {
    case 'PreparingRebalance':
      updateMemberAndRebalance(core, group, member, ticket, input, nowMs);
      return;
    case 'CompletingRebalance':
      // A retried JoinGroup whose answer was lost: same answer again, unless the member changed.
      if (!unchanged) {
        updateMemberAndRebalance(core, group, member, ticket, input, nowMs);
        return;
      }
      touchSession(member, nowMs);
      core.reply('join', ticket, currentGeneration(group, member.memberId));
      return;
    case 'Stable':
      // The leader rejoining means it wants a new assignment (e.g. metadata changed), so it always rebalances.
      if (!unchanged || member.memberId === group.leader) {
        updateMemberAndRebalance(core, group, member, ticket, input, nowMs);
        return;
      }
      touchSession(member, nowMs);
      core.reply('join', ticket, currentGeneration(group, member.memberId));
      return;
    case 'Empty':
      fail(ErrorCode.UNKNOWN_MEMBER_ID);
      return;
  }
}

function addMemberAndRebalance(
  core: MachineCore,
  group: Group,
  memberId: string,
  ticket: number,
  input: JoinInput,
  nowMs: number,
): void {
  if (group.members.size === 0) group.protocolType = input.protocolType;
  const member: Member = {
    memberId,
    groupInstanceId: input.groupInstanceId,
    clientId: input.clientId,
    clientHost: input.clientHost,
    rebalanceTimeoutMs: input.rebalanceTimeoutMs,
    sessionTimeoutMs: input.sessionTimeoutMs,
    protocols: input.protocols,
    assignment: Buffer.alloc(0),
    joinTickets: [ticket],
    syncTickets: [],
    sessionDeadlineMs: nowMs + input.sessionTimeoutMs,
  };
  group.members.set(memberId, member);
  group.pendingMembers.delete(memberId);
  if (group.leader === null) group.leader = memberId;
  if (input.groupInstanceId !== null) group.staticMembers.set(input.groupInstanceId, memberId);
  if (group.state === 'PreparingRebalance' && group.initialDelay !== null) group.initialDelay.newMemberAdded = true;
  maybePrepareRebalance(core, group, nowMs);
}

function updateMemberAndRebalance(
  core: MachineCore,
  group: Group,
  member: Member,
  ticket: number,
  input: JoinInput,
  nowMs: number,
): void {
  member.protocols = input.protocols;
  member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
  member.sessionTimeoutMs = input.sessionTimeoutMs;
  member.joinTickets.push(ticket);
  maybePrepareRebalance(core, group, nowMs);
}

/**
 * A static member restarted (same group.instance.id, new member id): the
 * new id takes the old one's place and the old id is fenced. In a Stable
 * group with unchanged protocols the member keeps its assignment and the
 * group keeps its generation; only the new id is persisted.
 */
function replaceStaticMember(
  core: MachineCore,
  group: Group,
  oldId: string,
  newId: string,
  ticket: number,
  input: JoinInput,
  nowMs: number,
): void {
  const member = group.members.get(oldId);
  assert(member !== undefined, `static member ${oldId} of ${group.groupId} is not a member`);
  for (const t of member.joinTickets) core.reply('join', t, joinError(ErrorCode.FENCED_INSTANCE_ID, oldId));
  for (const t of member.syncTickets) {
    core.reply('sync', t, { errorCode: ErrorCode.FENCED_INSTANCE_ID, assignment: Buffer.alloc(0) });
  }
  member.joinTickets = [];
  member.syncTickets = [];
  const previous = { clientId: member.clientId, clientHost: member.clientHost };
  renameMember(group, member, newId);
  member.clientId = input.clientId;
  member.clientHost = input.clientHost;
  member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
  member.sessionTimeoutMs = input.sessionTimeoutMs;
  if (group.state !== 'Stable' || !sameProtocols(member.protocols, input.protocols)) {
    updateMemberAndRebalance(core, group, member, ticket, input, nowMs);
    return;
  }
  const generation = group.generation;
  core.write(group, null, { value: metadataValue(group) }, (result, doneMs) => {
    if (result.ok) {
      touchSession(member, doneMs);
      const answer = currentGeneration(group, newId);
      // KIP-814: a v9+ leader learns it leads (it has the members) and that the current assignment stands.
      const skipAssignment = input.skipAssignmentSupported === true && group.leader === newId;
      return core.reply('join', ticket, skipAssignment ? { ...answer, skipAssignment } : answer);
    }
    // Not persisted: the previous incarnation stays the member, as if this join never happened.
    if (group.members.get(newId) === member && group.generation === generation) {
      renameMember(group, member, oldId);
      member.clientId = previous.clientId;
      member.clientHost = previous.clientHost;
    }
    core.reply('join', ticket, joinError(groupWriteErrorCode(result.error), ''));
  });
}

function renameMember(group: Group, member: Member, newId: string): void {
  const oldId = member.memberId;
  // Rebuilt rather than re-inserted so the join order (and so the next leader) is kept.
  const members = [...group.members.values()];
  group.members.clear();
  member.memberId = newId;
  for (const m of members) group.members.set(m.memberId, m);
  if (group.leader === oldId) group.leader = newId;
  if (group.pendingSync.delete(oldId)) group.pendingSync.add(newId);
  if (member.groupInstanceId !== null) group.staticMembers.set(member.groupInstanceId, newId);
}
