/**
 * ListOffsets (key 2, v1-3): the earliest offset (-2), the latest (-1:
 * the high watermark; with isolation_level 1, read_committed (v2+), the
 * last stable offset), or the first offset whose batch timestamp is >= a
 * given time (-1 / -1 when there is none).
 */
import { ErrorCode, type ListOffsetsRequest, type ListOffsetsResponse } from '@runnel/protocol';
import type { BrokerContext, Handler } from './handler.ts';

type PartitionResponse = ListOffsetsResponse['topics'][number]['partitions'][number];

const latestTimestamp = -1n;
const earliestTimestamp = -2n;
const readCommitted = 1;

export function listOffsetsHandler(broker: BrokerContext): Handler<2> {
  async function lookup(
    topic: string,
    index: number,
    timestamp: bigint,
    isolationLevel: number,
  ): Promise<PartitionResponse> {
    const none = (errorCode: number): PartitionResponse => ({
      partitionIndex: index,
      errorCode,
      timestamp: -1n,
      offset: -1n,
    });
    const topicImage = broker.image().topic(topic);
    if (topicImage === undefined || topicImage.partitions[index] === undefined)
      return none(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const partition = broker.partitions.get(topic, index);
    if (partition === undefined || partition.closed || partition.leader !== broker.config.nodeId) {
      return none(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }
    if (timestamp === latestTimestamp) {
      const latest = isolationLevel === readCommitted ? partition.lastStableOffset : partition.highWatermark;
      return { ...none(ErrorCode.NONE), offset: latest };
    }
    if (timestamp === earliestTimestamp) return { ...none(ErrorCode.NONE), offset: partition.logStartOffset };
    if (timestamp < 0n) return none(ErrorCode.INVALID_REQUEST);
    const found = await partition.offsetForTimestamp(
      timestamp,
      isolationLevel === readCommitted ? 'read_committed' : 'read_uncommitted',
    );
    if (found === null) return none(ErrorCode.NONE);
    return { partitionIndex: index, errorCode: ErrorCode.NONE, timestamp: found.timestampMs, offset: found.offset };
  }

  return {
    apiKey: 2,
    minVersion: 1,
    maxVersion: 3,
    async handle(request: ListOffsetsRequest): Promise<ListOffsetsResponse> {
      return {
        throttleTimeMs: 0,
        topics: await Promise.all(
          request.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitions.map((p) => lookup(t.name, p.partitionIndex, p.timestamp, request.isolationLevel ?? 0)),
            ),
          })),
        ),
      };
    },
  };
}
