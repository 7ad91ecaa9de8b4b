/**
 * ListPartitionReassignments (API key 46), version 0 only. Flexible from v0
 * (KIP-455), so the request carries header v2 and the response header v1.
 *
 * Request:  timeoutMs, topics[name, partitionIndexes] (nullable: null lists every reassignment)
 * Response: throttleTimeMs, errorCode, errorMessage,
 *           topics[name, partitions[partitionIndex, replicas, addingReplicas, removingReplicas]]
 *
 * Only partitions with a reassignment in progress appear in the response.
 */
import type { ApiDef } from '../schema/types.ts';

export const listPartitionReassignments: ApiDef = {
  apiKey: 46,
  name: 'ListPartitionReassignments',
  request: {
    name: 'ListPartitionReassignmentsRequest',
    apiKey: 46,
    kind: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        nullableVersions: '0+',
        default: null,
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'ListPartitionReassignmentsResponse',
    apiKey: 46,
    kind: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
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
              // The full replica set during the move: the target plus the replicas still being removed.
              { name: 'replicas', type: '[]int32', versions: '0+' },
              { name: 'addingReplicas', type: '[]int32', versions: '0+' },
              { name: 'removingReplicas', type: '[]int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
