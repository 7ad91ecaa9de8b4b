/**
 * AlterPartitionReassignments and ListPartitionReassignments between the
 * metadata types and the proto shapes (both directions). A result whose
 * error name is outside ReassignmentError decodes as a malformed response.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type {
  OngoingReassignment,
  PartitionReassignment,
  PartitionReassignmentResult,
  ReassignmentError,
  ReassignmentQuery,
} from '@runnel/metadata';
import type { ControllerAnswer } from './controller-answer.ts';
import type { AnswerFrame, ResponseDecodeError } from './controller-response-codec.ts';
import { errorFromProto, errorToProto, listAnswerFromProto, listAnswerToProto } from './controller-response-codec.ts';
import type {
  AlterPartitionReassignmentsRequestProto,
  ListPartitionReassignmentsRequestProto,
  OngoingReassignmentProto,
  PartitionReassignmentResultProto,
} from './generated/controller-proto.ts';

const reassignmentErrors: ReadonlySet<string> = new Set<ReassignmentError>([
  'unknown_topic_or_partition',
  'invalid_replica_assignment',
  'no_reassignment_in_progress',
  'policy_violation',
]);

export function alterReassignmentsRequestToProto(
  reassignments: readonly PartitionReassignment[],
): AlterPartitionReassignmentsRequestProto {
  return {
    reassignments: reassignments.map(({ topic, partition, replicas }) =>
      replicas === null
        ? { topic, partition, cancel: {} }
        : { topic, partition, replicas: { brokerIds: [...replicas] } },
    ),
  };
}

export function alterReassignmentsRequestFromProto(
  p: AlterPartitionReassignmentsRequestProto,
): Result<PartitionReassignment[], 'malformed_request'> {
  const out: PartitionReassignment[] = [];
  for (const r of p.reassignments) {
    if (r.target === 'replicas' && r.replicas)
      out.push({ topic: r.topic, partition: r.partition, replicas: r.replicas.brokerIds });
    else if (r.target === 'cancel') out.push({ topic: r.topic, partition: r.partition, replicas: null });
    else return err('malformed_request', `reassignment of ${r.topic}-${r.partition} has neither replicas nor cancel`);
  }
  return ok(out);
}

export function alterReassignmentsResponseToProto(
  answer: ControllerAnswer<readonly PartitionReassignmentResult[]>,
): AnswerFrame<PartitionReassignmentResultProto> {
  return listAnswerToProto(answer, ({ topic, partition, result }) =>
    result.ok ? { topic, partition, accepted: {} } : { topic, partition, error: errorToProto(result) },
  );
}

export function alterReassignmentsResponseFromProto(
  p: AnswerFrame<PartitionReassignmentResultProto>,
): Result<ControllerAnswer<PartitionReassignmentResult[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): PartitionReassignmentResult | null => {
    if (r.outcome === 'accepted') return { topic: r.topic, partition: r.partition, result: ok(null) };
    const failed =
      r.outcome === 'error' && r.error ? errorFromProto<ReassignmentError>(r.error, reassignmentErrors) : null;
    return failed === null ? null : { topic: r.topic, partition: r.partition, result: failed };
  });
}

export function listReassignmentsRequestToProto(
  query: readonly ReassignmentQuery[] | null,
): ListPartitionReassignmentsRequestProto {
  return query === null
    ? { all: {} }
    : { topics: { topics: query.map((q) => ({ topic: q.topic, partitions: [...q.partitions] })) } };
}

export function listReassignmentsRequestFromProto(
  p: ListPartitionReassignmentsRequestProto,
): Result<ReassignmentQuery[] | null, 'malformed_request'> {
  if (p.scope === 'all') return ok(null);
  if (p.scope === 'topics' && p.topics) return ok(p.topics.topics);
  return err('malformed_request', 'ListPartitionReassignments names neither all nor topics');
}

export function listReassignmentsResponseToProto(
  answer: ControllerAnswer<readonly OngoingReassignment[]>,
): AnswerFrame<OngoingReassignmentProto> {
  return listAnswerToProto(answer, (r) => ({
    topic: r.topic,
    partition: r.partition,
    replicas: [...r.replicas],
    addingReplicas: [...r.addingReplicas],
    removingReplicas: [...r.removingReplicas],
  }));
}

export function listReassignmentsResponseFromProto(
  p: AnswerFrame<OngoingReassignmentProto>,
): Result<ControllerAnswer<OngoingReassignment[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r) => r);
}
