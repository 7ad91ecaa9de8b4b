/**
 * DeleteRecords (API key 21), versions 0-2 (Kafka 4.1's range). Flexible from v2.
 *
 * Request:  topics[name, partitions[partitionIndex, offset]], timeoutMs
 * Response: throttleTimeMs, topics[name, partitions[partitionIndex, lowWatermark, errorCode]]
 *
 * v1 matches v0 (responses go out before throttling); v2 only turns on the flexible encoding.
 */
import type { ApiDef } from '../schema/types.ts';

export const deleteRecords: ApiDef = {
  apiKey: 21,
  name: 'DeleteRecords',
  request: {
    name: 'DeleteRecordsRequest',
    apiKey: 21,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
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
              // Records below this offset are deleted; -1 means the high watermark.
              { name: 'offset', type: 'int64', versions: '0+' },
            ],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
    ],
  },
  response: {
    name: 'DeleteRecordsResponse',
    apiKey: 21,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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
              // The new log start offset.
              { name: 'lowWatermark', type: 'int64', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
