/**
 * InitProducerId (API key 22), versions 0-5 (Kafka 4.1's stable range).
 * Flexible from v2: compact strings and a tagged-field section after every struct.
 *
 * Request:  transactionalId (nullable), transactionTimeoutMs,
 *           [producerId, producerEpoch v3+]
 * Response: throttleTimeMs, errorCode, producerId, producerEpoch
 *
 * v1 matches v0 (responses go out before throttling); v2 is the first
 * flexible version; v3 lets a producer pass its current id and epoch so the
 * epoch can be bumped instead of a new id being allocated (KIP-360); v4 may
 * return PRODUCER_FENCED; v5 may return TRANSACTION_ABORTABLE (KIP-890).
 * Kafka 4.1's v6 (two-phase commit, KIP-939) is marked unstable there and
 * is left out.
 *
 * The definition covers more than Runnel advertises (api-versions-table.ts):
 * a version is served only once a handler declares it.
 */
import type { ApiDef } from '../schema/types.ts';

export const initProducerId: ApiDef = {
  apiKey: 22,
  name: 'InitProducerId',
  request: {
    name: 'InitProducerIdRequest',
    apiKey: 22,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '2+',
    fields: [
      // Null for an idempotent producer that is not transactional.
      { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
      { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
      // -1 unless the producer asks to bump the epoch of an id it already has.
      { name: 'producerId', type: 'int64', versions: '3+', default: -1n },
      { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
    ],
  },
  response: {
    name: 'InitProducerIdResponse',
    apiKey: 22,
    kind: 'response',
    validVersions: '0-5',
    flexibleVersions: '2+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+', ignorable: true },
      { name: 'errorCode', type: 'int16', versions: '0+' },
      { name: 'producerId', type: 'int64', versions: '0+', default: -1n },
      { name: 'producerEpoch', type: 'int16', versions: '0+' },
    ],
  },
};
