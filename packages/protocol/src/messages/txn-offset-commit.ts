/**
 * TxnOffsetCommit (API key 28), versions 0-5 (Kafka 4.1's range). Flexible
 * from v3: compact strings, arrays and nullables, plus a tagged-field
 * section after each struct.
 *
 * Request:  transactionalId, groupId, producerId(int64), producerEpoch(int16),
 *           [generationId v3+], [memberId v3+], [groupInstanceId v3+],
 *           topics[ name, partitions[ partitionIndex, committedOffset(int64),
 *                   [committedLeaderEpoch v2+], committedMetadata ] ]
 * Response: throttleTimeMs, topics[ name, partitions[ partitionIndex, errorCode ] ]
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied; v2 adds the committed leader epoch; v3 adds the group
 * member identity so the coordinator can fence zombie producers by
 * generation (KIP-447); v4 may return TRANSACTION_ABORTABLE (KIP-890); v5 is
 * transaction version 2 (KIP-890 part 2: the offsets partition joins the
 * transaction implicitly, without AddOffsetsToTxn). v4 and v5 add no fields.
 *
 * The definition covers more than Runnel advertises (api-versions-table.ts):
 * a version is served only once a handler declares it.
 */
import type { ApiDef } from '../schema/types.ts';

export const txnOffsetCommit: ApiDef = {
  apiKey: 28,
  name: 'TxnOffsetCommit',
  request: {
    name: 'TxnOffsetCommitRequest',
    apiKey: 28,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'groupId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
      { name: 'memberId', type: 'string', versions: '3+', default: '' },
      { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
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
              { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1, ignorable: true },
              { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'TxnOffsetCommitResponse',
    apiKey: 28,
    kind: 'response',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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
