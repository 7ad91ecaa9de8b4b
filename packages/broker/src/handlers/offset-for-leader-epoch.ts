/**
 * OffsetForLeaderEpoch (key 23, v2-4), answered by a partition's leader
 * from its leader epoch cache: the largest epoch at or below the one asked
 * for and the offset where it ends in this log (the next epoch's start, or
 * the log end); -1 / -1 when the log knows no such epoch. A consumer
 * (replicaId -1) or debugging tool (-2, v2's implied id) that read up to an
 * offset of that epoch compares it with the answer: an end before its
 * position means the log it read was truncated by an unclean leader change
 * (KIP-320). They are never told of offsets past the high watermark;
 * followers (a broker id) see the log end. currentLeaderEpoch fences a
 * stale sender (FENCED_LEADER_EPOCH) or one ahead of this broker
 * (UNKNOWN_LEADER_EPOCH), before leadership is checked.
 */
import { ErrorCode, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from '@runnel/protocol';
import { epochEndAnswer, isFromFollower, leaderEpochError } from './epoch-checks.ts';
import type { BrokerContext, Handler } from './handler.ts';

type PartitionResponse = OffsetForLeaderEpochResponse['topics'][number]['partitions'][number];
type PartitionRequest = OffsetForLeaderEpochRequest['topics'][number]['partitions'][number];

export function offsetForLeaderEpochHandler(broker: BrokerContext): Handler<23> {
  function answer(topic: string, p: PartitionRequest, follower: boolean): PartitionResponse {
    const refused = (errorCode: number): PartitionResponse => ({
      errorCode,
      partition: p.partition,
      leaderEpoch: -1,
      endOffset: -1n,
    });
    const topicImage = broker.image().topic(topic);
    if (topicImage === undefined || topicImage.partitions[p.partition] === undefined) {
      return refused(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    }
    const partition = broker.partitions.get(topic, p.partition);
    if (partition === undefined || partition.closed) return refused(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const fenced = leaderEpochError(p.currentLeaderEpoch ?? -1, partition.leaderEpoch);
    if (fenced !== ErrorCode.NONE) return refused(fenced);
    if (partition.leader !== broker.config.nodeId) return refused(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    const ours = partition.log.endOffsetForEpoch(p.leaderEpoch);
    const end = epochEndAnswer(ours, partition.highWatermark, follower);
    return { errorCode: ErrorCode.NONE, partition: p.partition, leaderEpoch: end.epoch, endOffset: end.endOffset };
  }

  return {
    apiKey: 23,
    minVersion: 2,
    maxVersion: 4,
    async handle(request: OffsetForLeaderEpochRequest): Promise<OffsetForLeaderEpochResponse> {
      const follower = isFromFollower(request.replicaId ?? -2);
      return {
        throttleTimeMs: 0,
        topics: request.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((p) => answer(t.topic, p, follower)),
        })),
      };
    },
  };
}
