/**
 * AlterPartitionReassignments (API key 45), versions 0-1. Flexible from v0
 * (KIP-455), so the request carries header v2 and the response header v1.
 *
 * Request:  timeoutMs, [allowReplicationFactorChange v1+],
 *           topics[name, partitions[partitionIndex, replicas (nullable)]]
 * Response: throttleTimeMs, [allowReplicationFactorChange v1+], errorCode, errorMessage,
 *           responses[name, partitions[partitionIndex, errorCode, errorMessage]]
 *
 * Null replicas cancel the partition's reassignment in progress. v1
 * (KIP-860) lets the caller refuse a reassignment that would change a
 * partition's replication factor; the response echoes the option, so a
 * client can tell a broker that ignored it.
 */
import type { ApiDef } from '../schema/types.ts';

export const alterPartitionReassignments: ApiDef = {
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  request: {
    name: 'AlterPartitionReassignmentsRequest',
    apiKey: 45,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '0+',
    fields: [
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'allowReplicationFactorChange', type: 'bool', versions: '1+', default: true, ignorable: true },
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
    validVersions: '0-1',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'allowReplicationFactorChange', type: 'bool', versions: '1+', default: true, ignorable: true },
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
