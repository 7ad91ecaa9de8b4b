/**
 * The decisions of one v2 consumer instance, pure: what subscribing,
 * assigning and unsubscribing do to its target (and which conflict), which
 * partitions it reads and from where (positions), what seeking changes, and
 * what a commit sends. ConsumerInstance (consumer-instance.ts) does the I/O
 * around them. Kafka's consumer is the model: a subscription and a manual
 * assignment exclude each other; a position is the next offset to read; a
 * commit of "everything consumed" commits the positions; a commit of given
 * offsets commits offset + 1 (Confluent's v2 API names the last record read).
 */
import type { AutoOffsetReset, InstanceTarget, TopicPartition } from './instance-definition.ts';

export type StateError =
  /** Subscribe while assigned, or assign while subscribed (Kafka: mutually exclusive). */
  | { kind: 'conflict'; message: string }
  /** Seek or commit on a partition the instance does not hold. */
  | { kind: 'not_assigned'; message: string };

export type Decision<T> = { ok: true; value: T } | { ok: false; error: StateError };

const exclusive = 'Subscription to topics, partitions and pattern are mutually exclusive';

export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}:${tp.partition}`;
}

/** The target after a subscription request: replaces a subscription, conflicts with an assignment. */
export function subscribe(
  target: InstanceTarget,
  request: { topics: readonly string[] | null; pattern: string | null },
): Decision<InstanceTarget> {
  if (target.kind === 'assignment') return { ok: false, error: { kind: 'conflict', message: exclusive } };
  const topics = request.pattern === null ? [...new Set(request.topics ?? [])].sort() : [];
  return { ok: true, value: { kind: 'subscription', topics, pattern: request.pattern } };
}

/** The target after an assignment request: replaces an assignment, conflicts with a subscription. */
export function assign(target: InstanceTarget, partitions: readonly TopicPartition[]): Decision<InstanceTarget> {
  if (target.kind === 'subscription') return { ok: false, error: { kind: 'conflict', message: exclusive } };
  const unique = new Map(partitions.map((p) => [partitionKey(p), { topic: p.topic, partition: p.partition }]));
  return { ok: true, value: { kind: 'assignment', partitions: [...unique.values()] } };
}

/** Kafka's unsubscribe clears a subscription and a manual assignment alike. */
export function unsubscribe(): InstanceTarget {
  return { kind: 'none' };
}

/** The topics a subscription covers among the cluster's topics (a pattern matches whole names, as Java's). */
export function subscribedTopics(target: InstanceTarget, clusterTopics: readonly string[]): string[] {
  if (target.kind !== 'subscription') return [];
  if (target.pattern === null) return [...target.topics];
  const pattern = new RegExp(`^(?:${target.pattern})$`);
  // Internal topics are never matched by a pattern (Kafka's exclude.internal.topics default).
  return clusterTopics.filter((t) => !t.startsWith('__') && pattern.test(t)).sort();
}

/** Whether a subscribed member must rejoin: its topics (a pattern's matches) or their partition counts changed. */
export function subscriptionChanged(
  before: { topics: readonly string[]; counts: ReadonlyMap<string, number> },
  now: { topics: readonly string[]; counts: ReadonlyMap<string, number> },
): boolean {
  if (before.topics.length !== now.topics.length || before.topics.some((t, i) => t !== now.topics[i])) return true;
  return now.topics.some((t) => now.counts.get(t) !== before.counts.get(t));
}

/**
 * The read positions after the held partitions change (a new assignment or a rebalance): partitions still held
 * keep theirs, new ones have none until resolved from the committed offset (or the reset policy).
 */
export function keepPositions(
  positions: ReadonlyMap<string, bigint>,
  held: readonly TopicPartition[],
): Map<string, bigint> {
  const kept = new Map<string, bigint>();
  for (const tp of held) {
    const position = positions.get(partitionKey(tp));
    if (position !== undefined) kept.set(partitionKey(tp), position);
  }
  return kept;
}

/** The held partitions that have no position yet. */
export function unresolved(held: readonly TopicPartition[], positions: ReadonlyMap<string, bigint>): TopicPartition[] {
  return held.filter((tp) => !positions.has(partitionKey(tp)));
}

/**
 * Where reading starts on a partition: the committed offset if any, else the reset policy's end; 'none' with no
 * committed offset is an error, as Kafka's NoOffsetForPartitionException.
 */
export function startPosition(
  committed: bigint | null,
  reset: AutoOffsetReset,
  ends: { earliest: bigint; latest: bigint },
): bigint | null {
  if (committed !== null && committed >= 0n) return committed;
  if (reset === 'earliest') return ends.earliest;
  if (reset === 'latest') return ends.latest;
  return null;
}

/** Seeks given partitions; every one must be held (Kafka: "No current assignment for partition"). */
export function seek(
  held: readonly TopicPartition[],
  positions: ReadonlyMap<string, bigint>,
  seeks: readonly { tp: TopicPartition; offset: bigint }[],
): Decision<Map<string, bigint>> {
  const heldKeys = new Set(held.map(partitionKey));
  const next = new Map(positions);
  for (const { tp, offset } of seeks) {
    if (!heldKeys.has(partitionKey(tp))) {
      return {
        ok: false,
        error: { kind: 'not_assigned', message: `No current assignment for partition ${partitionKey(tp)}` },
      };
    }
    next.set(partitionKey(tp), offset < 0n ? 0n : offset);
  }
  return { ok: true, value: next };
}

export interface OffsetCommit {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly metadata: string | null;
}

/** A commit of "everything consumed": the position of every held partition that has one. */
export function commitPositions(
  held: readonly TopicPartition[],
  positions: ReadonlyMap<string, bigint>,
): OffsetCommit[] {
  const commits: OffsetCommit[] = [];
  for (const tp of held) {
    const offset = positions.get(partitionKey(tp));
    if (offset !== undefined) commits.push({ topic: tp.topic, partition: tp.partition, offset, metadata: null });
  }
  return commits;
}

/** A commit of given offsets: each names the last record read, so the committed offset is the next one. */
export function commitGiven(
  given: readonly { topic: string; partition: number; offset: bigint; metadata?: string | null }[],
): OffsetCommit[] {
  return given.map((g) => ({
    topic: g.topic,
    partition: g.partition,
    offset: g.offset + 1n,
    metadata: g.metadata ?? null,
  }));
}

/**
 * The order partitions are read in this request: rotated by one each request, so that when `max_bytes` runs out
 * on the first partitions, the next request starts elsewhere and no partition starves.
 */
export function readOrder(held: readonly TopicPartition[], round: number): TopicPartition[] {
  if (held.length === 0) return [];
  const start = round % held.length;
  return [...held.slice(start), ...held.slice(0, start)];
}

/** The `max_bytes` a records request gets: its own (when positive) capped by the gateway's limit. */
export function responseBytes(asked: number | null, limit: number): number {
  if (asked === null || asked <= 0) return limit;
  return Math.min(asked, limit);
}

/** A records request's wait: its own `timeout` when given (>= 0), else the instance's request timeout. */
export function readTimeoutMs(asked: number | null, instanceTimeoutMs: number, limitMs: number): number {
  const wanted = asked === null || asked < 0 ? instanceTimeoutMs : asked;
  return Math.min(wanted, limitMs);
}
