/**
 * SyncGroup (API key 14), versions 0-5. Flexible from v4.
 *
 * Request:  groupId, generationId, memberId, [groupInstanceId v3+],
 *           [protocolType v5+], [protocolName v5+], assignments[ memberId, assignment(bytes) ]
 * Response: [throttleTimeMs v1+], errorCode, [protocolType v5+], [protocolName v5+],
 *           assignment(bytes)
 *
 * v1 adds the response throttle time; v2 matches v1; v3 adds static membership;
 * v4 is the first flexible version; v5 (KIP-559) lets the member say which
 * protocol type and name it synced for (a mismatch with the group's answers
 * INCONSISTENT_GROUP_PROTOCOL) and answers the group's.
 */
import type { ApiDef } from '../schema/types.ts';

export const syncGroup: ApiDef = {
  apiKey: 14,
  name: 'SyncGroup',
  request: {
    name: 'SyncGroupRequest',
    apiKey: 14,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      // v5 (KIP-559): what the member believes the group runs; a mismatch answers INCONSISTENT_GROUP_PROTOCOL.
      { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
      { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
      {
        // Only the leader sends assignments; followers send an empty list.
        name: 'assignments',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'memberId', type: 'string', versions: '0+' },
          { name: 'assignment', type: 'bytes', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'SyncGroupResponse',
    apiKey: 14,
    kind: 'response',
    validVersions: '0-5',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
      { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null, ignorable: true },
      // Opaque to the broker; for "consumer" groups a ConsumerProtocolAssignment.
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ],
  },
};
