/**
 * Offset commits of a v2 consumer instance: as its group member (the
 * generation, member id and static instance id its membership holds, so the
 * coordinator refuses a fenced owner's commit) when subscribed, as a
 * non-member (generation -1, accepted while the group has no members) when
 * manually assigned. A per-partition error code becomes a RestError.
 */
import type { GroupAdmin } from '@runnel/client';
import { ApiKeys, ErrorCode, errorName } from '@runnel/protocol';
import { RestError, restErrorCodes } from '../rest-error.ts';
import type { OffsetCommit } from './instance-state.ts';

export interface MemberGeneration {
  readonly generationId: number;
  readonly memberId: string;
  readonly groupInstanceId: string | null;
}

export async function commitOffsets(
  admin: GroupAdmin,
  groupId: string,
  commits: readonly OffsetCommit[],
  member: MemberGeneration | null,
): Promise<void> {
  if (commits.length === 0) return;
  const byTopic = new Map<string, OffsetCommit[]>();
  for (const c of commits) byTopic.set(c.topic, [...(byTopic.get(c.topic) ?? []), c]);
  const topics = [...byTopic].map(([name, list]) => ({
    name,
    partitions: list.map((c) => ({
      partitionIndex: c.partition,
      committedOffset: c.offset,
      committedLeaderEpoch: -1,
      committedMetadata: c.metadata ?? '',
    })),
  }));
  const { connection } = await admin.findCoordinator(groupId);
  const response = await connection.request(ApiKeys.OffsetCommit, {
    groupId,
    generationId: member?.generationId ?? -1,
    memberId: member?.memberId ?? '',
    groupInstanceId: member?.groupInstanceId ?? null,
    retentionTimeMs: -1n,
    topics,
  });
  for (const topic of response.topics) {
    for (const p of topic.partitions) {
      if (p.errorCode !== ErrorCode.NONE) throw commitError(p.errorCode, `${topic.name}:${p.partitionIndex}`);
    }
  }
}

function commitError(code: number, where: string): RestError {
  const message = `committing ${where}: ${errorName(code)}`;
  if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return new RestError(restErrorCodes.partitionNotFound, message);
  // The group rebalanced or another owner took the instance: the caller may retry once the instance settles.
  const retriable: readonly number[] = [
    ErrorCode.REBALANCE_IN_PROGRESS,
    ErrorCode.ILLEGAL_GENERATION,
    ErrorCode.UNKNOWN_MEMBER_ID,
    ErrorCode.FENCED_INSTANCE_ID,
    ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    ErrorCode.NOT_COORDINATOR,
  ];
  return new RestError(
    retriable.includes(code) ? restErrorCodes.kafkaRetriableError : restErrorCodes.kafkaError,
    message,
  );
}
