/**
 * AddPartitionsToTxn (API key 24), versions 0-1. Flexible from v3, above our range.
 *
 * Request:  v3AndBelowTransactionalId, v3AndBelowProducerId(int64), v3AndBelowProducerEpoch(int16),
 *           v3AndBelowTopics[ name, partitions[int32] ]
 * Response: throttleTimeMs, resultsByTopicV3AndBelow[ name, resultsByPartition[ partitionIndex,
 *           partitionErrorCode ] ]
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied. The "V3AndBelow" names come from the spec, where v4+
 * (broker-to-broker batching, outside our range) moved these under a
 * per-transaction list.
 */
import type { ApiDef } from '../schema/types.ts';

export const addPartitionsToTxn: ApiDef = {
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  request: {
    name: 'AddPartitionsToTxnRequest',
    apiKey: 24,
    kind: 'request',
    validVersions: '0-1',
    flexibleVersions: '3+',
    fields: [
      { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
      { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
      { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
      {
        name: 'v3AndBelowTopics',
        type: '[]',
        versions: '0-3',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          { name: 'partitions', type: '[]int32', versions: '0+' },
        ],
      },
    ],
  },
  response: {
    name: 'AddPartitionsToTxnResponse',
    apiKey: 24,
    kind: 'response',
    validVersions: '0-1',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'resultsByTopicV3AndBelow',
        type: '[]',
        versions: '0-3',
        fields: [
          { name: 'name', type: 'string', versions: '0+' },
          {
            name: 'resultsByPartition',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'partitionIndex', type: 'int32', versions: '0+' },
              { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
