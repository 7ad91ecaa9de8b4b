/**
 * EndTxn (API key 26), version 1 only. Flexible from v3, above our range.
 *
 * Request:  transactionalId, producerId(int64), producerEpoch(int16), committed(bool)
 * Response: throttleTimeMs, errorCode
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied.
 */
import type { ApiDef } from '../schema/types.ts';

export const endTxn: ApiDef = {
  apiKey: 26,
  name: 'EndTxn',
  request: {
    name: 'EndTxnRequest',
    apiKey: 26,
    kind: 'request',
    validVersions: '1',
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
    validVersions: '1',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      { name: 'errorCode', type: 'int16', versions: '0+' },
    ],
  },
};
