/**
 * WriteTxnMarkers (key 27, v1): a transaction coordinator, or an admin tool
 * ending a hanging transaction (Kafka's Admin.abortTransaction), asks this
 * broker to write COMMIT or ABORT markers on partitions it leads. The work
 * is transactions/txn-marker-apply.ts's (shared with the brokers' gRPC
 * TxnMarkers service); this handler only reshapes the request and answer:
 * every listed partition gets its Kafka code (NONE once the marker is
 * committed, acks=all). Markers are answered in request order.
 */
import { assert } from '@runnel/common';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '@runnel/protocol';
import { applyTxnMarkers, type TxnMarkerEntry, type TxnMarkerHost } from '../transactions/txn-marker-apply.ts';
import type { Handler } from './handler.ts';

export function writeTxnMarkersHandler(host: TxnMarkerHost): Handler<27> {
  return {
    apiKey: 27,
    // v0 left Kafka in 4.0 (KIP-896); v1 is the flexible version.
    minVersion: 1,
    maxVersion: 1,
    async handle(request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> {
      const entries: TxnMarkerEntry[] = request.markers.map((m) => ({
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        coordinatorEpoch: m.coordinatorEpoch,
        result: m.transactionResult ? 'commit' : 'abort',
        partitions: m.topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition }))),
      }));
      const answers = await applyTxnMarkers(host, entries);
      return {
        markers: request.markers.map((m, i) => {
          const codes = answers[i]?.partitions;
          assert(codes !== undefined, 'applyTxnMarkers answers every marker');
          let next = 0;
          return {
            producerId: m.producerId,
            // The answers list the partitions in the request's order, topic by topic.
            topics: m.topics.map((t) => ({
              name: t.name,
              partitions: t.partitionIndexes.map((partitionIndex) => {
                const answer = codes[next++];
                assert(answer !== undefined, 'applyTxnMarkers answers every partition');
                return { partitionIndex, errorCode: answer.errorCode };
              }),
            })),
          };
        }),
      };
    },
  };
}
