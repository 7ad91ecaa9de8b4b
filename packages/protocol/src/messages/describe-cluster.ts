/**
 * DescribeCluster (API key 60), versions 0-1. Flexible from v0.
 *
 * Request:  includeClusterAuthorizedOperations, endpointType (v1+)
 * Response: throttleTimeMs, errorCode, errorMessage, endpointType (v1+),
 *           clusterId, controllerId, brokers[brokerId, host, port, rack],
 *           clusterAuthorizedOperations
 *
 * endpointType (KIP-919) picks what to describe: 1 brokers, 2 controllers.
 * It defaults to 1 so a v0 exchange reads as "describe the brokers".
 */
import type { ApiDef } from '../schema/types.ts';

export const describeCluster: ApiDef = {
  apiKey: 60,
  name: 'DescribeCluster',
  request: {
    name: 'DescribeClusterRequest',
    apiKey: 60,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '0+',
    fields: [
      { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
      { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
    ],
  },
  response: {
    name: 'DescribeClusterResponse',
    apiKey: 60,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
      { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
      { name: 'clusterId', type: 'string', versions: '0+' },
      { name: 'controllerId', type: 'int32', versions: '0+', default: -1 },
      {
        name: 'brokers',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'brokerId', type: 'int32', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'port', type: 'int32', versions: '0+' },
          { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
        ],
      },
      // INT32_MIN means "not requested" (KIP-430).
      { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
    ],
  },
};
