/**
 * Fetch (API key 1), versions 4-18, flexible (compact encodings, tagged
 * fields) from v12. Kafka 4.0 dropped v0-3 (KIP-896).
 *
 * Request:  [clusterId (tag 0) v12+], replicaId (v0-14),
 *           [replicaState{replicaId, replicaEpoch} (tag 1) v15+],
 *           maxWaitMs, minBytes, maxBytes, isolationLevel,
 *           [sessionId, sessionEpoch v7+],
 *           topics[topic (v0-12) | topicId (v13+), partitions[partition,
 *                  [currentLeaderEpoch v9+], fetchOffset, [lastFetchedEpoch v12+],
 *                  [logStartOffset v5+], partitionMaxBytes,
 *                  [replicaDirectoryId (tag 0) v17+], [highWatermark (tag 1) v18+]]],
 *           [forgottenTopicsData[topic (v7-12) | topicId (v13+), partitions[]] v7+],
 *           [rackId v11+]
 * Response: throttleTimeMs, [errorCode, sessionId v7+],
 *           responses[topic (v0-12) | topicId (v13+), partitions[partitionIndex,
 *                  errorCode, highWatermark, lastStableOffset, [logStartOffset v5+],
 *                  [divergingEpoch{epoch, endOffset} (tag 0) v12+],
 *                  [currentLeader{leaderId, leaderEpoch} (tag 1) v12+],
 *                  [snapshotId{endOffset, epoch} (tag 2) v12+],
 *                  abortedTransactions[producerId, firstOffset] (nullable),
 *                  [preferredReadReplica v11+], records (nullable)]],
 *           [nodeEndpoints[nodeId, host, port, rack] (tag 0) v16+]
 *
 * v4 adds isolation level and aborted transactions (record batch v2); v5 adds
 * log start offsets; v6 may return KAFKA_STORAGE_ERROR; v7 adds incremental
 * fetch sessions; v8 matches v7; v9 adds currentLeaderEpoch (KIP-320); v10
 * allows zstd; v11 adds rackId and preferredReadReplica (KIP-392). v12 is
 * the first flexible version and adds lastFetchedEpoch, so the leader can
 * answer a diverging epoch when the fetcher's history is not its own
 * (KIP-320/KIP-595). v13 names topics by id (KIP-516; UNKNOWN_TOPIC_ID);
 * v14 may answer OFFSET_MOVED_TO_TIERED_STORAGE (KIP-405); v15 moves the
 * replica id into the tagged replicaState with the broker epoch (KIP-903);
 * v16 (KIP-951) lists the endpoints of the leaders named in currentLeader;
 * v17 adds the follower's directory id (KIP-853); v18 the follower's high
 * watermark (KIP-1166). The last two are followers' fields: a consumer
 * leaves them at their defaults.
 */
import type { ApiDef } from '../schema/types.ts';

