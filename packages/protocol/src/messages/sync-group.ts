/**
 * SyncGroup (API key 14), versions 0-3. Flexible from v4, above our range.
 *
 * Request:  groupId, generationId, memberId, [groupInstanceId v3+],
 *           assignments[ memberId, assignment(bytes) ]
 * Response: [throttleTimeMs v1+], errorCode, assignment(bytes)
 *
 * v1 adds the response throttle time; v2 matches v1; v3 adds static membership.
 */
import type { ApiDef } from '../schema/types.ts';

export const syncGroup: ApiDef = {
  apiKey: 14,
  name: 'SyncGroup',
  request: {
    name: 'SyncGroupRequest',
    apiKey: 14,
    kind: 'request',
    validVersions: '0-3',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
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
    validVersions: '0-3',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      // Opaque to the broker; for "consumer" groups a ConsumerProtocolAssignment.
      { name: 'assignment', type: 'bytes', versions: '0+' },
    ],
  },
};
