/**
 * Produce (API key 0), versions 0-13, flexible (compact strings, arrays and
 * records, tagged-field sections) from v9.
 *
 * Versions 0-2 are defined (and advertised) although they carry the old
 * message formats, which the broker refuses as data: librdkafka before
 * 2.11 compresses with gzip, snappy or lz4 only when the broker's Produce
 * range includes version 0, and otherwise silently sends uncompressed.
 *
 * Request:  transactionalId (nullable), acks, timeoutMs,
 *           topicData[name v0-12 | topicId v13+, partitionData[index, records (nullable)]]
 * Response: responses[name v0-12 | topicId v13+, partitionResponses[index, errorCode, baseOffset,
 *           logAppendTimeMs, [logStartOffset v5+], [recordErrors[batchIndex,
 *           batchIndexErrorMessage], errorMessage v8+],
 *           [currentLeader (tag 0) v10+]]], throttleTimeMs,
 *           [nodeEndpoints (tag 0) v10+]
 *
 * v1 adds throttleTimeMs to the response; v2 adds logAppendTimeMs;
 * v3 adds transactionalId and record batch v2; v4 may return
 * KAFKA_STORAGE_ERROR; v5 adds logStartOffset to the response; v6 matches v5;
 * v7 allows zstd-compressed batches; v8 (KIP-467) adds the per-partition
 * errorMessage and the indexes of the batches that caused a refusal; v9 is
 * the first flexible version. v10 (KIP-951) lets a NOT_LEADER_OR_FOLLOWER
 * or FENCED_LEADER_EPOCH answer name the partition's current leader and
 * epoch (tagged currentLeader) and that leader's endpoint (tagged
 * nodeEndpoints), so the client skips a Metadata round trip. v11 (KIP-890)
 * may answer TRANSACTION_ABORTABLE. v12 (KIP-890 part 2) is v11 on the
 * wire; it marks a client of transaction version 2, whose transactional
 * batches the broker adds to the transaction itself. v13 (KIP-516) names
 * topics by id instead of name, in the request and the response; an id the
 * broker does not know is UNKNOWN_TOPIC_ID.
 */
import type { ApiDef } from '../schema/types.ts';

export const produce: ApiDef = {
  apiKey: 0,
  name: 'Produce',
  request: {
    name: 'ProduceRequest',
    apiKey: 0,
    kind: 'request',
    validVersions: '0-13',
    flexibleVersions: '9+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
      // 0 = no acks, 1 = leader only, -1 = full ISR.
      { name: 'acks', type: 'int16', versions: '0+' },
      { name: 'timeoutMs', type: 'int32', versions: '0+' },
      {
        name: 'topicData',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0-12', default: '' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          {
            name: 'partitionData',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
            ],
          },
        ],
      },
    ],
  },
  response: {
    name: 'ProduceResponse',
    apiKey: 0,
    kind: 'response',
    validVersions: '0-13',
    flexibleVersions: '9+',
    fields: [
      {
        name: 'responses',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0-12', default: '' },
          { name: 'topicId', type: 'uuid', versions: '13+' },
          {
            name: 'partitionResponses',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'index', type: 'int32', versions: '0+' },
              { name: 'errorCode', type: 'int16', versions: '0+' },
              { name: 'baseOffset', type: 'int64', versions: '0+' },
              // -1 unless the topic uses LogAppendTime.
              { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1n, ignorable: true },
              { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1n, ignorable: true },
              {
                name: 'recordErrors',
                type: '[]',
                versions: '8+',
                ignorable: true,
                fields: [
                  { name: 'batchIndex', type: 'int32', versions: '8+' },
                  {
                    name: 'batchIndexErrorMessage',
                    type: 'string',
                    versions: '8+',
                    nullableVersions: '8+',
                    default: null,
                  },
                ],
              },
              {
                name: 'errorMessage',
                type: 'string',
                versions: '8+',
                nullableVersions: '8+',
                default: null,
                ignorable: true,
              },
              // Filled only on NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH.
              {
                name: 'currentLeader',
                type: 'struct',
                versions: '10+',
                taggedVersions: '10+',
                tag: 0,
                fields: [
                  { name: 'leaderId', type: 'int32', versions: '10+', default: -1 },
                  { name: 'leaderEpoch', type: 'int32', versions: '10+', default: -1 },
                ],
              },
            ],
          },
        ],
      },
      { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0, ignorable: true },
      // The endpoints of the leaders named in currentLeader.
      {
        name: 'nodeEndpoints',
        type: '[]',
        versions: '10+',
        taggedVersions: '10+',
        tag: 0,
        fields: [
          { name: 'nodeId', type: 'int32', versions: '10+' },
          { name: 'host', type: 'string', versions: '10+' },
          { name: 'port', type: 'int32', versions: '10+' },
          { name: 'rack', type: 'string', versions: '10+', nullableVersions: '10+', default: null },
        ],
      },
    ],
  },
};
