/**
 * What Metadata and DescribeTopicPartitions say about topics, as pure
 * functions of the metadata image: which topics a request names (by name or
 * by id), each partition's leader, epoch, replicas and ISR, and the paging
 * of DescribeTopicPartitions (KIP-966). The handlers only wire these to the
 * wire types.
 */
import type { MetadataImage, PartitionImage, TopicImage } from '@runnel/metadata';
import { isValidTopicName, zeroUuid } from '@runnel/metadata';
import { ErrorCode } from '@runnel/protocol';
import { isInternalTopic } from '../internal-topic.ts';

export interface PartitionDescription {
  readonly errorCode: number;
  readonly partitionIndex: number;
  readonly leaderId: number;
  readonly leaderEpoch: number;
  readonly replicaNodes: number[];
  readonly isrNodes: number[];
  readonly eligibleLeaderReplicas: number[];
  readonly lastKnownElr: number[];
  readonly offlineReplicas: number[];
}

export interface TopicDescription {
  readonly errorCode: number;
  /** Null only for a topic asked for by an id that does not exist. */
  readonly name: string | null;
  readonly topicId: string;
  readonly isInternal: boolean;
  readonly partitions: PartitionDescription[];
}

/** One entry of a Metadata request: a name, or (v12+) a topic id with a null name. */
export interface TopicSelector {
  readonly name: string | null;
  readonly topicId: string;
}

/**
 * Offline replicas are those on brokers the cluster does not know (Kafka
 * counts unregistered brokers and failed log directories; a fenced broker is
 * down, not offline).
 */
export function describePartition(image: MetadataImage, p: PartitionImage): PartitionDescription {
  return {
    errorCode: p.leader < 0 ? ErrorCode.LEADER_NOT_AVAILABLE : ErrorCode.NONE,
    partitionIndex: p.partition,
    leaderId: p.leader,
    leaderEpoch: p.leaderEpoch,
    replicaNodes: [...p.replicas],
    isrNodes: [...p.isr],
    eligibleLeaderReplicas: [...p.elr],
    lastKnownElr: [...p.lastKnownElr],
    offlineReplicas: p.replicas.filter((id) => image.broker(id) === undefined),
  };
}

export function describeTopic(image: MetadataImage, topic: TopicImage): TopicDescription {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: isInternalTopic(topic.name),
    partitions: topic.partitions.map((p) => describePartition(image, p)),
  };
}

function missing(name: string | null, topicId: string, errorCode: number): TopicDescription {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}

/**
 * The answer for one requested topic. By id when the id is set (Metadata
 * v12+ sends a null name then): an unknown id is UNKNOWN_TOPIC_ID with the
 * name null, as Kafka answers. By name otherwise: an illegal name is
 * INVALID_TOPIC_EXCEPTION, an absent one UNKNOWN_TOPIC_OR_PARTITION.
 */
export function describeSelected(image: MetadataImage, selector: TopicSelector): TopicDescription {
  if (selector.topicId !== zeroUuid) {
    const topic = image.topicById(selector.topicId);
    if (topic === undefined) return missing(null, selector.topicId, ErrorCode.UNKNOWN_TOPIC_ID);
    return describeTopic(image, topic);
  }
  const name = selector.name ?? '';
  if (!isValidTopicName(name)) return missing(name, zeroUuid, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const topic = image.topic(name);
  return topic === undefined
    ? missing(name, zeroUuid, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    : describeTopic(image, topic);
}

/** Kafka's max.request.partition.size.limit default: a request may ask for less, never more. */
export const responsePartitionLimitMax = 2000;

export interface PageCursor {
  readonly topicName: string;
  readonly partitionIndex: number;
}

export interface TopicPartitionsPage {
  readonly topics: TopicDescription[];
  /** Where the next page starts; null when this page ends the listing. */
  readonly nextCursor: PageCursor | null;
}

/**
 * One page of DescribeTopicPartitions: the named topics (every topic when
 * none is named) sorted by name, from the cursor on (topics before the
 * cursor's topic are skipped, and partitions of that topic below its
 * index), holding at most `partitionLimit` partitions (at least 1, at most
 * 2000). A topic that does
 * not fit whole is cut, and the cursor names its first partition left out;
 * a page that ends exactly at a topic's end points at the next topic's
 * first partition, as Kafka does. Unknown names are answered with
 * UNKNOWN_TOPIC_OR_PARTITION in sorted place and cost no partitions; a
 * cursor on a topic the request does not name makes every topic
 * INVALID_REQUEST.
 */
export function topicPartitionsPage(
  image: MetadataImage,
  names: readonly string[],
  partitionLimit: number,
  cursor: PageCursor | null,
): TopicPartitionsPage {
  // Kafka refuses a cursor that names none of the topics asked for: the client lost its place.
  if (cursor !== null && names.length > 0 && !names.includes(cursor.topicName)) {
    const invalid = [...new Set(names)].sort().map((n) => missing(n, zeroUuid, ErrorCode.INVALID_REQUEST));
    return { topics: invalid, nextCursor: null };
  }
  const listed = names.length === 0 ? [...image.topicNames()] : [...new Set(names)];
  listed.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const from = cursor === null ? listed : listed.filter((n) => n >= cursor.topicName);
  const topics: TopicDescription[] = [];
  let room = Math.min(Math.max(1, partitionLimit), responsePartitionLimitMax);
  for (const name of from) {
    const start = cursor !== null && name === cursor.topicName ? Math.max(0, cursor.partitionIndex) : 0;
    // A full page points at the next topic whether or not it exists, as Kafka's does.
    if (room === 0) return { topics, nextCursor: { topicName: name, partitionIndex: start } };
    const topic = image.topic(name);
    if (topic === undefined) {
      topics.push(
        isValidTopicName(name)
          ? missing(name, zeroUuid, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
          : missing(name, zeroUuid, ErrorCode.INVALID_TOPIC_EXCEPTION),
      );
      continue;
    }
    const partitions = topic.partitions.slice(start, start + room).map((p) => describePartition(image, p));
    room -= partitions.length;
    topics.push({ ...describeTopic(image, topic), partitions });
    const end = start + partitions.length;
    if (end < topic.partitions.length) return { topics, nextCursor: { topicName: name, partitionIndex: end } };
  }
  return { topics, nextCursor: null };
}
