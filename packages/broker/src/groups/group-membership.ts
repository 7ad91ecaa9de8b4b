/**
 * SyncGroup, Heartbeat and LeaveGroup: the member-facing requests after a
 * join, each fenced by member id, group.instance.id and generation.
 */
import { ErrorCode } from '@runnel/protocol';
import type { HeartbeatInput, LeaveResult, MemberIdentity, SyncInput } from './group-api.ts';
import { type Group, metadataValue } from './group-model.ts';
import {
  completeSync,
  failParkedSyncs,
  isStaticMemberFenced,
  prepareRebalance,
  removeMember,
  syncAnswer,
  touchSession,
  tryCompleteJoin,
} from './group-rebalance.ts';
import { groupWriteErrorCode, type MachineCore } from './machine-core.ts';

const emptyBuffer = Buffer.alloc(0);

/** The checks every member request passes first; NONE when the member belongs to the current generation. */
function validateMember(group: Group | undefined, input: HeartbeatInput): number {
  if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (group.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (isStaticMemberFenced(group, input.memberId, input.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
  if (!group.members.has(input.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (input.generationId !== group.generation) return ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}

/** Unknown on either side (null) is no mismatch, as Kafka has it. */
function protocolDiffers(asked: string | null, actual: string | null): boolean {
  return asked !== null && actual !== null && asked !== actual;
}

export function sync(core: MachineCore, ticket: number, input: SyncInput, nowMs: number): void {
  const fail = (errorCode: number): void => core.reply('sync', ticket, { errorCode, assignment: emptyBuffer });
  if (input.groupId === '') {
    fail(ErrorCode.INVALID_GROUP_ID);
    return;
  }
  const group = core.groups.get(input.groupId);
  const invalid = validateMember(group, input);
  if (invalid !== ErrorCode.NONE || group === undefined) {
    fail(invalid);
    return;
  }
  const member = group.members.get(input.memberId);
  if (member === undefined) {
    fail(ErrorCode.UNKNOWN_MEMBER_ID);
    return;
  }
  // SyncGroup v5+: a member that synced for another protocol than the group runs is refused, as a join would be.
  if (
    protocolDiffers(input.protocolType ?? null, group.protocolType) ||
    protocolDiffers(input.protocolName ?? null, group.protocol)
  ) {
    fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    return;
  }
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      fail(ErrorCode.UNKNOWN_MEMBER_ID);
      return;
    case 'PreparingRebalance':
      fail(ErrorCode.REBALANCE_IN_PROGRESS);
      return;
    case 'Stable':
      touchSession(member, nowMs);
      core.reply('sync', ticket, syncAnswer(group, member.assignment));
      return;
    case 'CompletingRebalance':
      break;
  }
  member.syncTickets.push(ticket);
  group.pendingSync.delete(member.memberId);
  if (member.memberId !== group.leader || group.assigning) return;
  // The leader's assignment: persisted first, so a new coordinator hands out the same one.
  const assignments = new Map<string, Buffer>();
  for (const a of input.assignments) if (group.members.has(a.memberId)) assignments.set(a.memberId, a.assignment);
  group.assigning = true;
  const generation = group.generation;
  core.write(group, null, { value: metadataValue(group, assignments) }, (result, doneMs) => {
    if (core.groups.get(group.groupId) !== group) return;
    if (group.state !== 'CompletingRebalance' || group.generation !== generation) return;
    if (result.ok) return completeSync(core, group, assignments, doneMs);
    failParkedSyncs(core, group, groupWriteErrorCode(result.error));
    prepareRebalance(core, group, doneMs);
  });
}

export function heartbeat(core: MachineCore, ticket: number, input: HeartbeatInput, nowMs: number): void {
  if (input.groupId === '') {
    core.reply('heartbeat', ticket, ErrorCode.INVALID_GROUP_ID);
    return;
  }
  const group = core.groups.get(input.groupId);
  const invalid = validateMember(group, input);
  const member = group?.members.get(input.memberId);
  if (invalid !== ErrorCode.NONE || group === undefined || member === undefined) {
    core.reply('heartbeat', ticket, invalid);
    return;
  }
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      core.reply('heartbeat', ticket, ErrorCode.UNKNOWN_MEMBER_ID);
      return;
    case 'PreparingRebalance':
      touchSession(member, nowMs);
      core.reply('heartbeat', ticket, ErrorCode.REBALANCE_IN_PROGRESS);
      return;
    case 'CompletingRebalance':
    case 'Stable':
      touchSession(member, nowMs);
      core.reply('heartbeat', ticket, ErrorCode.NONE);
      return;
  }
}

/** LeaveGroup for one or more members (v3+ batch form; v0–2 send one). */
export function leave(
  core: MachineCore,
  ticket: number,
  groupId: string,
  members: readonly MemberIdentity[],
  nowMs: number,
): void {
  const answer = (errorCode: number, codes: readonly number[]): void => {
    const result: LeaveResult = {
      errorCode,
      members: members.map((m, i) => ({ ...m, errorCode: codes[i] ?? errorCode })),
    };
    core.reply('leave', ticket, result);
  };
  if (groupId === '') {
    answer(ErrorCode.INVALID_GROUP_ID, []);
    return;
  }
  const group = core.groups.get(groupId);
  if (group === undefined) {
    answer(
      ErrorCode.NONE,
      members.map(() => ErrorCode.UNKNOWN_MEMBER_ID),
    );
    return;
  }
  if (group.state === 'Dead') {
    answer(ErrorCode.COORDINATOR_NOT_AVAILABLE, []);
    return;
  }
  answer(
    ErrorCode.NONE,
    members.map((m) => leaveOne(core, group, m, nowMs)),
  );
}

function leaveOne(core: MachineCore, group: Group, identity: MemberIdentity, nowMs: number): number {
  let memberId = identity.memberId;
  if (identity.groupInstanceId !== null) {
    const current = group.staticMembers.get(identity.groupInstanceId);
    if (current === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (memberId !== '' && memberId !== current) return ErrorCode.FENCED_INSTANCE_ID;
    memberId = current;
  } else if (group.pendingMembers.delete(memberId)) {
    tryCompleteJoin(core, group, nowMs);
    return ErrorCode.NONE;
  }
  const member = group.members.get(memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  removeMember(core, group, member, nowMs);
  return ErrorCode.NONE;
}
