/**
 * ListTransactions (API key 66), versions 0-2 (Kafka 4.1's range). Flexible
 * from v0: compact strings and arrays, a tagged-field section after every struct.
 *
 * Request:  stateFilters[string], producerIdFilters[int64], [durationFilter(int64) v1+],
 *           [transactionalIdPattern (nullable) v2+]
 * Response: throttleTimeMs, errorCode, unknownStateFilters[string],
 *           transactionStates[ transactionalId, producerId(int64), transactionState ]
 *
 * Sent to every broker (KIP-664); each lists the transactional ids its
 * coordinator partitions hold. Empty filter lists match everything. v1 adds
 * durationFilter: only transactions open longer than that many
 * milliseconds, -1 (any negative) for all. v2 adds transactionalIdPattern:
 * a regular expression over the ids, null or empty for all.
 *
 * Runnel does not advertise this API yet (api-versions-table.ts).
 */
import type { ApiDef } from '../schema/types.ts';

export const listTransactions: ApiDef = {
  apiKey: 66,
  name: 'ListTransactions',
  request: {
    name: 'ListTransactionsRequest',
    apiKey: 66,
    kind: 'request',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      { name: 'stateFilters', type: '[]string', versions: '0+' },
      { name: 'producerIdFilters', type: '[]int64', versions: '0+' },
      { name: 'durationFilter', type: 'int64', versions: '1+', default: -1n },
      {
        name: 'transactionalIdPattern',
        type: 'string',
        versions: '2+',
        nullableVersions: '2+',
        default: null,
      },
    ],
  },
  response: {
    name: 'ListTransactionsResponse',
    apiKey: 66,
    kind: 'response',
    validVersions: '0-2',
    flexibleVersions: '0+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      // Requested states this coordinator does not know; the known ones still filter.
      { name: 'unknownStateFilters', type: '[]string', versions: '0+' },
      {
        name: 'transactionStates',
        type: '[]',
        versions: '0+',
        fields: [
          { name: 'transactionalId', type: 'string', versions: '0+' },
          { name: 'producerId', type: 'int64', versions: '0+' },
          { name: 'transactionState', type: 'string', versions: '0+' },
        ],
      },
    ],
  },
};
