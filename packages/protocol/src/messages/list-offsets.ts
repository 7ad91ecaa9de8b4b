/**
 * ListOffsets (API key 2), versions 0-10, flexible from v6.
 *
 * Request:  replicaId, [isolationLevel v2+],
 *           topics[name, partitions[partitionIndex, [currentLeaderEpoch v4+],
 *                  timestamp, [maxNumOffsets v0]]], [timeoutMs v10+]
 * Response: [throttleTimeMs v2+],
 *           topics[name, partitions[partitionIndex, errorCode,
 *                  [oldStyleOffsets v0], [timestamp, offset v1+], [leaderEpoch v4+]]]
 *
 * v0 answers up to maxNumOffsets offsets, newest first, instead of one offset
 * with its timestamp (Kafka 4.0 dropped it, KIP-896; Runnel keeps it because
 * old clients still send it). v1 returns a single offset with its
 * timestamp; v2 adds the isolation level and throttle time; v3 matches v2
 * (responses go out before throttling); v4 adds currentLeaderEpoch fencing
 * and the answer's leaderEpoch (KIP-320); v5 may answer
 * OFFSET_NOT_AVAILABLE; v6 is the first flexible version; v7 accepts -3,
 * the record with the largest timestamp (KIP-734); v8 -4, the start of the
 * local log (KIP-405); v9 -5, the last offset in tiered storage (KIP-1005);
 * v10 adds timeoutMs for remote lookups (KIP-1075).
 */
import type { ApiDef } from '../schema/types.ts';

export const listOffsets: ApiDef = {
  apiKey: 2,
  name: 'ListOffsets',
  request: {
    name: 'ListOffsetsRequest',
    apiKey: 2,
    kind: 'request',
    validVersions: '0-10',
    flexibleVersions: '6+',
    fields: [
      // -1 for consumers; a broker id for follower replicas; -2 for debugging tools.
      { name: 'replicaId', type: 'int32', versions: '0+' },
      // 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED.
      { name: 'isolationLevel', type: 'int8', versions: '2+', default: 0, ignorable: true },
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
              { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1, ignorable: true },
              // A time in ms, or -1 latest, -2 earliest, -3 max timestamp, -4 earliest local, -5 latest tiered.
              { name: 'timestamp', type: 'int64', versions: '0+' },
              { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1, ignorable: true },
            ],
          },
        ],
      },
      { name: 'timeoutMs', type: 'int32', versions: '10+', default: 0, ignorable: true },
    ],
  },
  response: {
    name: 'ListOffsetsResponse',
    apiKey: 2,
    kind: 'response',
    validVersions: '0-10',
    flexibleVersions: '6+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
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
              { name: 'oldStyleOffsets', type: '[]int64', versions: '0', ignorable: true },
              { name: 'timestamp', type: 'int64', versions: '1+', default: -1n, ignorable: true },
              { name: 'offset', type: 'int64', versions: '1+', default: -1n, ignorable: true },
              { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1, ignorable: true },
            ],
          },
        ],
      },
    ],
  },
};
