/**
 * DescribeQuorum (key 55), v0-2. The metadata quorum is the controllers'
 * Raft log; Kafka names it the partition `__cluster_metadata`-0, and so do
 * clients and tools. A broker asks the active controller (DescribeQuorum
 * over the ControllerChannel; logic/describe-quorum.ts there builds the
 * answer) and re-shapes it. Kafka's answers: a request naming any other
 * partition gets UNKNOWN_TOPIC_OR_PARTITION; no controller answering gets
 * NOT_LEADER_OR_FOLLOWER on the partition (the quorum has no leader to ask).
 */
import type { QuorumDescription, QuorumReplica } from '@runnel/metadata';
import { ControllerUnavailableError, zeroUuid } from '@runnel/metadata';
import { type DescribeQuorumRequest, type DescribeQuorumResponse, ErrorCode, errorDescription } from '@runnel/protocol';
import type { BrokerContext, Handler } from './handler.ts';

export const metadataTopicName = '__cluster_metadata';

type PartitionData = DescribeQuorumResponse['topics'][number]['partitions'][number];

function replicaData(r: QuorumReplica): PartitionData['currentVoters'][number] {
  return {
    replicaId: r.replicaId,
    replicaDirectoryId: zeroUuid,
    logEndOffset: r.logEndOffset,
    lastFetchTimestamp: r.lastFetchTimestamp,
    lastCaughtUpTimestamp: r.lastCaughtUpTimestamp,
  };
}

/** The answer for `request` given the quorum (null: no controller answered). Pure. */
export function describeQuorumResponse(
  request: DescribeQuorumRequest,
  quorum: QuorumDescription | null,
): DescribeQuorumResponse {
  const asked = request.topics.length === 1 ? request.topics[0] : undefined;
  const onlyMetadata =
    asked?.topicName === metadataTopicName &&
    asked.partitions.length === 1 &&
    asked.partitions[0]?.partitionIndex === 0;
  if (!onlyMetadata) {
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      topics: request.topics.map((t) => ({
        topicName: t.topicName,
        partitions: t.partitions.map((p) => partitionError(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)),
      })),
      nodes: [],
    };
  }
  const partition: PartitionData =
    quorum === null
      ? partitionError(0, ErrorCode.NOT_LEADER_OR_FOLLOWER)
      : {
          partitionIndex: 0,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          leaderId: quorum.leaderId,
          leaderEpoch: quorum.leaderEpoch,
          highWatermark: quorum.highWatermark,
          currentVoters: quorum.voters.map(replicaData),
          observers: quorum.observers.map(replicaData),
        };
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topics: [{ topicName: metadataTopicName, partitions: [partition] }],
    nodes: quorum === null ? [] : quorum.nodes.map((n) => ({ nodeId: n.nodeId, listeners: [...n.listeners] })),
  };
}

function partitionError(partitionIndex: number, errorCode: number): PartitionData {
  return {
    partitionIndex,
    errorCode,
    errorMessage: errorDescription(errorCode),
    leaderId: -1,
    leaderEpoch: -1,
    highWatermark: -1n,
    currentVoters: [],
    observers: [],
  };
}

export function describeQuorumHandler(broker: BrokerContext): Handler<55> {
  return {
    apiKey: 55,
    minVersion: 0,
    maxVersion: 2,
    async handle(request: DescribeQuorumRequest): Promise<DescribeQuorumResponse> {
      let quorum: QuorumDescription | null = null;
      try {
        quorum = await broker.controller.call('describeQuorum', {});
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'DescribeQuorum: no controller answered');
      }
      return describeQuorumResponse(request, quorum);
    },
  };
}
