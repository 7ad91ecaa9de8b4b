/**
 * JoinGroup (API key 11), versions 0-9. Flexible from v6.
 *
 * Request:  groupId, sessionTimeoutMs, [rebalanceTimeoutMs v1+], memberId,
 *           [groupInstanceId v5+], protocolType, protocols[ name, metadata(bytes) ],
 *           [reason v8+]
 * Response: [throttleTimeMs v2+], errorCode, generationId, [protocolType v7+],
 *           protocolName (nullable v7+), leader, [skipAssignment v9+], memberId,
 *           members[ memberId, [groupInstanceId v5+], metadata(bytes) ]
 *
 * v1 adds the rebalance timeout; v2 adds the response throttle time; v3 matches v2;
 * from v4 a new member must rejoin with the member id it was handed
 * (MEMBER_ID_REQUIRED); v5 adds static membership (group instance id); v6 is
 * the first flexible version; v7 answers the group's protocol type (KIP-559)
 * and may answer a null protocol name; v8 carries the client's reason for
 * joining (KIP-800, logged by the coordinator); v9 (KIP-814) tells a static
 * leader that rejoined a stable group to skip the assignment: it gets the
 * members (so it knows it leads) but the current assignment stands.
 */
import type { ApiDef } from '../schema/types.ts';

export const joinGroup: ApiDef = {
  apiKey: 11,
  name: 'JoinGroup',
  request: {
    name: 'JoinGroupRequest',
    apiKey: 11,
    kind: 'request',
    validVersions: '0-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
      // v0 has no rebalance timeout: the session timeout stands in for it.
      { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1, ignorable: true },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
      { name: 'protocolType', type: 'string', versions: '0+' },
      {
        name: 'protocols',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          // Opaque to the broker; for "consumer" groups a ConsumerProtocolSubscription.
          { name: 'metadata', type: 'bytes', versions: '0+' },
        ],
      },
      // Why the member (re)joins, e.g. "rebalance failed due to ...": for the coordinator's log only.
      { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null, ignorable: true },
    ],
  },
  response: {
    name: 'JoinGroupResponse',
    apiKey: 11,
    kind: 'response',
    validVersions: '0-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
      { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null, ignorable: true },
      { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
      { name: 'leader', type: 'string', versions: '0+' },
      { name: 'skipAssignment', type: 'bool', versions: '9+', default: false, ignorable: true },
      { name: 'memberId', type: 'string', versions: '0+' },
      {
        // Filled only in the leader's response; followers get an empty list.
        name: 'members',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          {
            name: 'groupInstanceId',
            type: 'string',
            versions: '5+',
            nullableVersions: '5+',
            default: null,
            ignorable: true,
          },
          { name: 'metadata', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
};
