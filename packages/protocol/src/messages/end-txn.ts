/**
 * EndTxn (API key 26), versions 0-5 (Kafka 4.1's range). Flexible from v3:
 * compact strings and a tagged-field section.
 *
 * Request:  transactionalId, producerId(int64), producerEpoch(int16), committed(bool)
 * Response: throttleTimeMs, errorCode, [producerId(int64) v5+], [producerEpoch(int16) v5+]
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied; v2 may return PRODUCER_FENCED; v3 is the first
 * flexible version; v4 may return TRANSACTION_ABORTABLE (KIP-890); v5 is
 * transaction version 2 (KIP-890 part 2): the coordinator bumps the epoch
 * at every commit or abort and answers with the producer id and epoch the
 * producer must use next.
 *
 * The definition covers more than Runnel advertises (api-versions-table.ts):
 * a version is served only once a handler declares it.
 */
import type { ApiDef } from '../schema/types.ts';

export const endTxn: ApiDef = {
  apiKey: 26,
  name: 'EndTxn',
  request: {
    name: 'EndTxnRequest',
    apiKey: 26,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      // true commits the transaction, false aborts it.
      { name: 'committed', type: 'bool', versions: '0+' },
    ],
  },
  response: {
    name: 'EndTxnResponse',
    apiKey: 26,
    kind: 'response',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      // Ignorable: a coordinator fills them in whatever version it answers, older clients never see them.
      { name: 'producerId', type: 'int64', versions: '5+', default: -1n, ignorable: true },
      { name: 'producerEpoch', type: 'int16', versions: '5+', default: -1, ignorable: true },
    ],
  },
};
