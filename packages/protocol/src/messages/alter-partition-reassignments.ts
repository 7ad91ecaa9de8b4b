/**
 * AlterPartitionReassignments (API key 45), version 0 only. Flexible from v0
 * (KIP-455), so the request carries header v2 and the response header v1.
 *
 * Request:  timeoutMs, topics[name, partitions[partitionIndex, replicas (nullable)]]
 * Response: throttleTimeMs, errorCode, errorMessage,
 *           responses[name, partitions[partitionIndex, errorCode, errorMessage]]
 *
 * Null replicas cancel the partition's reassignment in progress. v1
 * (KIP-860, allowReplicationFactorChange) is above our range.
 */
import type { ApiDef } from '../schema/types.ts';

export const alterPartitionReassignments: ApiDef = {
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  request: {
    name: 'AlterPartitionReassignmentsRequest',
    apiKey: 45,
    kind: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
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
              // The target replica set, or null to cancel.
              { name: 'replicas', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'AlterPartitionReassignmentsResponse',
    apiKey: 45,
    kind: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      // Request-wide failures (e.g. no controller); per-partition outcomes are below.
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      {
        name: 'responses',
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
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            ],
          },
        ],
      },
    ],
  },
};
