/**
 * Where a consumer group's offsets go on a reset, as kafka-consumer-groups
 * --reset-offsets decides it: --to-earliest and --to-latest take each
 * partition's log start and end; --to-offset is clamped into
 * [earliest, latest]; --to-datetime takes the first offset whose record's
 * timestamp is at or after the time, or the log end when there is none. A
 * reset is refused while the group has active members (Kafka allows it
 * only in the Empty or Dead state), since their next commit would undo it.
 * Pure.
 */
import type { ResetOffsetsBody } from './console-api-types.ts';

export interface PartitionBounds {
  topic: string;
  partition: number;
  earliest: number;
  latest: number;
  /** With a timestamp reset: the first offset at or after the time; null when no record is that new. */
  atTimestamp: number | null;
}

export type ResetRefusal = { reason: 'group-active'; message: string } | { reason: 'bad-request'; message: string };

/** Why the group's state forbids a reset, or null when it allows one. */
export function resetRefusal(groupId: string, state: string): ResetRefusal | null {
  if (state === 'Empty' || state === 'Dead') return null;
  return {
    reason: 'group-active',
    message:
      `Offsets can only be reset while group ${groupId} has no active members, but its state is ${state}. ` +
      'Stop its consumers first.',
  };
}

/** What the body asks for is complete (an offset for to=offset, a time for to=timestamp). */
export function resetBodyProblem(body: ResetOffsetsBody): string | null {
  if (body.to === 'offset' && body.offset === undefined) return 'A reset to an offset needs "offset".';
  if (body.to === 'timestamp' && body.timestampMs === undefined) return 'A reset to a timestamp needs "timestampMs".';
  return null;
}

export function resetTarget(body: ResetOffsetsBody, bounds: PartitionBounds): number {
  switch (body.to) {
    case 'earliest':
      return bounds.earliest;
    case 'latest':
      return bounds.latest;
    case 'offset':
      return Math.min(Math.max(body.offset ?? bounds.earliest, bounds.earliest), bounds.latest);
    case 'timestamp':
      return bounds.atTimestamp ?? bounds.latest;
  }
}
