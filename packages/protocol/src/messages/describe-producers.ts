/**
 * DescribeProducers (API key 61), version 0 only (Kafka 4.1's range).
 * Flexible from v0: compact strings and arrays, a tagged-field section after
 * every struct.
 *
 * Request:  topics[ name, partitionIndexes[int32] ]
 * Response: throttleTimeMs, topics[ name, partitions[ partitionIndex, errorCode,
 *             errorMessage (nullable), activeProducers[ producerId(int64),
 *             producerEpoch(int32), lastSequence, lastTimestamp(int64),
 *             coordinatorEpoch, currentTxnStartOffset(int64) ] ] ]
 *
 * Sent to a partition leader (KIP-664) to list the producers its
 * producer-state table holds, so an operator can find a hanging
 * transaction: currentTxnStartOffset is the first offset of the producer's
 * open transaction, -1 if none. producerEpoch is an int32 on the wire,
 * although epochs are int16 everywhere else; Kafka's definition has it so.
 *
 * Runnel does not advertise this API yet (api-versions-table.ts).
 */
import type { ApiDef } from '../schema/types.ts';

export const describeProducers: ApiDef = {
  apiKey: 61,
  name: 'DescribeProducers',
  request: {
    name: 'DescribeProducersRequest',
    apiKey: 61,
    kind: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      {
        name: 'topics',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitionIndexes', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'DescribeProducersResponse',
    apiKey: 61,
    kind: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
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
              { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
              {
                name: 'activeProducers',
                type: '[]',
                versions: '0+',
                fields: [
                  { name: 'producerId', type: 'int64', versions: '0+' },
                  { name: 'producerEpoch', type: 'int32', versions: '0+' },
                  { name: 'lastSequence', type: 'int32', versions: '0+', default: -1 },
                  { name: 'lastTimestamp', type: 'int64', versions: '0+', default: -1n },
                  { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
                  // -1 when the producer has no open transaction on this partition.
                  { name: 'currentTxnStartOffset', type: 'int64', versions: '0+', default: -1n },
                ],
              },
            ],
          },
        ],
      },
    ],
  },
};
