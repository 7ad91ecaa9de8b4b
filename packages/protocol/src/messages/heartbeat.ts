/**
 * Heartbeat (API key 12), versions 0-4. Flexible from v4.
 *
 * Request:  groupId, generationId, memberId, [groupInstanceId v3+]
 * Response: [throttleTimeMs v1+], errorCode
 *
 * v1 adds the response throttle time; v2 matches v1; v3 adds static membership;
 * v4 is the first flexible version and otherwise matches v3.
 */
import type { ApiDef } from '../schema/types.ts';

export const heartbeat: ApiDef = {
  apiKey: 12,
  name: 'Heartbeat',
  request: {
    name: 'HeartbeatRequest',
    apiKey: 12,
    kind: 'request',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '0+' },
      { name: 'memberId', type: 'string', versions: '0+' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    ],
  },
  response: {
    name: 'HeartbeatResponse',
    apiKey: 12,
    kind: 'response',
    validVersions: '0-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      // REBALANCE_IN_PROGRESS here is how a member learns it must rejoin.
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
};
