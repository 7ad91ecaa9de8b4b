/**
 * DescribeGroups (key 15, v0–4), ListGroups (16, v0–2) and DeleteGroups
 * (42, v1): the admin view of the groups this broker coordinates. Each
 * broker answers for its own groups; admin clients ask every broker
 * (ListGroups) or the group's coordinator (the others).
 */
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsResponse,
} from '@runnel/protocol';
import type { GroupCoordinator } from '../groups/group-coordinator.ts';
import type { Handler } from './handler.ts';

/** DescribeGroups' "not computed" authorized-operations marker (Integer.MIN_VALUE). */
const authorizedOperationsUnknown = -2147483648;

export function describeGroupsHandler(coordinator: GroupCoordinator): Handler<15> {
  return {
    apiKey: 15,
    minVersion: 0,
    maxVersion: 4,
    async handle(request: DescribeGroupsRequest): Promise<DescribeGroupsResponse> {
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((groupId) => {
          const g = coordinator.describeGroup(groupId);
          return {
            errorCode: g.errorCode,
            groupId: g.groupId,
            groupState: g.state,
            protocolType: g.protocolType,
            protocolData: g.protocol,
            members: g.members.map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberMetadata: m.metadata,
              memberAssignment: m.assignment,
            })),
            authorizedOperations: authorizedOperationsUnknown,
          };
        }),
      };
    },
  };
}

export function listGroupsHandler(coordinator: GroupCoordinator): Handler<16> {
  return {
    apiKey: 16,
    minVersion: 0,
    maxVersion: 2,
    async handle(): Promise<ListGroupsResponse> {
      const { errorCode, groups } = coordinator.listGroups();
      return {
        throttleTimeMs: 0,
        errorCode,
        groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType })),
      };
    },
  };
}

export function deleteGroupsHandler(coordinator: GroupCoordinator): Handler<42> {
  return {
    apiKey: 42,
    minVersion: 1,
    maxVersion: 1,
    async handle(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
      const results = await Promise.all(
        request.groupsNames.map(async (groupId) => ({ groupId, errorCode: await coordinator.deleteGroup(groupId) })),
      );
      return { throttleTimeMs: 0, results };
    },
  };
}
