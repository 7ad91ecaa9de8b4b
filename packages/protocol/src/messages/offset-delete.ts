/**
 * OffsetDelete (API key 47), version 0 only. Never flexible.
 *
 * Request:  groupId, topics[ name, partitions[ partitionIndex ] ]
 * Response: errorCode, throttleTimeMs, topics[ name, partitions[ partitionIndex, errorCode ] ]
 *
 * Note the response puts the group-level error code before the throttle time.
 */
import type { ApiDef } from '../schema/types.ts';

export const offsetDelete: ApiDef = {
  apiKey: 47,
  name: 'OffsetDelete',
  request: {
    name: 'OffsetDeleteRequest',
    apiKey: 47,
    kind: 'request',
    validVersions: '0',
    flexibleVersions: 'none',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [{ name: 'partitionIndex', type: 'int32', versions: '0+' }],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetDeleteResponse',
    apiKey: 47,
    kind: 'response',
    validVersions: '0',
    flexibleVersions: 'none',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
