/**
 * AddOffsetsToTxn (API key 25), versions 0-4 (Kafka 4.1's range). Flexible
 * from v3: compact strings and a tagged-field section.
 *
 * Request:  transactionalId, producerId(int64), producerEpoch(int16), groupId
 * Response: throttleTimeMs, errorCode
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied; v2 may return PRODUCER_FENCED; v3 is the first
 * flexible version; v4 may return TRANSACTION_ABORTABLE (KIP-890). The
 * fields never change.
 *
 * The definition covers more than Runnel advertises (api-versions-table.ts):
 * a version is served only once a handler declares it.
 */
import type { ApiDef } from '../schema/types.ts';

export const addOffsetsToTxn: ApiDef = {
  apiKey: 25,
  name: 'AddOffsetsToTxn',
  request: {
    name: 'AddOffsetsToTxnRequest',
    apiKey: 25,
    kind: 'request',
    validVersions: '0-4',
    flexibleVersions: '3+',
    fields: [
      { name: 'transactionalId', type: 'string', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+' },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
      // The consumer group whose offsets partition joins the transaction.
      { name: 'groupId', type: 'string', versions: '0+' },
    ],
  },
  response: {
    name: 'AddOffsetsToTxnResponse',
    apiKey: 25,
    kind: 'response',
    validVersions: '0-4',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
};
