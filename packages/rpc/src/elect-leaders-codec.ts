/**
 * ElectLeaders (preferred) between the metadata types and the proto shapes,
 * both directions. A result whose error name is outside ElectLeadersError
 * decodes as a malformed response.
 */
import type { Result } from '@runnel/common';
import { err, ok } from '@runnel/common';
import type { ElectLeadersError, ElectLeadersResult, TopicPartitionRef } from '@runnel/metadata';
import type { ControllerAnswer } from './controller-answer.ts';
import type { AnswerFrame, ResponseDecodeError } from './controller-response-codec.ts';
import { errorFromProto, errorToProto, listAnswerFromProto, listAnswerToProto } from './controller-response-codec.ts';
import type { ElectLeadersRequestProto, ElectLeadersResultProto } from './generated/controller-proto.ts';

const electLeadersErrors: ReadonlySet<string> = new Set<ElectLeadersError>([
  'unknown_topic_or_partition',
  'election_not_needed',
  'preferred_leader_not_available',
]);

export function electLeadersRequestToProto(partitions: readonly TopicPartitionRef[] | null): ElectLeadersRequestProto {
  return partitions === null
    ? { all: {} }
    : { partitions: { partitions: partitions.map(({ topic, partition }) => ({ topic, partition })) } };
}

export function electLeadersRequestFromProto(
  p: ElectLeadersRequestProto,
): Result<TopicPartitionRef[] | null, 'malformed_request'> {
  if (p.scope === 'all') return ok(null);
  if (p.scope === 'partitions' && p.partitions) return ok(p.partitions.partitions);
  return err('malformed_request', 'ElectLeaders names neither all nor partitions');
}

export function electLeadersResponseToProto(
  answer: ControllerAnswer<readonly ElectLeadersResult[]>,
): AnswerFrame<ElectLeadersResultProto> {
  return listAnswerToProto(answer, ({ topic, partition, result }) =>
    result.ok ? { topic, partition, elected: {} } : { topic, partition, error: errorToProto(result) },
  );
}

export function electLeadersResponseFromProto(
  p: AnswerFrame<ElectLeadersResultProto>,
): Result<ControllerAnswer<ElectLeadersResult[]>, ResponseDecodeError> {
  return listAnswerFromProto(p, (r): ElectLeadersResult | null => {
    if (r.outcome === 'elected') return { topic: r.topic, partition: r.partition, result: ok(null) };
    const failed =
      r.outcome === 'error' && r.error ? errorFromProto<ElectLeadersError>(r.error, electLeadersErrors) : null;
    return failed === null ? null : { topic: r.topic, partition: r.partition, result: failed };
  });
}
