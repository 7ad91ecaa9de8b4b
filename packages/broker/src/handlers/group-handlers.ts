/**
 * The group APIs' handlers, bound to one coordinator: what the Broker
 * registers for keys 8, 9, 11–16, 28, 42 and 47. They live with the other
 * handlers, above groups/: the coordinator knows nothing of Kafka requests.
 */

import type { GroupCoordinator } from '../groups/group-coordinator.ts';
import { deleteGroupsHandler, describeGroupsHandler, listGroupsHandler } from './groups-admin.ts';
import { heartbeatHandler, joinGroupHandler, leaveGroupHandler, syncGroupHandler } from './groups-membership.ts';
import {
  type GroupHandlerContext,
  offsetCommitHandler,
  offsetDeleteHandler,
  offsetFetchHandler,
  txnOffsetCommitHandler,
} from './groups-offsets.ts';
import { type Handler, register } from './handler.ts';

/** The Handler objects for the group APIs, at the versions the ApiVersions table advertises. */
export function groupHandlers(coordinator: GroupCoordinator, context: GroupHandlerContext): Handler[] {
  return [
    register(offsetCommitHandler(coordinator, context)),
    register(offsetFetchHandler(coordinator)),
    register(joinGroupHandler(coordinator)),
    register(heartbeatHandler(coordinator)),
    register(leaveGroupHandler(coordinator)),
    register(syncGroupHandler(coordinator)),
    register(describeGroupsHandler(coordinator)),
    register(listGroupsHandler(coordinator)),
    register(deleteGroupsHandler(coordinator)),
    register(offsetDeleteHandler(coordinator, context)),
    register(txnOffsetCommitHandler(coordinator, context)),
  ];
}
