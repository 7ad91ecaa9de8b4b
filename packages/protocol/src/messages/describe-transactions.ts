/**
 * DescribeTransactions (API key 65), version 0 only (Kafka 4.1's range).
 * Flexible from v0: compact strings and arrays, a tagged-field section after
 * every struct.
 *
 * Request:  transactionalIds[string]
 * Response: throttleTimeMs, transactionStates[ errorCode, transactionalId,
 *             transactionState, transactionTimeoutMs, transactionStartTimeMs(int64),
 *             producerId(int64), producerEpoch(int16), topics[ topic, partitions[int32] ] ]
 *
 * Sent to the transaction coordinator of each id (KIP-664). transactionState
 * is the coordinator's state name as text ("Empty", "Ongoing",
 * "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort",
 * "Dead", "PrepareEpochFence"); topics lists the partitions in the
 * transaction that have no marker yet. An empty id list answers nothing.
 *
 * Runnel does not advertise this API yet (api-versions-table.ts).
 */
import type { ApiDef } from '../schema/types.ts';

export const describeTransactions: ApiDef = {
  apiKey: 65,
  name: 'DescribeTransactions',
  request: {
    name: 'DescribeTransactionsRequest',
    apiKey: 65,
    kind: 'request',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [{ name: 'transactionalIds', type: '[]string', versions: '0+' }],
  },
  response: {
    name: 'DescribeTransactionsResponse',
    apiKey: 65,
    kind: 'response',
    validVersions: '0',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      {
        name: 'transactionStates',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'errorCode', type: 'int16', versions: '0+' },
          { name: 'transactionalId', type: 'string', versions: '0+' },
          { name: 'transactionState', type: 'string', versions: '0+' },
          { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
          { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'producerEpoch', type: 'int16', versions: '0+' },
          {
            name: 'topics',
            type: '[]',
            versions: '0+',
            fields: [
              { name: 'topic', type: 'string', versions: '0+' },
              { name: 'partitions', type: '[]int32', versions: '0+' },
            ],
          },
        ],
      },
    ],
  },
};
