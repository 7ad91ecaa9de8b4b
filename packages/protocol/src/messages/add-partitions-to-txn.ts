/**
 * AddPartitionsToTxn (API key 24), versions 0-5 (Kafka 4.1's range).
 * Flexible from v3: compact strings and arrays, a tagged-field section after
 * every struct.
 *
 * Request v0-3 (a producer adds partitions to its own transaction):
 *   v3AndBelowTransactionalId, v3AndBelowProducerId(int64), v3AndBelowProducerEpoch(int16),
 *   v3AndBelowTopics[ name, partitions[int32] ]
 * Request v4+ (broker to coordinator, batched, KIP-890 part 1):
 *   transactions[ transactionalId, producerId(int64), producerEpoch(int16), verifyOnly(bool),
 *                 topics[ name, partitions[int32] ] ]
 * Response v0-3: throttleTimeMs, resultsByTopicV3AndBelow[ name, resultsByPartition[
 *                  partitionIndex, partitionErrorCode ] ]
 * Response v4+:  throttleTimeMs, errorCode,
 *                resultsByTransaction[ transactionalId, topicResults[ name,
 *                  resultsByPartition[ partitionIndex, partitionErrorCode ] ] ]
 *
 * v1 differs from v0 only in that throttled responses are sent before the
 * throttle is applied; v2 may return PRODUCER_FENCED; v3 is the first
 * flexible version; v4 replaces the single transaction by a list, sent by a
 * partition leader that asks the coordinator whether a transactional
 * batch's partition is already in the transaction (verifyOnly = true) before
 * appending it; v5 may return TRANSACTION_ABORTABLE (KIP-890). Clients use
 * v0-3 only, so the v0-3 fields keep the spec's "V3AndBelow" names.
 *
 * The definition covers more than Runnel advertises (api-versions-table.ts):
 * a version is served only once a handler declares it.
 */
import type { ApiDef, FieldDef } from '../schema/types.ts';

/** One topic's partitions; the same struct in the v0-3 and v4+ layouts. */
const topicFields: readonly FieldDef[] = [
  { name: 'name', type: 'string', versions: '0+' },
  { name: 'partitions', type: '[]int32', versions: '0+' },
];

/** One topic's per-partition results; the same struct in the v0-3 and v4+ layouts. */
const topicResultFields: readonly FieldDef[] = [
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
];

export const addPartitionsToTxn: ApiDef = {
  apiKey: 24,
  name: 'AddPartitionsToTxn',
  request: {
    name: 'AddPartitionsToTxnRequest',
    apiKey: 24,
    kind: 'request',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      {
        name: 'transactions',
        type: '[]',
        versions: '4+',
        fields: [
          { name: 'transactionalId', type: 'string', versions: '4+' },
          { name: 'producerId', type: 'int64', versions: '4+' },
          { name: 'producerEpoch', type: 'int16', versions: '4+' },
          // true: only check that the partitions are already in the transaction; add nothing.
          { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
          { name: 'topics', type: '[]', versions: '4+', fields: topicFields },
        ],
      },
      { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
      { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
      { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
      { name: 'v3AndBelowTopics', type: '[]', versions: '0-3', fields: topicFields },
    ],
  },
  response: {
    name: 'AddPartitionsToTxnResponse',
    apiKey: 24,
    kind: 'response',
    validVersions: '0-5',
    flexibleVersions: '3+',
    fields: [
      { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
      // A whole-request error (v4+); per-partition errors stay per partition.
      { name: 'errorCode', type: 'int16', versions: '4+', ignorable: true },
      {
        name: 'resultsByTransaction',
        type: '[]',
        versions: '4+',
        fields: [
          { name: 'transactionalId', type: 'string', versions: '4+' },
          { name: 'topicResults', type: '[]', versions: '4+', fields: topicResultFields },
        ],
      },
      { name: 'resultsByTopicV3AndBelow', type: '[]', versions: '0-3', fields: topicResultFields },
    ],
  },
};
