/**
 * DescribeTopicPartitions (key 75, v0, KIP-966): the partitions of the named
 * topics (every topic when none is named) from this broker's metadata
 * image, sorted by topic name and paged by a partition limit and a cursor
 * (topicPartitionsPage). Each partition carries its leader, leader epoch,
 * replicas, ISR, eligible leader replicas and last known ELR. Authorized
 * operations are every topic operation, as Kafka answers without an
 * authorizer (Runnel has none).
 */
import type { DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse } from '@runnel/protocol';
import { topicAuthorizedOperations } from '../authorized-operations.ts';
import type { BrokerContext, Handler } from './handler.ts';
import { topicPartitionsPage } from './topic-descriptions.ts';

export function describeTopicPartitionsHandler(broker: BrokerContext): Handler<75> {
  return {
    apiKey: 75,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: DescribeTopicPartitionsRequest): Promise<DescribeTopicPartitionsResponse> {
      const page = topicPartitionsPage(
        broker.image(),
        request.topics.map((t) => t.name),
        request.responsePartitionLimit,
        request.cursor,
      );
      return {
        throttleTimeMs: 0,
        topics: page.topics.map((t) => ({
          ...t,
          partitions: t.partitions.map((p) => ({ ...p })),
          // The request has no flag: Kafka always fills these in (without an authorizer, every topic operation).
          topicAuthorizedOperations: topicAuthorizedOperations,
        })),
        nextCursor: page.nextCursor,
      };
    },
  };
}
