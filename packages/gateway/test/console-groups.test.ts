import type { GroupMember } from '@runnel/client';
import { describe, expect, it } from 'vitest';
import type { ResetOffsetsBody } from '../src/console/console-api-types.ts';
import { groupOffsetRows, totalLag } from '../src/console/group-lag.ts';
import { type PartitionBounds, resetBodyProblem, resetRefusal, resetTarget } from '../src/console/offset-reset.ts';

function member(memberId: string, topic: string, partitions: number[]): GroupMember {
  return {
    memberId,
    groupInstanceId: null,
    clientId: 'c',
    clientHost: '/127.0.0.1',
    assignment: [{ topic, partitions }],
  } as GroupMember;
}

describe('group lag', () => {
  it('is the log end minus the committed offset, with assigned partitions never committed listed without lag', () => {
    const rows = groupOffsetRows(
      [
        { topic: 'orders', partition: 0, offset: 40 },
        { topic: 'orders', partition: 1, offset: 10 },
      ],
      [member('m1', 'orders', [0, 2])],
      new Map([
        ['orders/0', 100],
        ['orders/1', 10],
        ['orders/2', 5],
      ]),
    );
    expect(rows).toEqual([
      { topic: 'orders', partition: 0, committed: 40, logEndOffset: 100, lag: 60, memberId: 'm1' },
      { topic: 'orders', partition: 1, committed: 10, logEndOffset: 10, lag: 0, memberId: null },
      { topic: 'orders', partition: 2, committed: null, logEndOffset: 5, lag: null, memberId: 'm1' },
    ]);
    expect(totalLag(rows)).toBe(60);
  });

  it('has no lag where the log end is unknown (a deleted topic), and never a negative one', () => {
    const rows = groupOffsetRows(
      [
        { topic: 'gone', partition: 0, offset: 5 },
        { topic: 'truncated', partition: 0, offset: 50 },
      ],
      [],
      new Map([
        ['gone/0', null],
        ['truncated/0', 20],
      ]),
    );
    expect(rows.map((r) => r.lag)).toEqual([null, 0]);
  });
});

describe('offset reset', () => {
  const bounds: PartitionBounds = { topic: 't', partition: 0, earliest: 10, latest: 100, atTimestamp: null };
  const to = (body: ResetOffsetsBody, b: PartitionBounds = bounds): number => resetTarget(body, b);

  it('goes to the log start or end for earliest and latest', () => {
    expect(to({ to: 'earliest' })).toBe(10);
    expect(to({ to: 'latest' })).toBe(100);
  });

  it('clamps an offset into [earliest, latest], as kafka-consumer-groups does', () => {
    expect(to({ to: 'offset', offset: 3 })).toBe(10);
    expect(to({ to: 'offset', offset: 55 })).toBe(55);
    expect(to({ to: 'offset', offset: 1000 })).toBe(100);
  });

  it('takes the first offset at or after a time, or the log end when no record is that new', () => {
    expect(to({ to: 'timestamp', timestampMs: 5 }, { ...bounds, atTimestamp: 42 })).toBe(42);
    expect(to({ to: 'timestamp', timestampMs: 5 })).toBe(100);
  });

  it('is refused while the group has members, allowed when it is Empty or Dead', () => {
    expect(resetRefusal('g', 'Stable')?.reason).toBe('group-active');
    expect(resetRefusal('g', 'PreparingRebalance')?.message).toContain('state is PreparingRebalance');
    expect(resetRefusal('g', 'Empty')).toBeNull();
    expect(resetRefusal('g', 'Dead')).toBeNull();
  });

  it('needs an offset or a time when the target asks for one', () => {
    expect(resetBodyProblem({ to: 'offset' })).toContain('"offset"');
    expect(resetBodyProblem({ to: 'timestamp' })).toContain('"timestampMs"');
    expect(resetBodyProblem({ to: 'offset', offset: 0 })).toBeNull();
  });
});
