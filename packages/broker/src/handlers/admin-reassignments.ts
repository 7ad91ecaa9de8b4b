/**
 * AlterPartitionReassignments (key 45, v0-1) and ListPartitionReassignments
 * (key 46, v0): forwarded to the controller, which owns reassignment state
 * (KIP-455). An accepted reassignment has started, not finished: the new
 * replicas catch up through replication and the controller completes the
 * move when they are all in the ISR.
 *
 * v1 (KIP-860): with allowReplicationFactorChange false, a target replica
 * set whose size differs from the partition's replication factor is refused
 * here with INVALID_REPLICATION_FACTOR, before the controller sees it; the
 * others go on. The factor is read from this broker's metadata image (during
 * a reassignment, the replicas it had before the adding ones).
 */
import type { MetadataImage, OngoingReassignment, PartitionReassignment, ReassignmentError } from '@runnel/metadata';
import { ControllerUnavailableError } from '@runnel/metadata';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  ListPartitionReassignmentsRequest,
  ListPartitionReassignmentsResponse,
} from '@runnel/protocol';
import { ErrorCode } from '@runnel/protocol';
import type { BrokerContext, Handler } from './handler.ts';

const reassignmentErrorCodes: Record<ReassignmentError, number> = {
  unknown_topic_or_partition: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  invalid_replica_assignment: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
  no_reassignment_in_progress: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS,
  policy_violation: ErrorCode.POLICY_VIOLATION,
};

type TopicResponse = AlterPartitionReassignmentsResponse['responses'][number];
type PartitionResponse = TopicResponse['partitions'][number];

/**
 * Why a reassignment to `replicas` would change the partition's replication
 * factor, or null when it would not (or cancels, or names no partition the
 * image knows: the controller answers those).
 */
export function replicationFactorChange(
  image: MetadataImage,
  topic: string,
  partition: number,
  replicas: readonly number[] | null,
): string | null {
  const current = image.partition(topic, partition);
  if (replicas === null || current === undefined) return null;
  const factor = current.replicas.length - current.addingReplicas.length;
  if (replicas.length === factor) return null;
  return `The reassignment would change the replication factor from ${factor} to ${replicas.length}, and allowReplicationFactorChange is false.`;
}

export function alterPartitionReassignmentsHandler(broker: BrokerContext): Handler<45> {
  return {
    apiKey: 45,
    minVersion: 0,
    maxVersion: 1,
    async handle(request: AlterPartitionReassignmentsRequest): Promise<AlterPartitionReassignmentsResponse> {
      // Decoding fills the default (true) below v1.
      const allowReplicationFactorChange = request.allowReplicationFactorChange ?? true;
      const image = broker.image();
      // Refusals by KIP-860's guard, by position in the request; the rest go to the controller.
      const refused = new Map<string, string>();
      const asked: PartitionReassignment[] = [];
      for (const t of request.topics) {
        for (const p of t.partitions) {
          const why = allowReplicationFactorChange
            ? null
            : replicationFactorChange(image, t.name, p.partitionIndex, p.replicas);
          if (why === null) asked.push({ topic: t.name, partition: p.partitionIndex, replicas: p.replicas });
          else refused.set(`${t.name}\u0000${p.partitionIndex}`, why);
        }
      }
      try {
        const results =
          asked.length === 0
            ? []
            : await broker.controller.call('alterPartitionReassignments', { reassignments: asked });
        // The start changed replicas: answer once this broker has applied it, so a metadata refresh shows it.
        if (asked.length > 0) await broker.partitions.settled();
        let next = 0;
        const responses = request.topics.map(
          (t): TopicResponse => ({
            name: t.name,
            partitions: t.partitions.map((p): PartitionResponse => {
              const why = refused.get(`${t.name}\u0000${p.partitionIndex}`);
              if (why !== undefined) {
                broker.logger.info(
                  { topic: t.name, partition: p.partitionIndex },
                  'reassignment refused: it changes the replication factor',
                );
                return {
                  partitionIndex: p.partitionIndex,
                  errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
                  errorMessage: why,
                };
              }
              const result = results[next++]?.result;
              if (result === undefined || result.ok) {
                return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, errorMessage: null };
              }
              broker.logger.info(
                { topic: t.name, partition: p.partitionIndex, error: result.error },
                'reassignment refused',
              );
              return {
                partitionIndex: p.partitionIndex,
                errorCode: reassignmentErrorCodes[result.error],
                errorMessage: result.message ?? null,
              };
            }),
          }),
        );
        return {
          throttleTimeMs: 0,
          allowReplicationFactorChange,
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          responses,
        };
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'AlterPartitionReassignments: no controller answered');
        const errorMessage = `No active controller answered; retry. (${error.message})`;
        return {
          throttleTimeMs: 0,
          allowReplicationFactorChange,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage,
          responses: request.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partitionIndex,
              errorCode: ErrorCode.NOT_CONTROLLER,
              errorMessage,
            })),
          })),
        };
      }
    },
  };
}

export function listPartitionReassignmentsHandler(broker: BrokerContext): Handler<46> {
  return {
    apiKey: 46,
    minVersion: 0,
    maxVersion: 0,
    async handle(request: ListPartitionReassignmentsRequest): Promise<ListPartitionReassignmentsResponse> {
      const query = request.topics?.map((t) => ({ topic: t.name, partitions: t.partitionIndexes })) ?? null;
      let ongoing: OngoingReassignment[];
      try {
        ongoing = await broker.controller.call('listPartitionReassignments', { query });
      } catch (error) {
        if (!(error instanceof ControllerUnavailableError)) throw error;
        broker.logger.warn({ err: error.message }, 'ListPartitionReassignments: no controller answered');
        return {
          throttleTimeMs: 0,
          errorCode: ErrorCode.NOT_CONTROLLER,
          errorMessage: `No active controller answered; retry. (${error.message})`,
          topics: [],
        };
      }
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: groupByTopic(ongoing) };
    },
  };
}

function groupByTopic(ongoing: readonly OngoingReassignment[]): ListPartitionReassignmentsResponse['topics'] {
  const topics = new Map<string, ListPartitionReassignmentsResponse['topics'][number]>();
  for (const r of ongoing) {
    let topic = topics.get(r.topic);
    if (topic === undefined) {
      topic = { name: r.topic, partitions: [] };
      topics.set(r.topic, topic);
    }
    topic.partitions.push({
      partitionIndex: r.partition,
      replicas: [...r.replicas],
      addingReplicas: [...r.addingReplicas],
      removingReplicas: [...r.removingReplicas],
    });
  }
  return [...topics.values()];
}
