/**
 * DescribeCluster (API key 60), versions 0-2. Flexible from v0.
 *
 * Request:  includeClusterAuthorizedOperations, endpointType (v1+),
 *           includeFencedBrokers (v2+)
 * Response: throttleTimeMs, errorCode, errorMessage, endpointType (v1+),
 *           clusterId, controllerId, brokers[brokerId, host, port, rack,
 *           isFenced (v2+)], clusterAuthorizedOperations
 *
 * endpointType (KIP-919) picks what to describe: 1 brokers, 2 controllers.
 * It defaults to 1 so a v0 exchange reads as "describe the brokers". v2
 * (KIP-1073) can list fenced brokers too, flagged, so an operator can find
 * a registered broker that is down.
 */
import type { ApiDef } from '../schema/types.ts';

export const describeCluster: ApiDef = {
  apiKey: 60,
  name: 'DescribeCluster',
  request: {
    name: 'DescribeClusterRequest',
    apiKey: 60,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '0+' },
      { name: 'endpointType', type: 'int8', versions: '1+', default: 1 },
      { name: 'includeFencedBrokers', type: 'bool', versions: '2+' },
    ],
  },
  response: {
    name: 'DescribeClusterResponse',
    apiKey: 60,
    kind: 'response',
    validVersions: '0-2',
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
          { name: 'isFenced', type: 'bool', versions: '2+' },
        ],
      },
      // INT32_MIN means "not requested" (KIP-430).
      { name: 'clusterAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
    ],
  },
};
