/**
 * OffsetForLeaderEpoch (API key 23), versions 2-4, flexible from v4. Kafka
 * 4.0 dropped v0-1 (KIP-896).
 *
 * Request:  [replicaId v3+], topics[topic, partitions[partition,
 *           currentLeaderEpoch, leaderEpoch]]
 * Response: throttleTimeMs, topics[topic, partitions[errorCode, partition,
 *           leaderEpoch, endOffset]]
 *
 * For each partition: the largest leader epoch at or below `leaderEpoch`
 * that the leader's log knows, and the offset where it ends there (the
 * start of the next epoch, or the log end). A consumer (KIP-320) asks it
 * after a leader change to learn whether the log it read was truncated;
 * a follower (KIP-101) asks it to find where to truncate. v2 adds
 * currentLeaderEpoch fencing and throttleTimeMs; v3 adds replicaId (-1 a
 * consumer, -2 the default: a debugging tool, a broker id: a follower);
 * v4 is the first flexible version.
 */
import type { ApiDef } from '../schema/types.ts';

export const offsetForLeaderEpoch: ApiDef = {
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  request: {
    name: 'OffsetForLeaderEpochRequest',
    apiKey: 23,
    kind: 'request',
    validVersions: '2-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'replicaId', type: 'int32', versions: '3+', default: -2, ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partition', type: 'int32', versions: '0+' },
              // -1: no fencing check.
              { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1, ignorable: true },
              { name: 'leaderEpoch', type: 'int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'OffsetForLeaderEpochResponse',
    apiKey: 23,
    kind: 'response',
    validVersions: '2-4',
    flexibleVersions: '4+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '2+', ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0+' },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1, ignorable: true },
              { name: 'endOffset', type: 'int64', versions: '0+', default: -1n },
            ],
          },
        ],
      },
    ],
  },
};
