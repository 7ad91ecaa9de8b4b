/**
 * A consumer group's lag per partition, as kafka-consumer-groups --describe
 * computes it: the partition's log-end offset (the high watermark a
 * read_uncommitted consumer reads up to) minus the group's committed
 * offset. Partitions assigned to a member but never committed are listed
 * with no committed offset and no lag. Pure.
 */
import type { GroupMember } from '@runnel/client';
import { partitionKey } from './cluster-health.ts';
import type { GroupOffsetRow } from './console-api-types.ts';

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** -1 when the group has no offset for the partition. */
  offset: number;
}

/** Every partition the group has an offset for or is assigned, sorted by topic then partition. */
export function groupPartitions(
  committed: readonly CommittedOffset[],
  members: readonly GroupMember[],
): { topic: string; partition: number }[] {
  const seen = new Map<string, { topic: string; partition: number }>();
  for (const c of committed) if (c.offset >= 0) seen.set(partitionKey(c.topic, c.partition), c);
  for (const m of members) {
    for (const a of m.assignment ?? []) {
      for (const partition of a.partitions) seen.set(partitionKey(a.topic, partition), { topic: a.topic, partition });
    }
  }
  return [...seen.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

export function groupOffsetRows(
  committed: readonly CommittedOffset[],
  members: readonly GroupMember[],
  logEnds: ReadonlyMap<string, number | null>,
): GroupOffsetRow[] {
  const offsets = new Map(
    committed.filter((c) => c.offset >= 0).map((c) => [partitionKey(c.topic, c.partition), c.offset]),
  );
  const owners = new Map<string, string>();
  for (const m of members) {
    for (const a of m.assignment ?? []) {
      for (const partition of a.partitions) owners.set(partitionKey(a.topic, partition), m.memberId);
    }
  }
  return groupPartitions(committed, members).map(({ topic, partition }) => {
    const key = partitionKey(topic, partition);
    const offset = offsets.get(key) ?? null;
    const end = logEnds.get(key) ?? null;
    return {
      topic,
      partition,
      committed: offset,
      logEndOffset: end,
      lag: offset === null || end === null ? null : Math.max(0, end - offset),
      memberId: owners.get(key) ?? null,
    };
  });
}

export function totalLag(rows: readonly GroupOffsetRow[]): number {
  return rows.reduce((sum, r) => sum + (r.lag ?? 0), 0);
}
