/**
 * DeleteRecords (key 21), v0-2 (v1 is v0; v2 is flexible). The partition
 * leader moves the log start to the asked offset (-1: the high watermark),
 * durably, and answers once every live replica's log start got there
 * (lowWatermark), or REQUEST_TIMED_OUT after timeoutMs, as Kafka's delayed
 * delete-records does. Refusals, in Kafka's order: internal topics
 * (INVALID_TOPIC_EXCEPTION), unknown partitions, not the leader, topics whose
 * cleanup.policy lacks `delete` (POLICY_VIOLATION: compaction decides what
 * a compacted log keeps), offsets past the high watermark
 * (OFFSET_OUT_OF_RANGE).
 */
import type { MetadataImage } from '@runnel/metadata';
import { type DeleteRecordsRequest, type DeleteRecordsResponse, ErrorCode } from '@runnel/protocol';
import { isInternalTopic } from '../internal-topic.ts';
import type { Partition } from '../replication/partition.ts';
import type { BrokerContext, Handler } from './handler.ts';

type PartitionResult = DeleteRecordsResponse['topics'][number]['partitions'][number];

const resultCodes = {
  not_leader: ErrorCode.NOT_LEADER_OR_FOLLOWER,
  offset_out_of_range: ErrorCode.OFFSET_OUT_OF_RANGE,
  timed_out: ErrorCode.REQUEST_TIMED_OUT,
} as const;

/** Whether cleanup.policy (a list; Kafka's default `delete`) lets records be deleted by offset. */
export function allowsDeletion(cleanupPolicy: string | undefined): boolean {
  return (cleanupPolicy ?? 'delete').split(',').some((p) => p.trim() === 'delete');
}

/**
 * The refusal for one partition before anything is deleted, or the local
 * leader replica to delete on. Pure over the image and what this broker hosts.
 */
export function deleteRecordsTarget(
  image: MetadataImage,
  topic: string,
  index: number,
  local: Partition | undefined,
  nodeId: number,
): { errorCode: number } | { partition: Partition } {
  if (isInternalTopic(topic)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION };
  const known = image.topic(topic)?.partitions[index];
  if (known === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (local === undefined || local.closed || local.leader !== nodeId) {
    return { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER };
  }
  if (!allowsDeletion(image.configOverrides('topic', topic).get('cleanup.policy'))) {
    return { errorCode: ErrorCode.POLICY_VIOLATION };
  }
  return { partition: local };
}

export function deleteRecordsHandler(broker: BrokerContext): Handler<21> {
  async function deleteOne(topic: string, index: number, offset: bigint, timeoutMs: number): Promise<PartitionResult> {
    const target = deleteRecordsTarget(
      broker.image(),
      topic,
      index,
      broker.partitions.get(topic, index),
      broker.config.nodeId,
    );
    if ('errorCode' in target) return { partitionIndex: index, lowWatermark: -1n, errorCode: target.errorCode };
    const result = await target.partition.deleteRecords(offset, timeoutMs);
    if (!result.ok) return { partitionIndex: index, lowWatermark: -1n, errorCode: resultCodes[result.error] };
    broker.logger.info(
      { topic, partition: index, offset: offset.toString(), lowWatermark: result.value.lowWatermark.toString() },
      'deleted records',
    );
    return { partitionIndex: index, lowWatermark: result.value.lowWatermark, errorCode: ErrorCode.NONE };
  }

  return {
    apiKey: 21,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: DeleteRecordsRequest): Promise<DeleteRecordsResponse> {
      return {
        throttleTimeMs: 0,
        topics: await Promise.all(
          request.topics.map(async (t) => ({
            name: t.name,
            partitions: await Promise.all(
              t.partitions.map((p) => deleteOne(t.name, p.partitionIndex, p.offset, request.timeoutMs)),
            ),
          })),
        ),
      };
    },
  };
}
