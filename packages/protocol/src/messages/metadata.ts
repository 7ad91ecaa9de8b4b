/**
 * Metadata (API key 3), versions 0-13. Flexible from v9.
 *
 * Request:  topics[[topicId v10+], name (nullable v10+)] (nullable v1+),
 *           [allowAutoTopicCreation v4+],
 *           [includeClusterAuthorizedOperations v8-10],
 *           [includeTopicAuthorizedOperations v8+]
 * Response: [throttleTimeMs v3+], brokers[nodeId, host, port, [rack v1+]],
 *           [clusterId v2+], [controllerId v1+],
 *           topics[errorCode, name (nullable v12+), [topicId v10+],
 *                  [isInternal v1+],
 *                  partitions[errorCode, partitionIndex, leaderId,
 *                  [leaderEpoch v7+], replicaNodes, isrNodes,
 *                  [offlineReplicas v5+]],
 *                  [topicAuthorizedOperations v8+]],
 *           [clusterAuthorizedOperations v8-10], [errorCode v13+]
 *
 * In v0 an empty topic array means "all topics"; from v1 null means all and
 * empty means none. v1 adds rack, controller id and isInternal; v2 adds the
 * cluster id; v3 adds throttle time; v4 adds allowAutoTopicCreation; v5 adds
 * offline replicas; v6 matches v5 (responses go out before throttling); v7
 * adds the leader epoch; v8 the authorized-operations bit fields (INT32_MIN
 * when not asked for); v9 is the first flexible version; v10 adds topic
 * ids; v11 drops the cluster's authorized operations (DescribeCluster has
 * them, KIP-700); v12 lets a client ask by topic id with a null name; v13
 * adds a top-level error code (KIP-1102).
 */
import type { ApiDef } from '../schema/types.ts';

/** Kafka's "authorized operations not requested" value. */
const authorizedOperationsOmitted = -2147483648;

export const metadata: ApiDef = {
  apiKey: 3,
  name: 'Metadata',
  request: {
    name: 'MetadataRequest',
    apiKey: 3,
    kind: 'request',
    validVersions: '0-13',
    flexibleVersions: '9+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        nullableVersions: '1+',
        fields: [
          { name: 'topicId', type: 'uuid', versions: '10+', ignorable: true },
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' },
        ],
      },
      { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true, ignorable: false },
      { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10', ignorable: true },
      { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+', ignorable: true },
    ],
  },
  response: {
    name: 'MetadataResponse',
    apiKey: 3,
    kind: 'response',
    validVersions: '0-13',
    flexibleVersions: '9+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+', ignorable: true },
      {
        name: 'brokers',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'nodeId', type: 'int32', versions: '0+' },
          { name: 'host', type: 'string', versions: '0+' },
          { name: 'port', type: 'int32', versions: '0+' },
          { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null, ignorable: true },
        ],
      },
      { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null, ignorable: true },
      { name: 'controllerId', type: 'int32', versions: '1+', default: -1, ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          // Null only for a topic asked for by an id that does not exist (v12+).
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
          { name: 'topicId', type: 'uuid', versions: '10+', ignorable: true },
          { name: 'isInternal', type: 'bool', versions: '1+', default: false, ignorable: true },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'leaderId', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1, ignorable: true },
              { name: 'replicaNodes', type: '[]int32', versions: '0+' },
              { name: 'isrNodes', type: '[]int32', versions: '0+' },
              { name: 'offlineReplicas', type: '[]int32', versions: '5+', ignorable: true },
            ],
          },
          {
            name: 'topicAuthorizedOperations',
            type: 'int32',
            versions: '8+',
            default: authorizedOperationsOmitted,
            ignorable: true,
          },
        ],
      },
      {
        name: 'clusterAuthorizedOperations',
        type: 'int32',
        versions: '8-10',
        default: authorizedOperationsOmitted,
        ignorable: true,
      },
      { name: 'errorCode', type: 'int16', versions: '13+', ignorable: true },
    ],
  },
};
