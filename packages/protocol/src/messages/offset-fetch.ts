/**
 * OffsetFetch (API key 9), versions 1-7. Flexible from v6: compact strings,
 * arrays and nullables, plus a tagged-field section after each struct.
 *
 * Request:  groupId, topics[ name, partitionIndexes[int32] ]   (topics nullable from v2),
 *           [requireStable v7+]
 * Response: [throttleTimeMs v3+],
 *           topics[ name, partitions[ partitionIndex, committedOffset,
 *                    [committedLeaderEpoch v5+], metadata, errorCode ] ],
 *           [errorCode v2+]
 *
 * v1 reads offsets from the internal offsets topic rather than ZooKeeper; v2 lets
 * a null topic list mean "all topics" and adds the group-level error code; v3 adds
 * the throttle time; v4 matches v3; v5 adds the committed leader epoch; v6 is the
 * first flexible version; v7 adds requireStable (KIP-447): while a transaction
 * holds pending offsets for a partition, answer UNSTABLE_OFFSET_COMMIT for it
 * instead of the last stable offset.
 *
 * Kafka 4.1 defines v1-9 (v0 went in 4.0, KIP-896; v10 is unstable there). v8
 * (KIP-709) moves groupId and topics under a groups[] list and v9 adds the
 * KIP-848 member id and epoch; they are not defined here yet, because the
 * generated types would then make groupId and topics optional for every
 * caller (the broker's OffsetFetch handler and the client's group admin),
 * which must change with them. The ranges of the v0-7 fields already end at 7.
 *
 * The definition covers more than Runnel advertises (api-versions-table.ts):
 * a version is served only once a handler declares it.
 */
import type { ApiDef } from '../schema/types.ts';

export const offsetFetch: ApiDef = {
  apiKey: 9,
  name: 'OffsetFetch',
  request: {
    name: 'OffsetFetchRequest',
    apiKey: 9,
    kind: 'request',
    validVersions: '1-7',
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
      // true: a partition with pending transactional offsets answers UNSTABLE_OFFSET_COMMIT (retriable).
      { name: 'requireStable', type: 'bool', versions: '7+', default: false },
    ],
  },
  response: {
    name: 'OffsetFetchResponse',
    apiKey: 9,
    kind: 'response',
    validVersions: '1-7',
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
    ],
  },
};
