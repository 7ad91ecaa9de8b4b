/**
 * CreateTopics (API key 19), versions 2-7 (Kafka 4.1's range). Flexible from v5.
 *
 * Request:  topics[name, numPartitions, replicationFactor,
 *                  assignments[partitionIndex, brokerIds], configs[name, value]],
 *           timeoutMs, validateOnly
 * Response: throttleTimeMs, topics[name, [topicId v7+], errorCode, errorMessage,
 *                  [topicConfigErrorCode v5+ tag 0], [numPartitions v5+],
 *                  [replicationFactor v5+],
 *                  [configs v5+ (nullable)[name, value, readOnly, configSource, isSensitive]]]
 *
 * v1 adds validateOnly and the per-topic error message; v2 adds throttle
 * time; v3 sends responses before throttling; v4 lets numPartitions and
 * replicationFactor be -1 (broker defaults) without assignments (KIP-464);
 * v5 is flexible and answers with the partitions, replication factor and
 * configs the topic got (KIP-525); v6 may answer THROTTLING_QUOTA_EXCEEDED
 * (KIP-599); v7 returns the new topic's id (KIP-516).
 */
import type { ApiDef } from '../schema/types.ts';

export const createTopics: ApiDef = {
  apiKey: 19,
  name: 'CreateTopics',
  request: {
    name: 'CreateTopicsRequest',
    apiKey: 19,
    kind: 'request',
    validVersions: '2-7',
    flexibleVersions: '5+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          // -1 when assignments are given or the broker default applies.
          { name: 'numPartitions', type: 'int32', versions: '0+' },
          { name: 'replicationFactor', type: 'int16', versions: '0+' },
          {
            // Empty for automatic assignment.
            name: 'assignments',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'brokerIds', type: '[]int32', versions: '0+' },
            ],
          },
          {
            name: 'configs',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
      { name: 'validateOnly', type: 'bool', versions: '1+', default: false, ignorable: false },
    ],
  },
  response: {
    name: 'CreateTopicsResponse',
    apiKey: 19,
    kind: 'response',
    validVersions: '2-7',
    flexibleVersions: '5+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'topicId', type: 'uuid', versions: '7+', ignorable: true },
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+', ignorable: true },
          {
            // Why the configs could not be described, when only that failed.
            name: 'topicConfigErrorCode',
            type: 'int16',
            versions: '5+',
            taggedVersions: '5+',
            tag: 0,
            ignorable: true,
          },
          { name: 'numPartitions', type: 'int32', versions: '5+', default: -1, ignorable: true },
          { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1, ignorable: true },
          {
            name: 'configs',
            type: '[]',
            versions: '5+',
            nullableVersions: '5+',
            ignorable: true,
            fields: [
              { name: 'name', type: 'string', versions: '5+' },
              { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
              { name: 'readOnly', type: 'bool', versions: '5+' },
              { name: 'configSource', type: 'int8', versions: '5+', default: -1, ignorable: true },
              { name: 'isSensitive', type: 'bool', versions: '5+' },
            ],
          },
        ],
      },
    ],
  },
};
