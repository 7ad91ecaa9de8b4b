/**
 * CreatePartitions (API key 37), versions 0-3. Flexible from v2.
 *
 * Request:  topics[name, count, assignments[brokerIds] (nullable)], timeoutMs, validateOnly
 * Response: throttleTimeMs, results[name, errorCode, errorMessage]
 *
 * v1 matches v0 (responses go out before throttling); v2 is flexible; v3
 * may answer THROTTLING_QUOTA_EXCEEDED (KIP-599), which Runnel never does.
 */
import type { ApiDef } from '../schema/types.ts';

export const createPartitions: ApiDef = {
  apiKey: 37,
  name: 'CreatePartitions',
  request: {
    name: 'CreatePartitionsRequest',
    apiKey: 37,
    kind: 'request',
    validVersions: '0-3',
    flexibleVersions: '2+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          // The new total partition count, not the number to add.
          { name: 'count', type: 'int32', versions: '0+' },
          {
            // One entry per new partition; null lets the broker place them.
            name: 'assignments',
            type: '[]',
            versions: '0+',
            nullableVersions: '0+',
            fields: [{ name: 'brokerIds', type: '[]int32', versions: '0+' }],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      { name: 'validateOnly', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'CreatePartitionsResponse',
    apiKey: 37,
    kind: 'response',
    validVersions: '0-3',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'results',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ],
      },
    ],
  },
};
