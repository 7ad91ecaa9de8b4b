/**
 * The group APIs' handlers, bound to one coordinator: what the Broker
 * registers for keys 8, 9, 11–16, 42 and 47.
 */

import { deleteGroupsHandler, describeGroupsHandler, listGroupsHandler } from '../handlers/groups-admin.ts';
import {
  heartbeatHandler,
  joinGroupHandler,
  leaveGroupHandler,
  syncGroupHandler,
} from '../handlers/groups-membership.ts';
import { offsetCommitHandler, offsetDeleteHandler, offsetFetchHandler } from '../handlers/groups-offsets.ts';
import { type BrokerContext, type Handler, register } from '../handlers/handler.ts';
import type { GroupCoordinator } from './group-coordinator.ts';

/** What the group handlers read from the broker: the metadata image (do committed topics exist?). */
export type GroupHandlerContext = Pick<BrokerContext, 'image'>;

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
  ];
}
