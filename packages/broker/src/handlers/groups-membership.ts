/**
 * JoinGroup (key 11, v0–5), SyncGroup (14, v0–3), Heartbeat (12, v0–3)
 * and LeaveGroup (13, v0–3, the batch form from v3): decoded requests in,
 * the coordinator's answers out, per-version fields filled here only.
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
    maxVersion: 5,
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
      });
      return {
        throttleTimeMs: 0,
        errorCode: result.errorCode,
        generationId: result.generationId,
        protocolName: result.protocolName,
        leader: result.leader,
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
    maxVersion: 3,
    async handle(request: SyncGroupRequest): Promise<SyncGroupResponse> {
      const result = await coordinator.syncGroup({
        groupId: request.groupId,
        generationId: request.generationId,
        memberId: request.memberId,
        groupInstanceId: request.groupInstanceId ?? null,
        assignments: request.assignments,
      });
      return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
    },
  };
}

export function heartbeatHandler(coordinator: GroupCoordinator): Handler<12> {
  return {
    apiKey: 12,
    minVersion: 0,
    maxVersion: 3,
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
    maxVersion: 3,
    async handle(request: LeaveGroupRequest, context: RequestContext): Promise<LeaveGroupResponse> {
      const batch = context.header.apiVersion >= 3;
      const members: MemberIdentity[] = batch
        ? (request.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
        : [{ memberId: request.memberId ?? '', groupInstanceId: null }];
      const result = await coordinator.leaveGroup(request.groupId, members);
      if (batch) {
        const failed = result.errorCode !== ErrorCode.NONE;
        return { throttleTimeMs: 0, errorCode: result.errorCode, members: failed ? [] : [...result.members] };
      }
      // Before v3 one member leaves and its outcome is the response's only error code.
      const errorCode = result.errorCode !== ErrorCode.NONE ? result.errorCode : (result.members[0]?.errorCode ?? 0);
      return { throttleTimeMs: 0, errorCode };
    },
  };
}
