/**
 * LeaveGroup (API key 13), versions 0-5. Flexible from v4.
 *
 * Request:  groupId, [memberId v0-2], [members[ memberId, groupInstanceId, [reason v5+] ] v3+]
 * Response: [throttleTimeMs v1+], errorCode, [members[ memberId, groupInstanceId, errorCode ] v3+]
 *
 * v1 adds the response throttle time; v2 matches v1; v3 turns the request into a
 * batch of member identities (so static members can be removed by instance id),
 * with a result per member in the response; v4 is the first flexible version;
 * v5 carries each member's reason for leaving (KIP-800), which the
 * coordinator logs.
 */
import type { ApiDef } from '../schema/types.ts';

export const leaveGroup: ApiDef = {
  apiKey: 13,
  name: 'LeaveGroup',
  request: {
    name: 'LeaveGroupRequest',
    apiKey: 13,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0-2' },
      {
        name: 'members',
        type: '[]',
        versions: '3+',
        fields: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
          // Why this member leaves (KIP-800): for the coordinator's log only.
          { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
        ],
      },
    ],
  },
  response: {
    name: 'LeaveGroupResponse',
    apiKey: 13,
    kind: 'response',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      {
        name: 'members',
        type: '[]',
        versions: '3+',
        fields: [
          { name: 'memberId', type: 'string', versions: '3+' },
          { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
          { name: 'errorCode', type: 'int16', versions: '3+' },
        ],
      },
    ],
  },
};
