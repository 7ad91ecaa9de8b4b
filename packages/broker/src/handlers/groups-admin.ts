/**
 * DescribeGroups (key 15, v0–6), ListGroups (16, v0–5) and DeleteGroups
 * (42, v0–2): the admin view of the groups this broker coordinates. Each
 * broker answers for its own groups; admin clients ask every broker
 * (ListGroups) or the group's coordinator (the others). DescribeGroups v5,
 * ListGroups v3 and DeleteGroups v2 are the first flexible versions.
 *
 * DescribeGroups v3+ answers the operations the caller may perform on a
 * group when asked: Runnel has no authorizer, so, as Kafka without one, all
 * that a group supports here (read, describe, delete); like Kafka, only for
 * a group described without an error (a v6 GROUP_ID_NOT_FOUND or a
 * NOT_COORDINATOR answer keeps the "not computed" marker). v6 (KIP-1043)
 * answers GROUP_ID_NOT_FOUND with a message for a group that does not
 * exist; v0–5 describe it as Dead with no error. ListGroups v4 reports each
 * group's state and filters by state, v5 its type ("classic") and filters
 * by type (groups/group-listing.ts).
 */
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  ListGroupsRequest,
  ListGroupsResponse,
} from '@runnel/protocol';
import { ErrorCode, errorDescription } from '@runnel/protocol';
import type { GroupCoordinator } from '../groups/group-coordinator.ts';
import { classicGroupType, filterGroupListings } from '../groups/group-listing.ts';
import type { Handler, RequestContext } from './handler.ts';

/** DescribeGroups' "not computed" authorized-operations marker (Integer.MIN_VALUE). */
const authorizedOperationsUnknown = -2147483648;

/** Kafka's ACL operation codes a group supports here, as DescribeGroups' bit field: READ (3), DELETE (6), DESCRIBE (8). */
export const groupAuthorizedOperations = (1 << 3) | (1 << 6) | (1 << 8);

/** The authorized-operations field of one described group: computed only when asked (v3+) and the group has no error. */
export function describedGroupOperations(version: number, asked: boolean, errorCode: number): number {
  return version >= 3 && asked && errorCode === ErrorCode.NONE
    ? groupAuthorizedOperations
    : authorizedOperationsUnknown;
}

export function describeGroupsHandler(coordinator: GroupCoordinator): Handler<15> {
  return {
    apiKey: 15,
    minVersion: 0,
    maxVersion: 6,
    async handle(request: DescribeGroupsRequest, context: RequestContext): Promise<DescribeGroupsResponse> {
      const version = context.header.apiVersion;
      const asked = request.includeAuthorizedOperations === true;
      return {
        throttleTimeMs: 0,
        groups: request.groups.map((groupId) => {
          const g = coordinator.describeGroup(groupId);
          const missing = g.errorCode === ErrorCode.NONE && g.exists === false && version >= 6;
          const errorCode = missing ? ErrorCode.GROUP_ID_NOT_FOUND : g.errorCode;
          const errorMessage = missing
            ? `Group ${groupId} not found.`
            : errorCode !== ErrorCode.NONE
              ? errorDescription(errorCode)
              : null;
          return {
            errorCode,
            ...(version >= 6 ? { errorMessage } : {}),
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
            authorizedOperations: describedGroupOperations(version, asked, errorCode),
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
    maxVersion: 5,
    async handle(request: ListGroupsRequest, context: RequestContext): Promise<ListGroupsResponse> {
      const version = context.header.apiVersion;
      const { errorCode, groups } = coordinator.listGroups();
      const listed = filterGroupListings(groups, {
        states: version >= 4 ? (request.statesFilter ?? []) : [],
        types: version >= 5 ? (request.typesFilter ?? []) : [],
      });
      return {
        throttleTimeMs: 0,
        errorCode,
        groups: listed.map((g) => ({
          groupId: g.groupId,
          protocolType: g.protocolType,
          ...(version >= 4 ? { groupState: g.state } : {}),
          ...(version >= 5 ? { groupType: classicGroupType } : {}),
        })),
      };
    },
  };
}

export function deleteGroupsHandler(coordinator: GroupCoordinator): Handler<42> {
  return {
    apiKey: 42,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: DeleteGroupsRequest): Promise<DeleteGroupsResponse> {
      const results = await Promise.all(
        request.groupsNames.map(async (groupId) => ({ groupId, errorCode: await coordinator.deleteGroup(groupId) })),
      );
      return { throttleTimeMs: 0, results };
    },
  };
}
