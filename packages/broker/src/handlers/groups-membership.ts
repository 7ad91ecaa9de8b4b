/**
 * JoinGroup (key 11, v0–9), SyncGroup (14, v0–5), Heartbeat (12, v0–4)
 * and LeaveGroup (13, v0–5, the batch form from v3): decoded requests in,
 * the coordinator's answers out, per-version fields filled here only.
 * v6 (JoinGroup) and v4 (the others) are the flexible versions. JoinGroup
 * v7+ and SyncGroup v5+ answer the group's protocol type and name (null on
 * error); JoinGroup v8+ and LeaveGroup v5+ reasons go to the coordinator's
 * log; JoinGroup v9 may tell a static leader to skip the assignment.
 */
import type {
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '@runnel/protocol';
import { ErrorCode } from '@runnel/protocol';
import type { MemberIdentity } from '../groups/group-api.ts';
import type { GroupCoordinator } from '../groups/group-coordinator.ts';
import type { Handler, RequestContext } from './handler.ts';

/** The client's host as Kafka reports it (InetAddress.toString: "/10.0.0.1"). */
export function clientHostOf(context: RequestContext): string {
  return `/${context.connection.remoteAddress}`;
}

export function joinGroupHandler(coordinator: GroupCoordinator): Handler<11> {
  return {
    apiKey: 11,
    minVersion: 0,
    maxVersion: 9,
    async handle(request: JoinGroupRequest, context: RequestContext): Promise<JoinGroupResponse> {
      const version = context.header.apiVersion;
      // v0 has no rebalance timeout: the session timeout bounds the join phase, as in Kafka.
      const rebalanceTimeoutMs =
        version >= 1 && request.rebalanceTimeoutMs !== undefined && request.rebalanceTimeoutMs >= 0
          ? request.rebalanceTimeoutMs
          : request.sessionTimeoutMs;
      const result = await coordinator.joinGroup({
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId ?? null,
        clientId: context.header.clientId ?? '',
        clientHost: clientHostOf(context),
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs,
        protocolType: request.protocolType,
        protocols: request.protocols,
        requireKnownMemberId: version >= 4,
        reason: version >= 8 ? (request.reason ?? null) : null,
        skipAssignmentSupported: version >= 9,
      });
      // From v7 the protocol fields are nullable: Kafka leaves them null on an error.
      const failed = result.errorCode !== ErrorCode.NONE;
      const nullable = (value: string | undefined): string | null =>
        failed || value === undefined || value === '' ? null : value;
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        generationId: result.generationId,
        ...(version >= 7 ? { protocolType: nullable(result.protocolType) } : {}),
        protocolName: version >= 7 ? nullable(result.protocolName) : result.protocolName,
        leader: result.leader,
        ...(version >= 9 ? { skipAssignment: result.skipAssignment === true } : {}),
        memberId: result.memberId,
        members: result.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          metadata: m.metadata,
        })),
      };
    },
  };
}

export function syncGroupHandler(coordinator: GroupCoordinator): Handler<14> {
  return {
    apiKey: 14,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: SyncGroupRequest, context: RequestContext): Promise<SyncGroupResponse> {
      const v5 = context.header.apiVersion >= 5;
      const result = await coordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId ?? null,
        protocolType: v5 ? (request.protocolType ?? null) : null,
        protocolName: v5 ? (request.protocolName ?? null) : null,
        assignments: request.assignments,
      });
      const response: SyncGroupResponse = {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        assignment: result.assignment,
      };
      if (!v5) return response;
      const orNull = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);
      return { ...response, protocolType: orNull(result.protocolType), protocolName: orNull(result.protocolName) };
    },
  };
}

export function heartbeatHandler(coordinator: GroupCoordinator): Handler<12> {
  return {
    apiKey: 12,
    minVersion: 0,
    maxVersion: 4,
    async handle(request: HeartbeatRequest): Promise<HeartbeatResponse> {
      const errorCode = await coordinator.heartbeat({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId ?? null,
      });
      return { throttleTimeMs: 0, errorCode };
    },
  };
}

export function leaveGroupHandler(coordinator: GroupCoordinator): Handler<13> {
  return {
    apiKey: 13,
    minVersion: 0,
    maxVersion: 5,
    async handle(request: LeaveGroupRequest, context: RequestContext): Promise<LeaveGroupResponse> {
      const version = context.header.apiVersion;
      const batch = version >= 3;
      const members: MemberIdentity[] = batch
        ? (request.members ?? []).map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            reason: version >= 5 ? (m.reason ?? null) : null,
          }))
        : [{ memberId: request.memberId ?? '', groupInstanceId: null }];
      const result = await coordinator.leaveGroup(request.groupId, members);
      if (batch) {
        const failed = result.errorCode !== ErrorCode.NONE;
        const answered = result.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: m.errorCode,
        }));
        return { throttleTimeMs: 0, errorCode: result.errorCode, members: failed ? [] : answered };
      }
      // Before v3 one member leaves and its outcome is the response's only error code.
      const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : (result.members[0]?.errorCode ?? 0);
      return { throttleTimeMs: 0, errorCode };
    },
  };
}
