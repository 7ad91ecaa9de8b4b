/**
 * DescribeTopicPartitions (API key 75), version 0. Flexible from v0.
 *
 * Request:  topics[name], responsePartitionLimit, cursor (nullable)[topicName, partitionIndex]
 * Response: throttleTimeMs,
 *           topics[errorCode, name (nullable), topicId, isInternal,
 *                  partitions[errorCode, partitionIndex, leaderId, leaderEpoch,
 *                             replicaNodes, isrNodes,
 *                             eligibleLeaderReplicas (nullable), lastKnownElr (nullable),
 *                             offlineReplicas],
 *                  topicAuthorizedOperations],
 *           nextCursor (nullable)[topicName, partitionIndex]
 *
 * KIP-966's paged alternative to Metadata for admin tools: an empty topic
 * list means every topic; topics come back sorted by name, at most
 * responsePartitionLimit partitions in one answer, starting at the cursor;
 * nextCursor names where the next page starts (null on the last page).
 */
import type { ApiDef, FieldDef } from '../schema/types.ts';

const cursorFields: readonly FieldDef[] = [
  { name: 'topicName', type: 'string', versions: '0+' },
  { name: 'partitionIndex', type: 'int32', versions: '0+' },
];

export const describeTopicPartitions: ApiDef = {
  apiKey: 75,
  name: 'DescribeTopicPartitions',
  request: {
    name: 'DescribeTopicPartitionsRequest',
    apiKey: 75,
    kind: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'topics', type: '[]', versions: '0+', fields: [{ name: 'name', type: 'string', versions: '0+' }] },
      { name: 'responsePartitionLimit', type: 'int32', versions: '0+', default: 2000 },
      { name: 'cursor', type: 'struct', versions: '0+', nullableVersions: '0+', default: null, fields: cursorFields },
    ],
  },
  response: {
    name: 'DescribeTopicPartitionsResponse',
    apiKey: 75,
    kind: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'name', type: 'string', versions: '0+', nullableVersions: '0+' },
          { name: 'topicId', type: 'uuid', versions: '0+', ignorable: true },
          { name: 'isInternal', type: 'bool', versions: '0+', default: false, ignorable: true },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'leaderId', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '0+', default: -1, ignorable: true },
              { name: 'replicaNodes', type: '[]int32', versions: '0+' },
              { name: 'isrNodes', type: '[]int32', versions: '0+' },
              {
                name: 'eligibleLeaderReplicas',
                type: '[]int32',
                versions: '0+',
                nullableVersions: '0+',
                default: null,
              },
              { name: 'lastKnownElr', type: '[]int32', versions: '0+', nullableVersions: '0+', default: null },
              { name: 'offlineReplicas', type: '[]int32', versions: '0+', ignorable: true },
            ],
          },
          // INT32_MIN: not computed (Runnel has no authorizer).
          { name: 'topicAuthorizedOperations', type: 'int32', versions: '0+', default: -2147483648 },
        ],
      },
      {
        name: 'nextCursor',
        type: 'struct',
        versions: '0+',
        nullableVersions: '0+',
        default: null,
        fields: cursorFields,
      },
    ],
  },
};
