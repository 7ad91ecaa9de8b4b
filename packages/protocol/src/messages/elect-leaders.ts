/**
 * ElectLeaders (API key 43), versions 0-2. v2 is flexible (request header
 * v2, response header v1).
 *
 * Request:  electionType (v1+; 0 = preferred, 1 = unclean; v0 is always
 *           preferred), topicPartitions (nullable: null = every partition)
 *           [topic, partitions[]int32], timeoutMs
 * Response: throttleTimeMs, errorCode (v1+),
 *           replicaElectionResults[topic, partitionResult[partitionId,
 *           errorCode, errorMessage]]
 *
 * v1 (KIP-460) added the election type and the top-level error code.
 */
import type { ApiDef } from '../schema/types.ts';

export const electLeaders: ApiDef = {
  apiKey: 43,
  name: 'ElectLeaders',
  request: {
    name: 'ElectLeadersRequest',
    apiKey: 43,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      // Absent in v0, which only knows preferred elections.
      { name: 'electionType', type: 'int8', versions: '1+', default: 0 },
      {
        name: 'topicPartitions',
        type: '[]',
        versions: '0+',
        nullableVersions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    ],
  },
  response: {
    name: 'ElectLeadersResponse',
    apiKey: 43,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      // v0 has no request-wide error: a v0 answer carries it on every partition instead.
      { name: 'errorCode', type: 'int16', versions: '1+', default: 0 },
      {
        name: 'replicaElectionResults',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          {
            name: 'partitionResult',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionId', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
            ],
          },
        ],
      },
    ],
  },
};
