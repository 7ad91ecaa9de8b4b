import { describe, expect, it } from 'vitest';
import type { InstanceTarget } from '../src/rest/v2-consumers/instance-definition.ts';
import {
  assign,
  commitGiven,
  commitPositions,
  keepPositions,
  readOrder,
  readTimeoutMs,
  responseBytes,
  seek,
  startPosition,
  subscribe,
  subscribedTopics,
  subscriptionChanged,
  unresolved,
  unsubscribe,
} from '../src/rest/v2-consumers/instance-state.ts';

const none: InstanceTarget = { kind: 'none' };
const a0 = { topic: 'a', partition: 0 };
const a1 = { topic: 'a', partition: 1 };
const b0 = { topic: 'b', partition: 0 };

describe('subscribe and assign', () => {
  it('subscribing an instance with no target records the topics, deduplicated and sorted', () => {
    const decided = subscribe(none, { topics: ['b', 'a', 'b'], pattern: null });
    expect(decided).toEqual({ ok: true, value: { kind: 'subscription', topics: ['a', 'b'], pattern: null } });
  });

  it('subscribing again replaces the subscription, as Kafka consumers do', () => {
    const first = subscribe(none, { topics: ['a'], pattern: null });
    if (!first.ok) throw new Error('first subscribe failed');
    expect(subscribe(first.value, { topics: null, pattern: 'o.*' })).toEqual({
      ok: true,
      value: { kind: 'subscription', topics: [], pattern: 'o.*' },
    });
  });

  it('subscribing a manually assigned instance is a conflict (subscription and assignment exclude each other)', () => {
    const assigned = assign(none, [a0]);
    if (!assigned.ok) throw new Error('assign failed');
    const decided = subscribe(assigned.value, { topics: ['a'], pattern: null });
    expect(decided.ok).toBe(false);
    if (!decided.ok) expect(decided.error.kind).toBe('conflict');
  });

  it('assigning a subscribed instance is a conflict', () => {
    const subscribed = subscribe(none, { topics: ['a'], pattern: null });
    if (!subscribed.ok) throw new Error('subscribe failed');
    const decided = assign(subscribed.value, [a0]);
    expect(decided.ok).toBe(false);
  });

  it('assigning keeps each partition once and unsubscribe clears an assignment too', () => {
    expect(assign(none, [a0, a0, a1])).toEqual({ ok: true, value: { kind: 'assignment', partitions: [a0, a1] } });
    expect(unsubscribe()).toEqual({ kind: 'none' });
  });

  it('a pattern matches whole topic names and never internal topics', () => {
    const target: InstanceTarget = { kind: 'subscription', topics: [], pattern: 'orders.*' };
    expect(subscribedTopics(target, ['orders-eu', 'orders', 'my-orders', '__consumer_offsets'])).toEqual([
      'orders',
      'orders-eu',
    ]);
    expect(subscribedTopics({ kind: 'subscription', topics: [], pattern: '.*' }, ['__consumer_offsets', 'x'])).toEqual([
      'x',
    ]);
  });
});

describe('subscriptionChanged', () => {
  const counts = new Map([
    ['a', 2],
    ['b', 1],
    ['other', 4],
  ]);
  it('a pattern matching a new topic, or losing one, makes the member rejoin', () => {
    expect(subscriptionChanged({ topics: ['a'], counts }, { topics: ['a', 'b'], counts })).toBe(true);
    expect(subscriptionChanged({ topics: ['a', 'b'], counts }, { topics: ['a'], counts })).toBe(true);
  });

  it('a subscribed topic gaining partitions makes it rejoin; changes elsewhere do not', () => {
    const more = new Map([...counts, ['a', 3]]);
    expect(subscriptionChanged({ topics: ['a'], counts }, { topics: ['a'], counts: more })).toBe(true);
    const elsewhere = new Map([...counts, ['other', 8]]);
    expect(subscriptionChanged({ topics: ['a'], counts }, { topics: ['a'], counts: elsewhere })).toBe(false);
  });
});

describe('positions', () => {
  it('a new assignment keeps the positions of partitions still held and forgets the others', () => {
    const positions = new Map([
      ['a:0', 5n],
      ['a:1', 7n],
    ]);
    const kept = keepPositions(positions, [a1, b0]);
    expect([...kept]).toEqual([['a:1', 7n]]);
    expect(unresolved([a1, b0], kept)).toEqual([b0]);
  });

  it('reading starts at the committed offset, else where auto.offset.reset says; none with no commit is an error', () => {
    const ends = { earliest: 3n, latest: 9n };
    expect(startPosition(6n, 'latest', ends)).toBe(6n);
    expect(startPosition(null, 'earliest', ends)).toBe(3n);
    expect(startPosition(-1n, 'latest', ends)).toBe(9n);
    expect(startPosition(null, 'none', ends)).toBeNull();
  });

  it('seeking a held partition moves its position; seeking one not held is refused and changes nothing', () => {
    const positions = new Map([['a:0', 5n]]);
    const moved = seek([a0], positions, [{ tp: a0, offset: 2n }]);
    expect(moved.ok && moved.value.get('a:0')).toBe(2n);
    const refused = seek([a0], positions, [{ tp: b0, offset: 1n }]);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.kind).toBe('not_assigned');
    expect(positions.get('a:0')).toBe(5n);
  });

  it('partitions are read in an order rotated per request, so a small max_bytes starves none', () => {
    expect(readOrder([a0, a1, b0], 0)).toEqual([a0, a1, b0]);
    expect(readOrder([a0, a1, b0], 1)).toEqual([a1, b0, a0]);
    expect(readOrder([a0, a1, b0], 5)).toEqual([b0, a0, a1]);
    expect(readOrder([], 3)).toEqual([]);
  });
});

describe('commits', () => {
  it('committing everything commits the position of every held partition that has one', () => {
    const positions = new Map([
      ['a:0', 4n],
      ['b:0', 2n],
    ]);
    expect(commitPositions([a0, a1], positions)).toEqual([{ topic: 'a', partition: 0, offset: 4n, metadata: null }]);
  });

  it('given offsets name the last record read, so the committed offset is one more (Confluent v2)', () => {
    expect(commitGiven([{ topic: 'a', partition: 1, offset: 9n, metadata: 'm' }])).toEqual([
      { topic: 'a', partition: 1, offset: 10n, metadata: 'm' },
    ]);
  });
});

describe('request bounds', () => {
  it('max_bytes is capped by the gateway limit and absent or non-positive means the limit', () => {
    expect(responseBytes(100, 1000)).toBe(100);
    expect(responseBytes(5000, 1000)).toBe(1000);
    expect(responseBytes(null, 1000)).toBe(1000);
    expect(responseBytes(-1, 1000)).toBe(1000);
  });

  it("timeout defaults to the instance's consumer.request.timeout.ms and is capped", () => {
    expect(readTimeoutMs(null, 1000, 60_000)).toBe(1000);
    expect(readTimeoutMs(-1, 1000, 60_000)).toBe(1000);
    expect(readTimeoutMs(0, 1000, 60_000)).toBe(0);
    expect(readTimeoutMs(600_000, 1000, 60_000)).toBe(60_000);
  });
});
