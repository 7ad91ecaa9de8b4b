/**
 * OffsetFetch (API key 9), versions 1-9. Flexible from v6: compact strings,
 * arrays and nullables, plus a tagged-field section after each struct.
 *
 * Request v1-7: groupId, topics[ name, partitionIndexes[int32] ] (topics nullable from v2),
 *               [requireStable v7]
 * Request v8+:  groups[ groupId, [memberId v9+], [memberEpoch v9+],
 *                       topics[ name, partitionIndexes[int32] ] (nullable) ],
 *               requireStable
 * Response v1-7: [throttleTimeMs v3+],
 *                topics[ name, partitions[ partitionIndex, committedOffset,
 *                         [committedLeaderEpoch v5+], metadata, errorCode ] ],
 *                [errorCode v2+]
 * Response v8+:  throttleTimeMs,
 *                groups[ groupId, topics[ name, partitions[ partitionIndex, committedOffset,
 *                         committedLeaderEpoch, metadata, errorCode ] ], errorCode ]
 *
 * v1 reads offsets from the internal offsets topic rather than ZooKeeper; v2 lets
 * a null topic list mean "all topics" and adds the group-level error code; v3 adds
 * the throttle time; v4 matches v3; v5 adds the committed leader epoch; v6 is the
 * first flexible version; v7 adds requireStable (KIP-447): while a transaction
 * holds pending offsets for a partition, answer UNSTABLE_OFFSET_COMMIT for it
 * instead of the last stable offset. v8 (KIP-709) asks for several groups at
 * once: each group has its own topics and its own error code. v9 adds the
 * KIP-848 member id and member epoch, checked for consumer-protocol groups only
 * (a classic group ignores them, as Kafka does).
 *
 * Kafka 4.1 defines v10 (topic ids instead of names) but marks it unstable
 * there, so it stops at 9. v0 left Kafka in 4.0 (KIP-896).
 */
import type { ApiDef } from '../schema/types.ts';

export const offsetFetch: ApiDef = {
  apiKey: 9,
  name: 'OffsetFetch',
  request: {
    name: 'OffsetFetchRequest',
    apiKey: 9,
    kind: 'request',
    validVersions: '1-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0-7' },
      {
        // null (v2+) asks for every topic the group has committed offsets for.
        name: 'topics',
        type: '[]',
        versions: '0-7',
        nullableVersions: '2-7',
        fields: [
          { name: 'name', type: 'string', versions: '0-7' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0-7' },
        ],
      },
      {
        name: 'groups',
        type: '[]',
        versions: '8+',
        fields: [
          { name: 'groupId', type: 'string', versions: '8+' },
          // KIP-848 members name themselves; classic consumers send null and -1.
          { name: 'memberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null, ignorable: true },
          { name: 'memberEpoch', type: 'int32', versions: '9+', default: -1, ignorable: true },
          {
            name: 'topics',
            type: '[]',
            versions: '8+',
            nullableVersions: '8+',
            fields: [
              { name: 'name', type: 'string', versions: '8+' },
              { name: 'partitionIndexes', type: '[]int32', versions: '8+' },
            ],
          },
        ],
      },
      // true: a partition with pending transactional offsets answers UNSTABLE_OFFSET_COMMIT (retriable).
      { name: 'requireStable', type: 'bool', versions: '7+', default: false },
    ],
  },
  response: {
    name: 'OffsetFetchResponse',
    apiKey: 9,
    kind: 'response',
    validVersions: '1-9',
    flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+', ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0-7',
        fields: [
          { name: 'name', type: 'string', versions: '0-7' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0-7',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0-7' },
              // -1 when the group has no committed offset for the partition.
              { name: 'committedOffset', type: 'int64', versions: '0-7' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '5-7', default: -1, ignorable: true },
              { name: 'metadata', type: 'string', versions: '0-7', nullableVersions: '0-7' },
              { name: 'errorCode', type: 'int16', versions: '0-7' },
            ],
          },
        ],
      },
      // Group-level error (e.g. coordinator not available); partition errors stay per partition.
      { name: 'errorCode', type: 'int16', versions: '2-7', default: 0, ignorable: true },
      {
        name: 'groups',
        type: '[]',
        versions: '8+',
        fields: [
          { name: 'groupId', type: 'string', versions: '8+' },
          {
            name: 'topics',
            type: '[]',
            versions: '8+',
            fields: [
              { name: 'name', type: 'string', versions: '8+' },
              {
                name: 'partitions',
                type: '[]',
                versions: '8+',
                fields: [
                  { name: 'partitionIndex', type: 'int32', versions: '8+' },
                  { name: 'committedOffset', type: 'int64', versions: '8+' },
                  { name: 'committedLeaderEpoch', type: 'int32', versions: '8+', default: -1, ignorable: true },
                  { name: 'metadata', type: 'string', versions: '8+', nullableVersions: '8+' },
                  { name: 'errorCode', type: 'int16', versions: '8+' },
                ],
              },
            ],
          },
          // This group's error (e.g. NOT_COORDINATOR): each group of a batch may have its own coordinator.
          { name: 'errorCode', type: 'int16', versions: '8+', default: 0, ignorable: true },
        ],
      },
    ],
  },
};
