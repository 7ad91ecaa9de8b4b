/**
 * ListOffsets (API key 2), versions 1-3. Flexible from v6, above our range.
 *
 * Request:  replicaId, [isolationLevel v2+],
 *           topics[name, partitions[partitionIndex, timestamp]]
 * Response: [throttleTimeMs v2+],
 *           topics[name, partitions[partitionIndex, errorCode, timestamp, offset]]
 *
 * v1 returns a single offset with its timestamp instead of an offset array;
 * v2 adds the isolation level and throttle time; v3 matches v2 (responses go
 * out before throttling).
 */
import type { ApiDef } from '../schema/types.ts';

export const listOffsets: ApiDef = {
  apiKey: 2,
  name: 'ListOffsets',
  request: {
    name: 'ListOffsetsRequest',
    apiKey: 2,
    kind: 'request',
    validVersions: '1-3',
    flexibleVersions: '6+',
    fields: [
      // -1 for consumers; a broker id for follower replicas.
      { name: 'replicaId', type: 'int32', versions: '0+' },
      // 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED.
      { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
              // A time in ms, or -1 (latest) / -2 (earliest).
              { name: 'timestamp', type: 'int64', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'ListOffsetsResponse',
    apiKey: 2,
    kind: 'response',
    validVersions: '1-3',
    flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
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
              { name: 'timestamp', type: 'int64', versions: '1+', default: -1n, ignorable: false },
              { name: 'offset', type: 'int64', versions: '1+', default: -1n, ignorable: false },
            ],
          },
        ],
      },
    ],
  },
};
