/**
 * OffsetCommit (API key 8), versions 2-9. Flexible from v8: compact strings and
 * arrays, plus a tagged-field section after each struct.
 *
 * Request:  groupId, generationId, memberId, [groupInstanceId v7+], [retentionTimeMs v2-4],
 *           topics[ name, partitions[ partitionIndex, committedOffset,
 *                    [committedLeaderEpoch v6+], committedMetadata ] ]
 * Response: [throttleTimeMs v3+], topics[ name, partitions[ partitionIndex, errorCode ] ]
 *
 * v2 adds the retention time; v3-v4 match v2 (v3 adds the response throttle time);
 * v5 drops the retention time (a broker setting since then); v6 adds the leader
 * epoch used for fencing; v7 adds the static-membership instance id; v8 is the
 * first flexible version; v9 has v8's layout and is the first version a KIP-848
 * consumer may send (generationId then carries its member epoch). For a classic
 * group v9 means one thing more: a commit with a generation (>= 0) to a group
 * that does not exist answers GROUP_ID_NOT_FOUND, where v2-8 answer
 * ILLEGAL_GENERATION.
 *
 * Kafka 4.1 defines v10 (topic ids instead of names, KIP-848) but marks it
 * unstable there (brokers do not advertise it by default), so it stops at 9.
 */
import type { ApiDef } from '../schema/types.ts';

export const offsetCommit: ApiDef = {
  apiKey: 8,
  name: 'OffsetCommit',
  request: {
    name: 'OffsetCommitRequest',
    apiKey: 8,
    kind: 'request',
    validVersions: '2-9',
    flexibleVersions: '8+',
    fields: [
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '1+', default: -1, ignorable: true },
      { name: 'memberId', type: 'string', versions: '1+', ignorable: true },
      { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
      // -1 asks the broker to apply its own offsets.retention.minutes.
      { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1n, ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'committedOffset', type: 'int64', versions: '0+' },
              { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1, ignorable: true },
              { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetCommitResponse',
    apiKey: 8,
    kind: 'response',
    validVersions: '2-9',
    flexibleVersions: '8+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '3+', ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
