/**
 * Fetch (API key 1), versions 4-11. Flexible from v12, above our range.
 *
 * Request:  replicaId, maxWaitMs, minBytes, maxBytes, isolationLevel,
 *           [sessionId, sessionEpoch v7+],
 *           topics[topic, partitions[partition, [currentLeaderEpoch v9+],
 *                  fetchOffset, [logStartOffset v5+], partitionMaxBytes]],
 *           [forgottenTopicsData[topic, partitions[]] v7+], [rackId v11+]
 * Response: throttleTimeMs, [errorCode, sessionId v7+],
 *           responses[topic, partitions[partitionIndex, errorCode,
 *                  highWatermark, lastStableOffset, [logStartOffset v5+],
 *                  abortedTransactions[producerId, firstOffset] (nullable),
 *                  [preferredReadReplica v11+], records (nullable)]]
 *
 * v4 adds isolation level and aborted transactions (record batch v2); v5 adds
 * log start offsets; v6 may return KAFKA_STORAGE_ERROR; v7 adds incremental
 * fetch sessions; v8 matches v7; v9 adds currentLeaderEpoch (KIP-320); v10
 * allows zstd; v11 adds rackId and preferredReadReplica (KIP-392).
 */
import type { ApiDef } from '../schema/types.ts';

export const fetch: ApiDef = {
  apiKey: 1,
  name: 'Fetch',
  request: {
    name: 'FetchRequest',
    apiKey: 1,
    kind: 'request',
    validVersions: '4-11',
    flexibleVersions: '12+',
    fields: [
      // -1 for consumers; a broker id for follower replicas.
      { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
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
          {
            name: 'partitions',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partition', type: 'int32', versions: '0+' },
              { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1, ignorable: true },
              { name: 'fetchOffset', type: 'int64', versions: '0+' },
              // Only meaningful when a follower replica sends the request.
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n, ignorable: true },
              { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
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
    validVersions: '4-11',
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
    ],
  },
};