export const fetch: ApiDef = {
  apiKey: 1,
  name: 'Fetch',
  request: {
    name: 'FetchRequest',
    apiKey: 1,
    kind: 'request',
    validVersions: '4-18',
    flexibleVersions: '12+',
    fields: [
      {
        name: 'clusterId',
        type: 'string',
        versions: '12+',
        nullableVersions: '12+',
        taggedVersions: '12+',
        tag: 0,
        default: null,
        ignorable: true,
      },
      // -1 for consumers; a broker id for follower replicas. From v15 in replicaState.
      { name: 'replicaId', type: 'int32', versions: '0-14', default: -1, ignorable: true },
      {
        name: 'replicaState',
        type: 'struct',
        versions: '15+',
        taggedVersions: '15+',
        tag: 1,
        ignorable: true,
        fields: [
          { name: 'replicaId', type: 'int32', versions: '15+', default: -1 },
          { name: 'replicaEpoch', type: 'int64', versions: '15+', default: -1n },
        ],
      },
      { name: 'maxWaitMs', type: 'int32', versions: '0+' },
      { name: 'minBytes', type: 'int32', versions: '0+' },
      { name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff, ignorable: true },
      // 0 = READ_UNCOMMITTED, 1 = READ_COMMITTED.
      { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0, ignorable: true },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0, ignorable: true },
      { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1, ignorable: true },
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0-12', ignorable: true },
          { name: 'topicId', type: 'uuid', versions: '13+', ignorable: true },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1, ignorable: true },
              { name: 'fetchOffset', type: 'int64', versions: '0+' },
              // The epoch of the batch before fetchOffset in the fetcher's log, -1 when unknown.
              { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1, ignorable: true },
              // Only meaningful when a follower replica sends the request.
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n, ignorable: true },
              { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
              {
                name: 'replicaDirectoryId',
                type: 'uuid',
                versions: '17+',
                taggedVersions: '17+',
                tag: 0,
                ignorable: true,
              },
              {
                // A follower's high watermark; the default says "not sent".
                name: 'highWatermark',
                type: 'int64',
                versions: '18+',
                taggedVersions: '18+',
                tag: 1,
                default: 0x7fffffffffffffffn,
                ignorable: true,
              },
            ],
          },
        ],
      },
      {
        // Partitions an incremental fetch session should stop tracking.
        name: 'forgottenTopicsData',
        type: '[]',
        versions: '7+',
        ignorable: false,
        fields: [
          { name: 'topic', type: 'string', versions: '7-12', ignorable: true },
          { name: 'topicId', type: 'uuid', versions: '13+', ignorable: true },
          { name: 'partitions', type: '[]int32', versions: '7+' },
        ],
      },
      { name: 'rackId', type: 'string', versions: '11+', default: '', ignorable: true },
    ],
  },
  response: {
    name: 'FetchResponse',
    apiKey: 1,
    kind: 'response',
    validVersions: '4-18',
    flexibleVersions: '12+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '7+', ignorable: true },
      { name: 'sessionId', type: 'int32', versions: '7+', default: 0, ignorable: false },
      {
        name: 'responses',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'topic', type: 'string', versions: '0-12', ignorable: true },
          { name: 'topicId', type: 'uuid', versions: '13+', ignorable: true },
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'highWatermark', type: 'int64', versions: '0+' },
              { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1n, ignorable: true },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n, ignorable: true },
              {
                // Set when the fetcher's lastFetchedEpoch ends earlier here than its fetchOffset: truncate to it.
                name: 'divergingEpoch',
                type: 'struct',
                versions: '12+',
                taggedVersions: '12+',
                tag: 0,
                ignorable: true,
                fields: [
                  { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                  { name: 'endOffset', type: 'int64', versions: '12+', default: -1n },
                ],
              },
              {
                // Filled on NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH (KIP-951).
                name: 'currentLeader',
                type: 'struct',
                versions: '12+',
                taggedVersions: '12+',
                tag: 1,
                ignorable: true,
                fields: [
                  { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
                  { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
                ],
              },
              {
                // KRaft's metadata log only; never set by a data broker.
                name: 'snapshotId',
                type: 'struct',
                versions: '12+',
                taggedVersions: '12+',
                tag: 2,
                ignorable: true,
                fields: [
                  { name: 'endOffset', type: 'int64', versions: '12+', default: -1n },
                  { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
                ],
              },
              {
                // Null or empty unless the consumer reads committed.
                name: 'abortedTransactions',
                type: '[]',
                versions: '4+',
                nullableVersions: '4+',
                ignorable: true,
                fields: [
                  { name: 'producerId', type: 'int64', versions: '4+' },
                  { name: 'firstOffset', type: 'int64', versions: '4+' },
                ],
              },
              { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1, ignorable: false },
              { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
      {
        // The endpoints of the leaders named in currentLeader (KIP-951).
        name: 'nodeEndpoints',
        type: '[]',
        versions: '16+',
        taggedVersions: '16+',
        tag: 0,
        ignorable: true,
        fields: [
          { name: 'nodeId', type: 'int32', versions: '16+' },
          { name: 'host', type: 'string', versions: '16+' },
          { name: 'port', type: 'int32', versions: '16+' },
          { name: 'rack', type: 'string', versions: '16+', nullableVersions: '16+', default: null },
        ],
      },
    ],
  },
};
