/**
 * The "consumer" protocol of a classic group, as Kafka's consumers speak
 * it, so kafka-consumer-groups and DescribeGroups show a v2 instance's
 * group like any other: the member's subscription (JoinGroup metadata) and
 * the range assignor (the leader's assignment of partitions). Pure.
 *
 * The subscription and assignment bytes: encodeSubscription / decodeSubscription and
 * encodeConsumerAssignment / decodeConsumerAssignment of @runnel/client.
 */
import type { AssignedPartitions } from '@runnel/client';

export const consumerProtocolType = 'consumer';
export const rangeAssignor = 'range';

/**
 * Kafka's range assignor: per topic, the members subscribed to it sorted by member id; each gets a contiguous
 * range of partitions, the first `partitions % members` one more. Topics the cluster does not have are skipped.
 */
export function assignRange(
  members: readonly { memberId: string; topics: readonly string[] }[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, AssignedPartitions[]> {
  const result = new Map<string, AssignedPartitions[]>(members.map((m) => [m.memberId, []]));
  const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
  for (const topic of topics) {
    const count = partitionCounts.get(topic);
    if (count === undefined || count <= 0) continue;
    const subscribers = members
      .filter((m) => m.topics.includes(topic))
      .map((m) => m.memberId)
      .sort();
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((memberId, index) => {
      const take = per + (index < extra ? 1 : 0);
      if (take === 0) return;
      const partitions = Array.from({ length: take }, (_, i) => next + i);
      next += take;
      result.get(memberId)?.push({ topic, partitions });
    });
  }
  return result;
}
