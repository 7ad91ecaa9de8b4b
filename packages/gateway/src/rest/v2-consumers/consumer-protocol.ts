/**
 * The "consumer" protocol of a classic group, as Kafka's consumers speak
 * it, so kafka-consumer-groups and DescribeGroups show a v2 instance's
 * group like any other: the member's subscription (JoinGroup metadata) and
 * the range assignor (the leader's assignment of partitions). Pure.
 *
 * Subscription (ConsumerProtocolSubscription v0, never flexible):
 *   version int16 = 0
 *   topics  int32 count, then per topic: int16 length + UTF-8 bytes
 *   userData nullable bytes (int32 -1: null)
 * Assignment: encodeConsumerAssignment / decodeConsumerAssignment of @runnel/client.
 */
import type { AssignedPartitions } from '@runnel/client';

export const consumerProtocolType = 'consumer';
export const rangeAssignor = 'range';

export function encodeSubscription(topics: readonly string[]): Buffer {
  const names = topics.map((t) => Buffer.from(t, 'utf8'));
  const out = Buffer.alloc(2 + 4 + names.reduce((n, b) => n + 2 + b.length, 0) + 4);
  let at = out.writeInt16BE(0, 0);
  at = out.writeInt32BE(names.length, at);
  for (const name of names) {
    at = out.writeInt16BE(name.length, at);
    at += name.copy(out, at);
  }
  out.writeInt32BE(-1, at);
  return out;
}

/** A member's subscribed topics; null when the bytes are not a subscription (that member gets nothing). */
export function decodeSubscription(metadata: Buffer): string[] | null {
  if (metadata.length < 6) return null;
  if (metadata.readInt16BE(0) < 0) return null;
  const count = metadata.readInt32BE(2);
  if (count < 0 || count > (metadata.length - 6) / 2) return null;
  const topics: string[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 2 > metadata.length) return null;
    const length = metadata.readInt16BE(at);
    at += 2;
    if (length < 0 || at + length > metadata.length) return null;
    topics.push(metadata.toString('utf8', at, at + length));
    at += length;
  }
  return topics;
}

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
