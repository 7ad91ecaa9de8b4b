/**
 * Metadata (API key 3), versions 0-6. Flexible from v9, above our range.
 *
 * Request:  topics[name] (nullable v1+), [allowAutoTopicCreation v4+]
 * Response: [throttleTimeMs v3+], brokers[nodeId, host, port, [rack v1+]],
 *           [clusterId v2+], [controllerId v1+],
 *           topics[errorCode, name, [isInternal v1+],
 *                  partitions[errorCode, partitionIndex, leaderId,
 *                  replicaNodes, isrNodes, [offlineReplicas v5+]]]
 *
 * In v0 an empty topic array means "all topics"; from v1 null means all and
 * empty means none. v1 adds rack, controller id and isInternal; v2 adds the
 * cluster id; v3 adds throttle time; v4 adds allowAutoTopicCreation; v5 adds
 * offline replicas; v6 matches v5 (responses go out before throttling).
 */
import type { ApiDef } from '../schema/types.ts';

export const metadata: ApiDef = {
  apiKey: 3,
  name: 'Metadata',
  request: {
    name: 'MetadataRequest',
    apiKey: 3,
    kind: 'request',
    validVersions: '0-6',
    flexibleVersions: '9+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        nullableVersions: '1+',
        fields: [{ name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' }],
      },
      { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true, ignorable: false },
    ],
  },
  response: {
    name: 'MetadataResponse',
    apiKey: 3,
    kind: 'response',
    validVersions: '0-6',
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
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
          { name: 'isInternal', type: 'bool', versions: '1+', default: false, ignorable: true },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'leaderId', type: 'int32', versions: '0+' },
              { name: 'replicaNodes', type: '[]int32', versions: '0+' },
              { name: 'isrNodes', type: '[]int32', versions: '0+' },
              { name: 'offlineReplicas', type: '[]int32', versions: '5+', ignorable: true },
            ],
          },
        ],
      },
    ],
  },
};
