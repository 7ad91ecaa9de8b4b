/**
 * DescribeQuorum (API key 55), versions 0-2 (Kafka 4.1's range). Flexible
 * in every version.
 *
 * Request:  topics[topicName, partitions[partitionIndex]]
 * Response: errorCode, errorMessage (v2+), topics[topicName,
 *           partitions[partitionIndex, errorCode, errorMessage (v2+), leaderId,
 *           leaderEpoch, highWatermark, currentVoters[replica], observers[replica]]],
 *           nodes (v2+)[nodeId, listeners[name, host, port]]
 * replica:  replicaId, replicaDirectoryId (v2+), logEndOffset,
 *           lastFetchTimestamp (v1+), lastCaughtUpTimestamp (v1+)
 *
 * v1 (KIP-836) adds the replicas' fetch and catch-up times; v2 (KIP-853)
 * the error messages, directory ids and each voter's listeners.
 */
import type { ApiDef, FieldDef } from '../schema/types.ts';

const replicaFields: FieldDef[] = [
  { name: 'replicaId', type: 'int32', versions: '0+' },
  // Runnel's controllers have no directory ids: always the zero UUID.
  { name: 'replicaDirectoryId', type: 'uuid', versions: '2+', ignorable: true },
  // -1 when unknown.
  { name: 'logEndOffset', type: 'int64', versions: '0+' },
  { name: 'lastFetchTimestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
  { name: 'lastCaughtUpTimestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
];

export const describeQuorum: ApiDef = {
  apiKey: 55,
  name: 'DescribeQuorum',
  request: {
    name: 'DescribeQuorumRequest',
    apiKey: 55,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topicName', type: 'string', versions: '0+' },
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
    name: 'DescribeQuorumResponse',
    apiKey: 55,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'errorMessage', type: 'string', versions: '2+', nullableVersions: '2+', default: null, ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topicName', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              {
                name: 'errorMessage',
                type: 'string',
                versions: '2+',
                nullableVersions: '2+',
                default: null,
                ignorable: true,
              },
              { name: 'leaderId', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '0+' },
              { name: 'highWatermark', type: 'int64', versions: '0+' },
              { name: 'currentVoters', type: '[]', versions: '0+', fields: replicaFields },
              { name: 'observers', type: '[]', versions: '0+', fields: replicaFields },
            ],
          },
        ],
      },
      {
        name: 'nodes',
        type: '[]',
        versions: '2+',
        ignorable: true,
        fields: [
          { name: 'nodeId', type: 'int32', versions: '2+' },
          {
            name: 'listeners',
            type: '[]',
            versions: '2+',
            fields: [
              { name: 'name', type: 'string', versions: '2+' },
              { name: 'host', type: 'string', versions: '2+' },
              { name: 'port', type: 'uint16', versions: '2+' },
            ],
          },
        ],
      },
    ],
  },
};
