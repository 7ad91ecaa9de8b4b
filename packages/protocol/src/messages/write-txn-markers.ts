/**
 * WriteTxnMarkers (API key 27), version 1 only (Kafka 4.1's range). Flexible
 * from v1: compact strings and arrays, a tagged-field section after every struct.
 *
 * Request:  markers[ producerId(int64), producerEpoch(int16), transactionResult(bool),
 *                    topics[ name, partitionIndexes[int32] ], coordinatorEpoch(int32) ]
 * Response: markers[ producerId(int64), topics[ name,
 *                    partitions[ partitionIndex, errorCode ] ] ]
 *
 * Sent by a transaction coordinator to each partition leader to end a
 * transaction there: the leader appends a COMMIT (transactionResult = true)
 * or ABORT control batch for the producer. coordinatorEpoch lets the leader
 * refuse markers from a coordinator that has since lost the transaction's
 * __transaction_state partition. v0 (the same fields, not flexible) was
 * removed in Kafka 4.0 (KIP-896); only brokers send this API.
 *
 * Runnel does not advertise this API yet (api-versions-table.ts).
 */
import type { ApiDef } from '../schema/types.ts';

export const writeTxnMarkers: ApiDef = {
  apiKey: 27,
  name: 'WriteTxnMarkers',
  request: {
    name: 'WriteTxnMarkersRequest',
    apiKey: 27,
    kind: 'request',
    validVersions: '1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'markers',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int16', versions: '0+' },
          // true writes a COMMIT marker, false an ABORT marker.
          { name: 'transactionResult', type: 'bool', versions: '0+' },
          {
            name: 'topics',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'name', type: 'string', versions: '0+' },
              { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
            ],
          },
          { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'WriteTxnMarkersResponse',
    apiKey: 27,
    kind: 'response',
    validVersions: '1',
    flexibleVersions: '1+',
    fields: [
      {
        name: 'markers',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'producerId', type: 'int64', versions: '0+' },
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
    ],
  },
};
