/**
 * WriteTxnMarkers (key 27, v1) in the minimal form operators need to end a
 * hanging transaction (`runnel transactions abort`): each marker is written
 * by this broker as the partition's leader through Partition.writeTxnMarker
 * and answered once it is in the leader's log. It does not wait for the
 * followers (Kafka writes markers with acks=all); the transaction runtime's
 * MarkerWriter is what coordinators use.
 */
import { ErrorCode, type WriteTxnMarkersRequest, type WriteTxnMarkersResponse } from '@runnel/protocol';
import type { TxnMarkerError } from '../replication/partition-api.ts';
import type { BrokerContext, Handler } from './handler.ts';

type Marker = WriteTxnMarkersRequest['markers'][number];
type MarkerTopic = WriteTxnMarkersResponse['markers'][number]['topics'][number];

/** The one place the Partition's marker failures become Kafka codes. */
const markerErrorCodes: Record<TxnMarkerError, number> = {
  not_leader: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  coordinator_fenced: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
};

export function writeTxnMarkersHandler(broker: Pick<BrokerContext, 'config' | 'image' | 'partitions'>): Handler<27> {
  async function write(marker: Marker, topic: string, index: number): Promise<number> {
    if (broker.image().topic(topic)?.partitions[index] === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const partition = broker.partitions.get(topic, index);
    if (partition === undefined || partition.closed || partition.leader !== broker.config.nodeId)
      return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    const written = await partition.writeTxnMarker(
      marker.producerId,
      marker.producerEpoch,
      marker.coordinatorEpoch,
      marker.transactionResult ? 'commit' : 'abort',
    );
    return written.ok ? ErrorCode.NONE : markerErrorCodes[written.error];
  }
  return {
    apiKey: 27,
    minVersion: 1,
    maxVersion: 1,
    async handle(request: WriteTxnMarkersRequest): Promise<WriteTxnMarkersResponse> {
      const markers = [];
      // One marker after another: a producer's markers must land in request order.
      for (const marker of request.markers) {
        const topics: MarkerTopic[] = [];
        for (const t of marker.topics) {
          const partitions = [];
          for (const index of t.partitionIndexes) {
            partitions.push({ partitionIndex: index, errorCode: await write(marker, t.name, index) });
          }
          topics.push({ name: t.name, partitions });
        }
        markers.push({ producerId: marker.producerId, topics });
      }
      return { markers };
    },
  };
}
